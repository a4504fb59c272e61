"""What a community ban or mute takes away in its gatherings (SECURITY.md,
"Sanctions"): a banned host organises nothing, a banned attendee's seat
passes on through the seat service and their join URL dies."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from community.access import access_for
from community.models import SanctionKind
from community.services.moderation import sanction_impose
from events.access import is_organiser
from events.calendar import personal_calendar
from events.errors import EventsError
from events.join_tokens import join_path, join_token
from events.models import (
    ApplicationStatus,
    Gathering,
    GatheringStatus,
    JoinPass,
    LogEntry,
    Survey,
)
from events.selectors import member_hosted_gatherings
from events.services.attendance import join_resolve
from events.services.draw import applications_freeze
from events.services.gatherings import (
    gathering_cancel,
    gathering_publish,
    gathering_update,
)
from events.services.offers import offer_confirm, offer_decline
from events.services.seats import locked_gathering
from events.services.survey_setup import (
    survey_question_add,
    survey_question_remove,
    survey_settings_update,
)
from tests.community.forum_data import sanction
from tests.events.factories import (
    MARKER_LINK,
    SECOND,
    advance,
    application_of,
    apply_all,
    gathering_drawn,
    gathering_held,
    gathering_make,
    gathering_open,
    mails_to,
    member_joined,
    members_joined,
    notices_to,
    organiser_of,
    with_status,
)
from tests.factories import community_create

pytestmark = pytest.mark.django_db


def _sanction(community, member, kind=SanctionKind.BAN):
    moderator = organiser_of(community)
    sanction_impose(
        access=access_for(moderator, community),
        member=member,
        kind=kind,
        reason="규칙 위반",
        ends_at=None,
    )
    return moderator


def _organiser_urls(community, gathering, held):
    slug = community.slug
    return [
        reverse(name, args=[slug, gathering.pk])
        for name in (
            "gathering_manage",
            "gathering_edit",
            "gathering_checkin",
            "gathering_cancel",
            "survey_edit",
        )
    ] + [
        reverse(name, args=[slug, held.pk])
        for name in (
            "gathering_manage",
            "survey_results",
            "survey_edit",
        )
    ]


def test_a_banned_host_loses_every_organiser_page_at_once(client):
    community = community_create()
    host = member_joined(community)
    gathering, _members = gathering_drawn(community=community, organiser=host)
    held, _attendees = gathering_held(attendees=3, community=community, organiser=host)
    client.force_login(host)
    urls = _organiser_urls(community, gathering, held)
    assert [client.get(url).status_code for url in urls] == [200] * len(urls)

    _sanction(community, host)

    assert [client.get(url).status_code for url in urls] == [403] * len(urls)
    for page in (gathering, held):
        assert not is_organiser(host, page)
        assert MARKER_LINK not in client.get(urls[0]).content.decode()
    assert member_hosted_gatherings(member=host) == []


def test_a_ban_ends_hosting_and_tells_the_other_organisers():
    community = community_create()
    host, cohost = member_joined(community), member_joined(community)
    gathering, _members = gathering_drawn(community=community, organiser=host)
    gathering.hosts.add(cohost)
    held, _attendees = gathering_held(attendees=3, community=community, organiser=host)

    _sanction(community, host)

    assert list(gathering.hosts.all()) == [cohost]
    # A past gathering keeps its hosts as a record, and refuses the banned one.
    assert list(held.hosts.all()) == [host]
    assert not is_organiser(host, held)
    told = notices_to(cohost, "no longer hosts")
    assert len(told) == 1 and gathering.title in told[0]
    assert notices_to(host, "no longer hosts") == []


def _muted_host():
    """A host of a drawn gathering, muted in its community."""
    community = community_create()
    host = member_joined(community)
    gathering, _members = gathering_drawn(community=community, organiser=host)
    _sanction(community, host, SanctionKind.MUTE)
    return community, host, gathering


def test_a_muted_host_writes_nothing_the_gathering_tells_its_members():
    """A mute makes a member read-only everywhere in the community: a muted
    host still organises (reads the dashboard, check-in, results), but
    neither edits the gathering's text nor cancels it with a reason mailed
    to every applicant, nor changes its survey."""
    community, host, gathering = _muted_host()
    access = access_for(host, community)
    mail.outbox.clear()
    writes = [
        lambda: gathering_update(
            gathering=gathering, access=access, title="확성기", description="**!**"
        ),
        lambda: gathering_cancel(gathering=gathering, reason="모두에게", access=access),
        lambda: survey_question_add(
            gathering=gathering, kind="text", label="무엇을?", access=access
        ),
        lambda: survey_question_remove(gathering=gathering, key="q1", access=access),
        lambda: survey_settings_update(
            gathering=gathering, min_responses=5, duration_days=7, access=access
        ),
    ]

    for write in writes:
        with pytest.raises(EventsError) as refused:
            write()
        assert refused.value.code == "muted"

    assert is_organiser(host, gathering)
    gathering.refresh_from_db()
    assert gathering.title != "확성기"
    assert gathering.status == GatheringStatus.DRAWN
    assert mail.outbox == []
    assert not Survey.objects.filter(gathering=gathering).exclude(questions=[]).exists()


def test_a_muted_host_is_refused_the_writing_pages_and_offered_no_edit(client):
    community, host, gathering = _muted_host()
    args = [community.slug, gathering.pk]
    client.force_login(host)
    title = gathering.title

    posts = [
        client.post(
            reverse("gathering_edit", args=args), {"title": "확성기", "hosts": ""}
        ),
        client.post(reverse("gathering_cancel", args=args), {"reason": "모두에게"}),
        client.post(
            reverse("survey_edit", args=args),
            {"action": "add", "kind": "text", "label": "무엇을?"},
        ),
    ]

    assert [response.status_code for response in posts] == [403] * 3
    gathering.refresh_from_db()
    assert gathering.title == title and not gathering.is_cancelled
    manage = client.get(reverse("gathering_manage", args=args))
    assert manage.status_code == 200
    shown = manage.text
    assert reverse("gathering_edit", args=args) not in shown
    assert reverse("gathering_cancel", args=args) not in shown
    assert client.get(reverse("gathering_checkin", args=args)).status_code == 200
    for name in ("gathering_edit", "gathering_cancel", "survey_edit"):
        page = client.get(reverse(name, args=args))
        assert page.status_code == 200
        assert 'type="submit"' not in page.text.split("<main", 1)[-1], name


def test_a_muted_host_does_not_publish_a_draft_they_host(client):
    """Publishing shows the draft's text to the whole community: a write."""
    community = community_create()
    host = member_joined(community)
    draft = gathering_make(community=community, organiser=host, publish=False)
    _sanction(community, host, SanctionKind.MUTE)
    args = [community.slug, draft.pk]
    client.force_login(host)

    with pytest.raises(EventsError) as refused:
        gathering_publish(gathering=draft, access=access_for(host, community))
    response = client.post(reverse("gathering_publish", args=args))
    manage = client.get(reverse("gathering_manage", args=args))

    assert refused.value.code == "muted"
    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.published_at is None
    assert reverse("gathering_publish", args=args) not in manage.text


