"""Organiser pages: who may use them, creating and editing a gathering,
publishing, cancelling, the draw button, revoking a join URL, check-in, and
the dashboard's query count."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from community.models import Membership, MembershipRole, Notification
from events import draw as algorithm
from events import join_tokens
from events.errors import EventsError
from events.models import (
    Application,
    ApplicationStatus,
    Draw,
    Gathering,
    GatheringStatus,
    JoinPass,
    SelectionMode,
)
from events.services import attendance, gatherings
from events.services.applications import application_submit
from events.services.lifecycle import gathering_advance
from tests.factories import community_create, member_create

pytestmark = pytest.mark.django_db

VIDEO_LINK = "https://zoom.example/j/organise-marker-8094"


def _join(community, member, role=MembershipRole.MEMBER):
    return Membership.objects.create(community=community, member=member, role=role)


def gathering_new(
    community,
    creator,
    *,
    opens=timedelta(hours=-1),
    closes=timedelta(hours=1),
    starts=timedelta(days=2),
    mode=SelectionMode.LOTTERY,
    capacity=3,
    publish=True,
    **extra,
) -> Gathering:
    now = timezone.now()
    fields = {
        "title": "퍼포먼스 마케터끼리 만나요",
        "description": "**함께** 이야기해요",
        "format": "online",
        "video_link": VIDEO_LINK,
        "venue": "",
        "starts_at": now + starts,
        "ends_at": now + starts + timedelta(hours=2),
        "capacity": capacity,
        "selection_mode": mode,
        "applications_open_at": now + opens,
        "applications_close_at": now + closes,
        "motivation_prompt": "",
        "questions": [],
        **extra,
    }
    gathering = gatherings.gathering_create(
        community=community, created_by=creator, **fields
    )
    if publish:
        gathering = gatherings.gathering_publish(gathering=gathering)
    return gathering


def close_now(gathering: Gathering) -> None:
    """Move the application window into the past without advancing: the
    state a gathering is in when close has passed and nobody has looked."""
    now = timezone.now()
    Gathering.objects.filter(pk=gathering.pk).update(
        applications_open_at=now - timedelta(hours=2),
        applications_close_at=now - timedelta(minutes=1),
        next_due_at=None,
    )


def applicants(community, gathering, n: int) -> list[Application]:
    result = []
    for _ in range(n):
        member = member_create()
        _join(community, member)
        result.append(application_submit(member=member, gathering=gathering))
    return result


@pytest.fixture
def world(db):
    """A community with a moderator, a plain member and a host; another
    community with its own moderator; a staff member; one open gathering."""
    community = community_create()
    moderator = member_create()
    _join(community, moderator, MembershipRole.MODERATOR)
    plain = member_create()
    _join(community, plain)
    host = member_create()
    _join(community, host)
    other = community_create()
    other_moderator = member_create()
    _join(other, other_moderator, MembershipRole.MODERATOR)
    staff = member_create(is_staff=True)
    gathering = gathering_new(community, moderator)
    gathering.hosts.set([moderator, host])
    return {
        "community": community,
        "gathering": gathering,
        "other": other,
        "anonymous": None,
        "member": plain,
        "host": host,
        "moderator": moderator,
        "other_moderator": other_moderator,
        "staff": staff,
    }


def _url(name, world, community=None):
    community = community or world["community"]
    if name == "gathering_create":
        return reverse(name, args=[community.slug])
    return reverse(name, args=[community.slug, world["gathering"].pk])


# --------------------------------------------------------------------------
# Permissions
# --------------------------------------------------------------------------

GET_VIEWS = [
    "gathering_create",
    "gathering_edit",
    "gathering_cancel",
    "gathering_manage",
    "gathering_checkin",
]
POST_VIEWS = ["gathering_publish", "gathering_draw", "gathering_join_revoke"]
ORGANISE = {"host", "moderator", "staff"}


def _expected(name, role):
    if role == "anonymous":
        return "login"
    if name == "gathering_create":
        return 200 if role in {"moderator", "staff"} else 403
    if role in ORGANISE:
        return 302 if name in POST_VIEWS else 200
    return 403


ROLES = ["anonymous", "member", "host", "moderator", "other_moderator", "staff"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", GET_VIEWS + POST_VIEWS)
def test_permission_matrix(client, world, name, role):
    if world[role] is not None:
        client.force_login(world[role])
    url = _url(name, world)
    if name in POST_VIEWS:
        application = applicants(world["community"], world["gathering"], 1)[0]
        response = client.post(url, {"application": application.pk})
    else:
        response = client.get(url)
    expected = _expected(name, role)
    if expected == "login":
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))
    else:
        assert response.status_code == expected


@pytest.mark.parametrize("name", ["gathering_draw", "gathering_join_revoke"])
def test_state_changing_views_refuse_get(client, world, name):
    client.force_login(world["moderator"])
    assert client.get(_url(name, world)).status_code == 405


@pytest.mark.parametrize("name", GET_VIEWS[1:] + POST_VIEWS)
def test_a_gathering_under_another_communitys_slug_is_not_found(client, world, name):
    client.force_login(world["other_moderator"])
    url = _url(name, world, community=world["other"])
    response = client.post(url) if name in POST_VIEWS else client.get(url)
    assert response.status_code == 404


def test_a_host_who_is_not_a_moderator_cannot_create(client, world):
    client.force_login(world["host"])
    response = client.get(_url("gathering_create", world))
    assert response.status_code == 403


def test_post_without_csrf_token_is_refused(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world["moderator"])
    response = client.post(_url("gathering_publish", world))
    assert response.status_code == 403


# --------------------------------------------------------------------------
# Creating
# --------------------------------------------------------------------------


def _form_data(**overrides) -> dict:
    data = {
        "title": "HR 담당자 저녁 모임",
        "description": "채용 **이야기**",
        "format": "online",
        "video_link": VIDEO_LINK,
        "venue": "",
        "starts_at": "2030-05-01T19:00",
        "ends_at": "2030-05-01T21:00",
        "capacity": "20",
        "selection_mode": "lottery",
        "applications_open_at": "2030-04-20T09:00",
        "applications_close_at": "2030-04-28T18:00",
        "motivation_prompt": "왜 오고 싶으세요?",
        "questions": "연차는?\n\n관심 주제는?\n",
        "require_work_verified": "on",
        "hosts": "",
        "claim_window_hours": "24",
        "link_release_hours": "24",
        "offer_cutoff_hours": "2",
    }
    data.update(overrides)
    return data


def test_create_stores_a_draft_in_utc_and_opens_the_dashboard(client, world):
    client.force_login(world["moderator"])
    response = client.post(_url("gathering_create", world), _form_data())
    gathering = Gathering.objects.exclude(pk=world["gathering"].pk).get()
    assert response.status_code == 302
    assert response.url == reverse(
        "gathering_manage", args=[world["community"].slug, gathering.pk]
    )
    # 19:00 in Seoul (UTC+9) is 10:00 UTC.
    assert gathering.starts_at == datetime(2030, 5, 1, 10, 0, tzinfo=UTC)
    assert gathering.applications_close_at == datetime(2030, 4, 28, 9, 0, tzinfo=UTC)
    assert gathering.status == GatheringStatus.DRAFT
    assert gathering.published_at is None
    assert gathering.questions == ["연차는?", "관심 주제는?"]
    assert gathering.require_work_verified is True
    assert gathering.claim_window == timedelta(hours=24)
    assert gathering.offer_cutoff_before == timedelta(hours=2)
    assert gathering.draw_commitment
    assert list(gathering.hosts.all()) == [world["moderator"]]
    assert "<strong>이야기</strong>" in gathering.description_html


def test_create_takes_hosts_by_public_id(client, world):
    client.force_login(world["moderator"])
    hosts = f"{world['host'].public_id}, {world['member'].public_id}"
    client.post(_url("gathering_create", world), _form_data(hosts=hosts))
    gathering = Gathering.objects.exclude(pk=world["gathering"].pk).get()
    assert set(gathering.hosts.all()) == {world["host"], world["member"]}


@pytest.mark.parametrize(
    ("overrides", "field", "text"),
    [
        (
            {"ends_at": "2030-05-01T18:00"},
            "ends_at",
            "The end must come after the start.",
        ),
        (
            {"applications_close_at": "2030-05-01T20:00"},
            "applications_close_at",
            "Applications must close before the gathering starts.",
        ),
        (
            {
                "applications_open_at": "2020-01-01T09:00",
                "applications_close_at": "2020-01-02T09:00",
            },
            "applications_close_at",
            "Applications must close in the future.",
        ),
        ({"capacity": "0"}, "capacity", ""),
        ({"video_link": ""}, "video_link", "An online gathering needs a video link."),
        (
            {"video_link": "http://zoom.example/j/1"},
            "video_link",
            "The video link must start with https://.",
        ),
        ({"format": "offline", "venue": " "}, "venue", "needs a venue"),
        ({"questions": "a\nb\nc\nd\ne\nf"}, "questions", "At most 5"),
        ({"starts_at": "tomorrow"}, "starts_at", ""),
    ],
)
def test_create_refuses_a_bad_schedule_and_stores_nothing(
    client, world, settings, overrides, field, text
):
    settings.LANGUAGE_CODE = "en"
    client.force_login(world["moderator"])
    before = Gathering.objects.count()
    response = client.post(
        _url("gathering_create", world),
        _form_data(**overrides),
        headers={"accept-language": "en"},
    )
    assert response.status_code == 400
    assert Gathering.objects.count() == before
    errors = response.context["form"].errors
    assert field in errors
    assert text in " ".join(errors[field])


def test_create_refuses_hosts_from_outside_the_community(client, world):
    client.force_login(world["moderator"])
    outsider = world["other_moderator"]
    response = client.post(
        _url("gathering_create", world), _form_data(hosts=outsider.public_id)
    )
    assert response.status_code == 400
    assert outsider.public_id in " ".join(response.context["form"].errors["hosts"])
    assert Gathering.objects.count() == 1


def test_create_form_renders_with_seoul_defaults(client, world):
    client.force_login(world["moderator"])
    response = client.get(_url("gathering_create", world))
    html = response.content.decode()
    assert 'type="datetime-local"' in html
    assert 'name="claim_window_hours" value="24"' in html
    assert 'name="offer_cutoff_hours" value="2"' in html
    assert "style=" not in html


# --------------------------------------------------------------------------
# Editing and publishing
# --------------------------------------------------------------------------


def test_edit_shows_times_in_seoul_and_saves(client, world):
    client.force_login(world["moderator"])
    client.post(_url("gathering_create", world), _form_data())
    gathering = Gathering.objects.exclude(pk=world["gathering"].pk).get()
    url = reverse("gathering_edit", args=[world["community"].slug, gathering.pk])
    assert 'value="2030-05-01T19:00"' in client.get(url).content.decode()
    response = client.post(url, _form_data(capacity="30", title="바뀐 제목"))
    assert response.status_code == 302
    gathering.refresh_from_db()
    assert (gathering.capacity, gathering.title) == (30, "바뀐 제목")
    assert gathering.sequence == 1


def _edit_data(gathering, **overrides) -> dict:
    def local(value):
        return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")

    data = _form_data(
        title=gathering.title,
        starts_at=local(gathering.starts_at),
        ends_at=local(gathering.ends_at),
        applications_open_at=local(gathering.applications_open_at),
        applications_close_at=local(gathering.applications_close_at),
        capacity=str(gathering.capacity),
        require_work_verified="",
        motivation_prompt="",
        questions="",
    )
    data.update(overrides)
    return {k: v for k, v in data.items() if v != ""}


def test_edit_after_close_refuses_frozen_fields(client, world, settings):
    settings.LANGUAGE_CODE = "en"
    gathering = world["gathering"]
    applicants(world["community"], gathering, 2)
    close_now(gathering)
    gathering_advance(gathering_id=gathering.pk)
    gathering.refresh_from_db()
    assert gathering.status == GatheringStatus.DRAWN
    client.force_login(world["host"])
    url = reverse("gathering_edit", args=[world["community"].slug, gathering.pk])
    page = client.get(url, headers={"accept-language": "en"}).content.decode()
    assert "are fixed" in page
    response = client.post(
        url, _edit_data(gathering, capacity="50"), headers={"accept-language": "en"}
    )
    assert response.status_code == 400
    assert "This can no longer be changed: Seats" in " ".join(
        response.context["form"].errors["capacity"]
    )
    gathering.refresh_from_db()
    assert gathering.capacity == 3


def test_edit_after_close_keeps_frozen_fields_the_browser_did_not_send(client, world):
    gathering = world["gathering"]
    close_now(gathering)
    gathering_advance(gathering_id=gathering.pk)
    gathering.refresh_from_db()
    client.force_login(world["moderator"])
    url = reverse("gathering_edit", args=[world["community"].slug, gathering.pk])
    data = _edit_data(gathering, title="새 제목", video_link="https://meet.example/x")
    for frozen in [
        "capacity",
        "selection_mode",
        "applications_open_at",
        "applications_close_at",
    ]:
        data.pop(frozen)
    response = client.post(url, data)
    assert response.status_code == 302
    gathering.refresh_from_db()
    assert gathering.title == "새 제목"
    assert gathering.video_link == "https://meet.example/x"
    assert gathering.capacity == 3


def test_publish_with_a_later_opening_time_keeps_the_draft_closed(client, world):
    gathering = gathering_new(
        world["community"],
        world["moderator"],
        opens=timedelta(hours=3),
        closes=timedelta(hours=5),
        publish=False,
    )
    client.force_login(world["moderator"])
    response = client.post(
        reverse("gathering_publish", args=[world["community"].slug, gathering.pk])
    )
    assert response.status_code == 302
    gathering.refresh_from_db()
    assert gathering.published_at is not None
    assert gathering.status == GatheringStatus.DRAFT
    assert gathering.next_due_at == gathering.applications_open_at
    # At the opening time (here: moved into the past), the dashboard opens it.
    Gathering.objects.filter(pk=gathering.pk).update(
        applications_open_at=timezone.now() - timedelta(minutes=1),
        next_due_at=timezone.now() - timedelta(minutes=1),
    )
    client.get(
        reverse("gathering_manage", args=[world["community"].slug, gathering.pk])
    )
    gathering.refresh_from_db()
    assert gathering.status == GatheringStatus.OPEN


def test_publish_when_the_opening_time_has_passed_opens_at_once(client, world):
    gathering = gathering_new(world["community"], world["moderator"], publish=False)
    client.force_login(world["moderator"])
    client.post(
        reverse("gathering_publish", args=[world["community"].slug, gathering.pk])
    )
    gathering.refresh_from_db()
    assert gathering.status == GatheringStatus.OPEN


def test_publishing_twice_is_refused(client, world, settings):
    settings.LANGUAGE_CODE = "en"
    client.force_login(world["moderator"])
    response = client.post(
        _url("gathering_publish", world), follow=True, headers={"accept-language": "en"}
    )
    assert "Only a draft can be published." in response.content.decode()


# --------------------------------------------------------------------------
# Cancelling
# --------------------------------------------------------------------------


def test_cancel_needs_a_reason(client, world):
    applicants(world["community"], world["gathering"], 2)
    client.force_login(world["moderator"])
    response = client.post(_url("gathering_cancel", world), {"reason": "   "})
    assert response.status_code == 400
    world["gathering"].refresh_from_db()
    assert world["gathering"].status == GatheringStatus.OPEN


def test_cancel_tells_every_applicant_and_cancels_their_applications(client, world):
    gathering = world["gathering"]
    applications = applicants(world["community"], gathering, 3)
    client.force_login(world["host"])
    page = client.get(_url("gathering_cancel", world))
    assert page.status_code == 200
    mail.outbox.clear()
    response = client.post(_url("gathering_cancel", world), {"reason": "연사 사정"})
    assert response.status_code == 302
    gathering.refresh_from_db()
    assert gathering.status == GatheringStatus.CANCELLED
    assert gathering.cancel_reason == "연사 사정"
    statuses = set(
        Application.objects.filter(gathering=gathering).values_list("status", flat=True)
    )
    assert statuses == {ApplicationStatus.CANCELLED}
    told = set(
        Notification.objects.filter(params__reason="연사 사정").values_list(
            "recipient", flat=True
        )
    )
    assert told == {a.member_id for a in applications}
    assert len(mail.outbox) == 3
    assert all(VIDEO_LINK not in m.body for m in mail.outbox)
    # A second cancel is refused and changes nothing.
    again = client.post(_url("gathering_cancel", world), {"reason": "다시"})
    assert again.status_code == 400
    gathering.refresh_from_db()
    assert gathering.cancel_reason == "연사 사정"
    assert not again.context["cancellable"]


# --------------------------------------------------------------------------
# The draw button
# --------------------------------------------------------------------------


def test_draw_before_close_is_refused(client, world, settings):
    settings.LANGUAGE_CODE = "en"
    applicants(world["community"], world["gathering"], 4)
    client.force_login(world["moderator"])
    response = client.post(
        _url("gathering_draw", world), follow=True, headers={"accept-language": "en"}
    )
    assert "The draw can run only after applications close." in (
        response.content.decode()
    )
    assert not Draw.objects.exists()


def test_draw_runs_once_and_its_record_verifies(client, world, settings):
    settings.LANGUAGE_CODE = "en"
    gathering = world["gathering"]
    applicants(world["community"], gathering, 5)
    close_now(gathering)
    client.force_login(world["host"])
    response = client.post(
        _url("gathering_draw", world), follow=True, headers={"accept-language": "en"}
    )
    assert "The draw has run." in response.content.decode()
    draw = Draw.objects.get(gathering=gathering)
    assert draw.drawn_by == world["host"]
    assert algorithm.verify(draw.record) == []
    statuses = list(
        Application.objects.filter(gathering=gathering).values_list("status", flat=True)
    )
    assert statuses.count(ApplicationStatus.OFFERED) == 3
    assert statuses.count(ApplicationStatus.WAITLISTED) == 2

    again = client.post(
        _url("gathering_draw", world), follow=True, headers={"accept-language": "en"}
    )
    assert "The draw has already run; its result is final." in again.content.decode()
    assert Draw.objects.filter(gathering=gathering).count() == 1
    assert Draw.objects.get(gathering=gathering).record == draw.record


def test_the_dashboard_offers_the_draw_button_after_close_only(client, world):
    gathering = world["gathering"]
    client.force_login(world["moderator"])
    assert b"gathering_draw" not in client.get(_url("gathering_manage", world)).content
    draw_url = _url("gathering_draw", world).encode()
    assert draw_url not in client.get(_url("gathering_manage", world)).content
    # Close has passed but the gathering has not advanced (no access, no
    # worker): next_due_at is None, so the page shows the button.
    close_now(gathering)
    assert draw_url in client.get(_url("gathering_manage", world)).content


def test_the_database_refuses_a_second_draw(world):
    gathering = world["gathering"]
    applicants(world["community"], gathering, 2)
    close_now(gathering)
    gathering_advance(gathering_id=gathering.pk)
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Draw.objects.create(gathering=gathering, algorithm="x", record={})


def test_first_come_gatherings_have_no_draw(client, world, settings):
    settings.LANGUAGE_CODE = "en"
    gathering = gathering_new(
        world["community"], world["moderator"], mode=SelectionMode.FIRST_COME
    )
    close_now(gathering)
    client.force_login(world["moderator"])
    response = client.post(
        reverse("gathering_draw", args=[world["community"].slug, gathering.pk]),
        follow=True,
        headers={"accept-language": "en"},
    )
    assert "first come, first served" in response.content.decode()
    assert not Draw.objects.exists()


# --------------------------------------------------------------------------
# Join URLs and check-in
# --------------------------------------------------------------------------


def _first_come_with_attendees(world, n):
    gathering = gathering_new(
        world["community"],
        world["moderator"],
        mode=SelectionMode.FIRST_COME,
        capacity=max(n, 1),
    )
    gathering.hosts.add(world["host"])
    return gathering, applicants(world["community"], gathering, n)


def test_revoke_stops_that_members_join_url(client, world):
    gathering, (first, second) = _first_come_with_attendees(world, 2)
    assert first.status == ApplicationStatus.CONFIRMED
    released = gathering.link_release_at + timedelta(minutes=1)
    token = join_tokens.join_token(first.join_pass)
    assert (
        attendance.join_resolve(token=token, member=first.member, now=released)
        == VIDEO_LINK
    )
    client.force_login(world["moderator"])
    url = reverse("gathering_join_revoke", args=[world["community"].slug, gathering.pk])
    response = client.post(url, {"application": first.pk})
    assert response.status_code == 302
    with pytest.raises(EventsError) as refused:
        attendance.join_resolve(token=token, member=first.member, now=released)
    assert refused.value.code == "join_revoked"
    other_token = join_tokens.join_token(second.join_pass)
    assert (
        attendance.join_resolve(token=other_token, member=second.member, now=released)
        == VIDEO_LINK
    )


def test_revoke_refuses_an_application_of_another_gathering(client, world):
    _other, (attendee,) = _first_come_with_attendees(world, 1)
    client.force_login(world["moderator"])
    # Under the world's own gathering, the other gathering's application id.
    response = client.post(
        _url("gathering_join_revoke", world), {"application": attendee.pk}
    )
    assert response.status_code == 404
    assert JoinPass.objects.get(application=attendee).revoked_at is None
    assert (
        client.post(
            _url("gathering_join_revoke", world), {"application": "x"}
        ).status_code
        == 404
    )


def test_checkin_prefills_from_join_url_use_and_saves(client, world):
    gathering, (joined, absent, unknown) = _first_come_with_attendees(world, 3)
    JoinPass.objects.filter(application=joined).update(
        first_used_at=gathering.starts_at + timedelta(minutes=2), use_count=1
    )
    client.force_login(world["host"])
    url = reverse("gathering_checkin", args=[world["community"].slug, gathering.pk])
    html = client.get(url).content.decode()

    def checked(application, value):
        tag = html.split(f'name="attended-{application.pk}" value="{value}"')[1]
        return " checked" in tag[: tag.index(">")]

    assert checked(joined, "attended")
    assert not checked(absent, "attended") and not checked(absent, "no_show")
    response = client.post(
        url,
        {
            f"attended-{joined.pk}": "attended",
            f"attended-{absent.pk}": "no_show",
        },
    )
    assert response.status_code == 302
    attended = dict(
        Application.objects.filter(gathering=gathering).values_list("pk", "attended")
    )
    assert attended == {joined.pk: True, absent.pk: False, unknown.pk: None}
    html = client.get(url).content.decode()
    assert checked(absent, "no_show")
    assert not checked(unknown, "attended") and not checked(unknown, "no_show")


def test_checkin_says_when_a_join_url_was_used_as_the_site_says_times(client, world):
    """The evidence column reads the time in Korean style (community.timefmt),
    as the manage page does, not Django's numeric short format."""
    from django.utils import translation

    from community import timefmt

    gathering, (joined,) = _first_come_with_attendees(world, 1)
    used = gathering.starts_at + timedelta(minutes=2)
    JoinPass.objects.filter(application=joined).update(first_used_at=used, use_count=1)
    client.force_login(world["host"])
    url = reverse("gathering_checkin", args=[world["community"].slug, gathering.pk])
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    with translation.override("ko"):
        said = timefmt.moment(used)
    assert "오후" in said or "오전" in said
    assert f"{said} 사용" in html


