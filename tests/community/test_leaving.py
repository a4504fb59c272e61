"""Leaving Moim (회원 탈퇴, issue #18): the member's personal data is destroyed
at once, what they wrote stays as "former member", seats pass on, and the
account can never sign in again. docs/privacy.md is the list of what is
kept; the column-by-column test holds the database to it."""

import re
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.files.storage import storages
from django.core.management import call_command
from django.db import models, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from community.display import display_name
from community.models import (
    Bookmark,
    Community,
    DataExport,
    DisplayMode,
    Member,
    Membership,
    NicknameHistory,
    Notification,
    NotificationKind,
    Reaction,
    ReactionKind,
    Thread,
    ThreadRead,
)
from community.services.leaving import member_delete
from community.services.personal_data import data_export_request
from events.models import (
    Application,
    ApplicationStatus,
    CalendarFeed,
    Gathering,
    GatheringStatus,
    SurveyParticipation,
    Takeaway,
)
from events.services.draw import applications_freeze
from events.services.feeds import feed_create
from events.services.offers import locked_gathering, offer_confirm
from events.services.path import takeaway_save
from events.services.surveys import response_submit
from realtime.models import Message, Presence, Room
from tests.community.forum_data import comment_make, community_make, thread_make
from tests.events.factories import (
    advance,
    application_of,
    apply_all,
    gathering_held,
    gathering_open,
    members_joined,
    survey_answers,
    with_status,
)
from tests.factories import PASSWORD, member_create

ROOT = Path(__file__).resolve().parents[2]
PRIVACY = ROOT / "docs" / "privacy.md"

# Personal values planted on the leaving member: none may survive anywhere.
EMAIL = "leaver.kim@example.org"
REAL_NAME = "김탈퇴"
NICKNAME = "떠나는사람"
OLD_NICKNAME = "예전닉네임"
COMPANY = "비밀주식회사"
WORK_EMAIL = "leaver@secret-corp.co.kr"
PERSONAL = (EMAIL, REAL_NAME, NICKNAME, OLD_NICKNAME, COMPANY, WORK_EMAIL)
MOTIVATION = "지원동기-PERSONAL-3F"
TAKEAWAY = "배운점-PERSONAL-9Z"


def leaver_make(member: Member) -> Member:
    """``member`` given the planted personal values."""
    Member.objects.filter(pk=member.pk).update(
        email=EMAIL,
        real_name=REAL_NAME,
        nickname=NICKNAME,
        nickname_key=NICKNAME,
        display_mode=DisplayMode.NICKNAME,
        company=COMPANY,
        show_company=True,
        work_email=WORK_EMAIL,
        work_email_verified_at=timezone.now(),
        language="en",
    )
    EmailAddress.objects.filter(user=member).update(email=EMAIL)
    NicknameHistory.objects.create(
        member=member,
        nickname=OLD_NICKNAME,
        nickname_key=OLD_NICKNAME,
        used_from=timezone.now() - timedelta(days=200),
        used_until=timezone.now() - timedelta(days=100),
    )
    member.refresh_from_db()
    return member


def seat_give(gathering, member: Member) -> None:
    """After the draw, ``member`` holds the offered seat: their application
    and the winner's trade members (ranks stay as drawn)."""
    winner = with_status(gathering, ApplicationStatus.OFFERED)[0]
    mine = application_of(gathering, member)
    if winner.pk == mine.pk:
        return
    spare = member_create()
    Application.objects.filter(pk=winner.pk).update(member=spare)
    Application.objects.filter(pk=mine.pk).update(member=winner.member)
    Application.objects.filter(pk=winner.pk).update(member=member)