def _attendee_banned():
    """A drawn gathering (two seats, two waitlisted): both winners confirm,
    then the first is banned."""
    community = community_create()
    gathering, _members = gathering_drawn(capacity=2, applicants=4, community=community)
    confirm_at = gathering.applications_close_at + timedelta(minutes=1)
    attendees = [a.member for a in with_status(gathering, ApplicationStatus.OFFERED)]
    for attendee in attendees:
        offer_confirm(member=attendee, gathering=gathering, now=confirm_at)
    banned = attendees[0]
    token = join_token(JoinPass.objects.get(application__member=banned))
    first_waiting = with_status(gathering, ApplicationStatus.WAITLISTED)[0].member
    _sanction(community, banned)
    return gathering, banned, token, first_waiting


def test_a_ban_passes_the_banned_attendees_seat_to_the_waitlist():
    gathering, banned, _token, first_waiting = _attendee_banned()

    assert application_of(gathering, banned).status == ApplicationStatus.WITHDRAWN
    assert application_of(gathering, first_waiting).status == (
        ApplicationStatus.OFFERED
    )
    assert notices_to(first_waiting, "is yours if you confirm")


def test_a_banned_attendees_join_url_answers_as_revoked():
    gathering, banned, token, _first_waiting = _attendee_banned()
    released = gathering.link_release_at + timedelta(minutes=1)

    with pytest.raises(EventsError) as refused:
        join_resolve(token=token, member=banned, now=released)

    assert refused.value.code == "join_revoked"


def test_a_banned_attendees_feed_drops_the_join_url():
    gathering, banned, _token, _first_waiting = _attendee_banned()
    released = gathering.link_release_at + timedelta(minutes=1)
    join_pass = JoinPass.objects.get(application__member=banned)

    feed = personal_calendar(banned, now=released).decode()

    assert join_path(join_pass) not in feed.replace("\r\n ", "")