def test_checkin_refuses_an_unknown_choice(client, world):
    gathering, (attendee,) = _first_come_with_attendees(world, 1)
    client.force_login(world["moderator"])
    url = reverse("gathering_checkin", args=[world["community"].slug, gathering.pk])
    response = client.post(url, {f"attended-{attendee.pk}": "maybe"})
    assert response.status_code == 400
    attendee.refresh_from_db()
    assert attendee.attended is None


# --------------------------------------------------------------------------
# The dashboard
# --------------------------------------------------------------------------


def test_dashboard_shows_applications_answers_and_the_video_link(client, world):
    gathering = gathering_new(
        world["community"],
        world["moderator"],
        motivation_prompt="왜요?",
        questions=["연차는?"],
    )
    member = member_create(nickname="마케터킴", display_mode="nickname")
    _join(world["community"], member)
    application = application_submit(
        member=member, gathering=gathering, motivation="배우고 싶어요", answers=["5년"]
    )
    client.force_login(world["moderator"])
    html = client.get(
        reverse("gathering_manage", args=[world["community"].slug, gathering.pk])
    ).content.decode()
    assert "마케터킴" in html
    assert application.public_id in html
    assert "배우고 싶어요" in html
    assert "연차는?" in html and "5년" in html
    assert VIDEO_LINK in html
    assert "style=" not in html