@pytest.fixture
def world(db, django_capture_on_commit_callbacks):
    """A member with something in every table that can hold a member: a
    seat at a drawn gathering with a waitlist, a past gathering with a
    survey they answered and a takeaway, posts, reactions, bookmarks,
    notifications, a feed, a chat message, a session, an export and an
    admin log entry about them."""
    community = community_make()
    held, attendees = gathering_held(attendees=3, community=community)
    leaver = leaver_make(attendees[0])
    survey_at = held.ends_at + timedelta(hours=1)
    response_submit(
        member=leaver,
        gathering=held,
        answers=survey_answers(5, useful="좋았어요"),
        now=survey_at,
    )
    takeaway_save(member=leaver, gathering=held, learned=TAKEAWAY, now=survey_at)
    drawn = gathering_open(capacity=1, community=community)
    apply_all(drawn, [leaver, *members_joined(community, 2)])
    drawn = advance(drawn, drawn.applications_close_at)
    seat_give(drawn, leaver)
    Application.objects.filter(gathering=drawn, member=leaver).update(
        motivation=MOTIVATION, answers=[MOTIVATION]
    )
    offer_confirm(
        member=leaver,
        gathering=drawn,
        now=drawn.applications_close_at + timedelta(minutes=1),
    )
    drawn.hosts.add(leaver)
    other = member_create()
    Membership.objects.create(community=community, member=other)
    thread = thread_make(community, leaver, title="떠나는 사람의 글")
    comment = comment_make(thread, leaver)
    others_thread = thread_make(community, other)
    Reaction.objects.create(
        member=leaver, thread=others_thread, kind=ReactionKind.EMPATHY
    )
    Bookmark.objects.create(member=leaver, thread=others_thread)
    ThreadRead.objects.create(member=leaver, thread=others_thread)
    Notification.objects.create(
        recipient=leaver, kind=NotificationKind.REPLY, actor=other, thread=thread
    )
    notice_to_other = Notification.objects.create(
        recipient=other,
        kind=NotificationKind.REPLY,
        actor=leaver,
        thread=others_thread,
    )
    feed_create(member=leaver)
    room, _ = Room.objects.get_or_create(community=community)
    Message.objects.create(
        room=room, seq=1, client_id="c1", author=leaver, body="안녕하세요"
    )
    Presence.objects.create(
        room=room,
        member=leaver,
        channel_name="specific.leaver",
        expires_at=timezone.now() + timedelta(minutes=1),
    )
    with django_capture_on_commit_callbacks(execute=True):
        data_export_request(member=leaver)
    LogEntry.objects.log_actions(
        user_id=member_create(is_staff=True).pk,
        queryset=[leaver],
        action_flag=CHANGE,
        change_message="Changed company.",
        single_object=True,
    )
    client = Client()
    client.force_login(leaver)
    return {
        "leaver": leaver,
        "other": other,
        "community": community,
        "drawn": drawn,
        "held": held,
        "thread": thread,
        "comment": comment,
        "notice_to_other": notice_to_other,
        "client": client,
        "waitlisted": with_status(drawn, ApplicationStatus.WAITLISTED)[0].member,
    }


# --- docs/privacy.md against the models -----------------------------------------


def documented() -> dict[str, tuple[set[str], str]]:
    """{table label: (its columns, what leaving does)} from privacy.md's
    table of tables; and the member row's columns under "community.Member"."""
    text = PRIVACY.read_text()
    found = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and re.fullmatch(r"`\w+\.\w+`", cells[0]):
            columns = set(re.findall(r"`(\w+)`", cells[1]))
            found[cells[0].strip("`")] = (columns, cells[2])
    member_section = text.split("### The member row")[1].split("###")[0]
    member_columns = set(re.findall(r"^\| `(\w+)` \|", member_section, re.M))
    found["community.Member"] = (member_columns, "anonymised")
    return found


def tables_of_members() -> list[type[models.Model]]:
    """Every installed table with a column that refers to a member (many-
    to-many tables included), and the member table itself."""
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model is Member
        or any(
            f.is_relation and f.related_model is Member
            for f in model._meta.concrete_fields
        )
    ]