def _closed_not_drawn(capacity, applicants):
    """A lottery gathering frozen at its close whose draw has not run yet:
    the state ``gatherings_ban`` leaves an application alone in."""
    community = community_create()
    gathering = gathering_open(capacity=capacity, community=community)
    members = members_joined(community, applicants)
    apply_all(gathering, members)
    close = gathering.applications_close_at
    with transaction.atomic():
        applications_freeze(locked_gathering(gathering.pk), close)
        Gathering.objects.filter(pk=gathering.pk).update(status=GatheringStatus.CLOSED)
    return community, gathering, members


def test_a_member_banned_before_the_draw_is_neither_offered_nor_waitlisted():
    """A ban between the close and the draw leaves the frozen input alone;
    the draw then ends the banned members' applications as withdrawals,
    before anyone is told the outcome, and their seats pass on."""
    community, gathering, members = _closed_not_drawn(capacity=2, applicants=6)
    banned = members[:4]
    for member in banned:
        _sanction(community, member)
    assert all(
        application_of(gathering, m).status == ApplicationStatus.APPLIED for m in banned
    )

    gathering = advance(gathering, gathering.applications_close_at + SECOND)

    assert gathering.status == GatheringStatus.DRAWN
    for member in banned:
        assert application_of(gathering, member).status == ApplicationStatus.WITHDRAWN
        assert notices_to(member, "won a seat") == []
        assert mails_to(member, "won a seat") == []
        assert notices_to(member, "waitlist") == []
        assert notices_to(member, "is yours") == []
    # The two others hold the two seats between them.
    others = [application_of(gathering, m) for m in members[4:]]
    assert {a.status for a in others} == {ApplicationStatus.OFFERED}
    # The published record still verifies: only its input was frozen.
    out = StringIO()
    call_command("verify_draw", str(gathering.pk), stdout=out)
    assert out.getvalue().strip() == "match"


def test_a_banned_member_is_never_offered_a_seat_from_the_waitlist():
    community = community_create()
    gathering, _members = gathering_drawn(capacity=1, applicants=3, community=community)
    winner = with_status(gathering, ApplicationStatus.OFFERED)[0].member
    first, second = [
        a.member for a in with_status(gathering, ApplicationStatus.WAITLISTED)
    ]
    # A ban recorded without the service (as an import or the admin would):
    # the seat rule alone must keep the seat from the banned member.
    sanction(first, community)

    offer_decline(
        member=winner,
        gathering=gathering,
        now=gathering.applications_close_at + timedelta(minutes=1),
    )

    assert application_of(gathering, second).status == ApplicationStatus.OFFERED
    # The banned member left the waitlist on the record before the seat
    # passed on, so the promotion replays as the next in rank order.
    assert application_of(gathering, first).status == ApplicationStatus.WITHDRAWN
    out = StringIO()
    call_command("verify_draw", str(gathering.pk), stdout=out)
    assert out.getvalue().strip() == "match"


def test_the_public_log_says_a_release_ended_never_why():
    """The log puts a public id next to its reason, and organisers can put
    a name to a public id: a ban, a withdrawal or a departure all read
    "ended" there."""
    community, gathering, members = _closed_not_drawn(capacity=2, applicants=6)
    _sanction(community, members[0])
    gathering = advance(gathering, gathering.applications_close_at + SECOND)
    offered = with_status(gathering, ApplicationStatus.OFFERED)[0]
    offer_decline(
        member=offered.member,
        gathering=gathering,
        now=gathering.applications_close_at + timedelta(minutes=1),
    )
    waiting = with_status(gathering, ApplicationStatus.WAITLISTED)[-1]
    sanction(waiting.member, community)
    offer_decline(
        member=with_status(gathering, ApplicationStatus.OFFERED)[0].member,
        gathering=gathering,
        now=gathering.applications_close_at + timedelta(minutes=2),
    )

    releases = [
        entry.payload
        for entry in LogEntry.objects.filter(community_id=community.pk)
        if entry.payload.get("movement") == "release"
    ]
    assert len(releases) == 2
    assert {payload["reason"] for payload in releases} == {"ended"}


def test_a_banned_member_cannot_confirm_an_offered_seat():
    community = community_create()
    gathering, members = gathering_drawn(capacity=2, applicants=2, community=community)
    sanction(members[0], community)

    with pytest.raises(EventsError) as refused:
        offer_confirm(
            member=members[0],
            gathering=gathering,
            now=gathering.applications_close_at + timedelta(minutes=1),
        )

    assert refused.value.code == "banned"