def _dashboard_with(world, n):
    gathering = gathering_new(world["community"], world["moderator"], capacity=3)
    members = [member_create() for _ in range(n)]
    Membership.objects.bulk_create(
        [Membership(community=world["community"], member=m) for m in members]
    )
    Application.objects.bulk_create(
        [Application(gathering=gathering, member=m) for m in members]
    )
    close_now(gathering)
    gathering_advance(gathering_id=gathering.pk)
    JoinPass.objects.bulk_create(
        [
            JoinPass(application=a)
            for a in Application.objects.filter(
                gathering=gathering, status=ApplicationStatus.OFFERED
            )
        ]
    )
    return gathering


@pytest.mark.parametrize("n", [5, 200])
def test_dashboard_queries_do_not_grow_with_applications(
    client, world, django_assert_max_num_queries, n
):
    gathering = _dashboard_with(world, n)
    client.force_login(world["moderator"])
    url = reverse("gathering_manage", args=[world["community"].slug, gathering.pk])
    # 12, and one for the two-factor notice (does the organiser have one).
    with django_assert_max_num_queries(13):
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == min(n, 100)


@pytest.mark.parametrize("n", [5, 60])
def test_checkin_queries_do_not_grow_with_attendees(
    client, world, django_assert_max_num_queries, n
):
    gathering, _ = _first_come_with_attendees(world, n)
    client.force_login(world["host"])
    url = reverse("gathering_checkin", args=[world["community"].slug, gathering.pk])
    with django_assert_max_num_queries(9):
        assert client.get(url).status_code == 200


def test_the_members_model_is_the_user_model():
    # Views pass request.user to services that take a Member.
    from community.models import Member

    assert get_user_model() is Member