def test_every_column_of_every_table_that_refers_to_a_member_is_documented():
    """A new column on such a table (or a new such table) fails here until
    docs/privacy.md says what leaving does to it."""
    docs = documented()
    problems = []
    for model in tables_of_members():
        label = model._meta.label
        columns = {f.name for f in model._meta.concrete_fields}
        if label not in docs:
            problems.append(f"{label}: not in docs/privacy.md")
        elif columns - docs[label][0]:
            # A documented column that does not exist (yet) is allowed: the
            # list may run ahead of a branch that adds it.
            problems.append(f"{label}: undocumented {sorted(columns - docs[label][0])}")
    assert not problems, problems


def _member_fields(model) -> list[str]:
    return [
        f.name
        for f in model._meta.concrete_fields
        if f.is_relation and f.related_model is Member
    ]


def _texts(value) -> str:
    return value if isinstance(value, str) else repr(value)


def leftovers_of(
    leaver: Member, personal: tuple[str, ...], written: tuple[str, ...] = ()
) -> list[str]:
    """What the database still holds of ``leaver``, who left: every column of
    every row of every table (sessions, the task queue, allauth's and
    Django's own included) holding one of ``personal``, or, outside the
    member row, one of ``written`` (what they wrote that is theirs alone: a
    motivation, a takeaway); rows that still point at the member in tables
    docs/privacy.md does not mark as kept; and sessions still signed in as
    them. Empty when nothing is left beyond the documented list."""
    docs = documented()
    leaks = []
    for model in apps.get_models(include_auto_created=True):
        label = model._meta.label
        fields = model._meta.concrete_fields
        for row in model.objects.all().values_list(*[f.attname for f in fields]):
            for f, value in zip(fields, row, strict=True):
                text = _texts(value)
                leaks += [f"{label}.{f.name}: {p}" for p in personal if p in text]
                if model is not Member:
                    leaks += [f"{label}.{f.name}: {p}" for p in written if p in text]
        for name in _member_fields(model):
            kept = model.objects.filter(**{name: leaver.pk}).exists()
            verdict = docs.get(label, (set(), ""))[1]
            if kept and "**kept**" not in verdict:
                leaks.append(f"{label}.{name}: rows kept, documented as {verdict!r}")
    leaks += [
        f"django_session {session.pk}: signed in as the member"
        for session in Session.objects.all()
        if session.get_decoded().get("_auth_user_id") == str(leaver.pk)
    ]
    return leaks


@pytest.mark.django_db(transaction=False)
def test_after_leaving_no_column_of_any_table_holds_the_members_data(world):
    """Every column of every row of every table is read after the deletion
    (``leftovers_of``): nothing of the member's is left beyond
    docs/privacy.md's list."""
    leaver = world["leaver"]
    world["client"].get(reverse("home"))
    member_delete(member=leaver)
    leaks = leftovers_of(leaver, PERSONAL, written=(MOTIVATION, TAKEAWAY))
    assert not leaks, leaks


def test_the_member_row_is_blanked_and_can_never_sign_in(world):
    leaver = member_delete(member=world["leaver"])
    assert leaver.left_at is not None and not leaver.is_active
    assert leaver.display_mode == DisplayMode.FORMER
    assert not leaver.has_usable_password()
    assert leaver.email.endswith("@left.invalid")
    assert (leaver.real_name, leaver.nickname, leaver.company) == ("", "", "")
    assert leaver.work_email is None and leaver.nickname_key is None
    assert not EmailAddress.objects.filter(user=leaver).exists()
    response = Client().post(
        reverse("account_login"), {"login": EMAIL, "password": PASSWORD}
    )
    assert "_auth_user_id" not in response.wsgi_request.session
    assert world["client"].get(reverse("profile_edit")).status_code == 302


def test_personal_rows_are_deleted(world):
    leaver = world["leaver"]
    member_delete(member=leaver)
    for model, field in (
        (NicknameHistory, "member"),
        (Bookmark, "member"),
        (Notification, "recipient"),
        (Membership, "member"),
        (CalendarFeed, "member"),
        (Takeaway, "member"),
        (Presence, "member"),
        (DataExport, "member"),
        (ThreadRead, "member"),
    ):
        assert not model.objects.filter(**{field: leaver}).exists(), model


def test_the_export_files_are_deleted(world, django_capture_on_commit_callbacks):
    export = DataExport.objects.get(member=world["leaver"])
    assert export.file_name and storages["private"].exists(export.file_name)
    with django_capture_on_commit_callbacks(execute=True):
        member_delete(member=world["leaver"])
    assert not storages["private"].exists(export.file_name)


def test_a_held_seat_passes_to_the_next_waiting(
    world, django_capture_on_commit_callbacks
):
    drawn, waitlisted = world["drawn"], world["waitlisted"]
    with django_capture_on_commit_callbacks(execute=True):
        member_delete(member=world["leaver"])
    mine = Application.objects.get(gathering=drawn, member=world["leaver"])
    assert mine.status == ApplicationStatus.WITHDRAWN
    assert (mine.motivation, mine.answers) == ("", [])
    assert mine.rank is not None, "the draw record keeps its entry"
    assert application_of(drawn, waitlisted).status == ApplicationStatus.OFFERED
    assert not drawn.hosts.filter(pk=world["leaver"].pk).exists()


def test_survey_counts_stay_right(world):
    held = world["held"]
    before = SurveyParticipation.objects.filter(survey__gathering=held).count()
    member_delete(member=world["leaver"])
    assert SurveyParticipation.objects.filter(survey__gathering=held).count() == before


def test_community_member_count_goes_down(world):
    community = world["community"]
    Community.objects.filter(pk=community.pk).update(member_count=10)
    member_delete(member=world["leaver"])
    community.refresh_from_db()
    assert community.member_count == 9


@pytest.mark.parametrize(
    "language, words", [("ko", "탈퇴한 회원"), ("en", "former member")]
)
def test_their_posts_show_former_member(world, language, words):
    member_delete(member=world["leaver"])
    thread = world["thread"]
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(world["other"])
    page = client.get(
        reverse("thread_detail", args=[world["community"].slug, thread.pk])
    ).text
    assert page.count(words) >= 2  # the thread and the comment
    assert NICKNAME not in page and REAL_NAME not in page
    # Their profile is gone: the name links nowhere.
    public_id = world["leaver"].public_id
    assert reverse("member_detail", args=[public_id]) not in page
    notifications = client.get(reverse("notification_list")).text
    assert words in notifications


def test_display_name_of_a_former_member_even_where_real_names_are_required(world):
    leaver = member_delete(member=world["leaver"])
    community = world["community"]
    community.requires_real_names = True
    with translation.override("en"):
        assert display_name(leaver, community) == "former member"


def test_mail_to_the_member_stops(world, django_capture_on_commit_callbacks):
    leaver = member_delete(member=world["leaver"])
    mail.outbox.clear()
    from community.services.notifications import notify

    notify(
        recipients=[leaver],
        kind=NotificationKind.REPLY,
        actor=world["other"],
        thread=Thread.objects.get(pk=world["thread"].pk),
    )
    assert not mail.outbox
    assert not Notification.objects.filter(recipient=leaver).exists()


def test_leaving_twice_changes_nothing_more(world):
    first = member_delete(member=world["leaver"])
    second = member_delete(member=first)
    assert second.left_at == first.left_at


# --- The page --------------------------------------------------------------------


def test_the_page_explains_what_happens(world):
    page = world["client"].get(reverse("member_leave"), HTTP_ACCEPT_LANGUAGE="ko")
    assert page.status_code == 200
    assert "탈퇴" in page.text or "떠나" in page.text


def test_leaving_needs_the_confirmation(world):
    response = world["client"].post(reverse("member_leave"), {})
    assert response.status_code == 400
    assert Member.objects.get(pk=world["leaver"].pk).left_at is None


def test_leaving_asks_to_confirm_it_is_them_then_deletes(world):
    client = world["client"]
    response = client.post(reverse("member_leave"), {"confirm": "on"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_reauthenticate"))
    assert Member.objects.get(pk=world["leaver"].pk).left_at is None
    # allauth replays the suspended confirmation once the password is right.
    done = client.post(response.url, {"password": PASSWORD})
    assert Member.objects.get(pk=world["leaver"].pk).left_at is not None
    assert done.status_code == 302
    assert "_auth_user_id" not in client.session


def test_a_wrong_password_deletes_nothing(world):
    client = world["client"]
    response = client.post(reverse("member_leave"), {"confirm": "on"})
    client.post(response.url, {"password": "wrong-password-1"})
    assert Member.objects.get(pk=world["leaver"].pk).left_at is None


def test_chat_history_shows_former_member(world):
    from realtime.services import message_payload

    member_delete(member=world["leaver"])
    message = Message.objects.select_related("author").get(author=world["leaver"])
    with translation.override("ko"):
        payload = message_payload(message, world["community"])
    assert payload["author"]["name"] == "탈퇴한 회원"
    assert payload["body"] == "안녕하세요"


def test_leaving_between_the_close_and_the_draw_passes_the_seat_on(db):
    """The frozen list keeps the application (the draw record must verify);
    the draw ranks it, then ends it before anyone is told, as for a ban."""
    community = community_make()
    gathering = gathering_open(capacity=2, community=community)
    members = members_joined(community, 5)
    apply_all(gathering, members)
    close = gathering.applications_close_at
    with transaction.atomic():
        applications_freeze(locked_gathering(gathering.pk), close)
        Gathering.objects.filter(pk=gathering.pk).update(status=GatheringStatus.CLOSED)
    leavers = members[:3]
    for leaver in leavers:
        member_delete(member=leaver, now=close)
        assert application_of(gathering, leaver).status == ApplicationStatus.APPLIED

    gathering = advance(gathering, close + timedelta(seconds=1))

    assert gathering.status == GatheringStatus.DRAWN
    for leaver in leavers:
        mine = application_of(gathering, leaver)
        assert mine.rank is not None
        assert mine.status == ApplicationStatus.WITHDRAWN
    others = [application_of(gathering, m) for m in members[3:]]
    assert {a.status for a in others} == {ApplicationStatus.OFFERED}
    out = StringIO()
    call_command("verify_draw", str(gathering.pk), stdout=out)
    assert out.getvalue().strip() == "match"


def test_no_mail_is_queued_to_a_former_members_address(world):
    """Even a path that forgot to check is_active sends nothing."""
    from community.mail import mail_member

    leaver = member_delete(member=world["leaver"])
    mail.outbox.clear()
    mail_member(
        to=leaver.email,
        language="en",
        template="community/email/work_email_confirm",
        context={"member": leaver, "confirm_url": "https://x.invalid/"},
    )
    assert not mail.outbox


@pytest.mark.django_db(transaction=True)
def test_mail_queued_to_the_member_is_dropped_and_forgotten(settings):
    """On the database queue a mail waits as a task row whose arguments
    hold the address, and a sent one keeps them: both go; others' stay."""
    from django_tasks_db.models import DBTaskResult

    from community.mail import mail_member

    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    leaver, other = member_create(), member_create()
    for member in (leaver, leaver, other):
        mail_member(
            to=member.email,
            language="en",
            template="community/email/work_email_confirm",
            context={"member": member, "confirm_url": "http://testserver/x/"},
        )
    DBTaskResult.objects.filter(
        pk=DBTaskResult.objects.order_by("enqueued_at").first().pk
    ).update(status="SUCCESSFUL")
    assert DBTaskResult.objects.count() == 3
    member_delete(member=leaver)
    (kept,) = DBTaskResult.objects.all()
    assert kept.args_kwargs["kwargs"]["to"] == [other.email]
