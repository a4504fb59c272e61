"""What a community ban or mute takes away in its gatherings (SECURITY.md,
"Sanctions"): a banned host organises nothing, a banned attendee's seat
passes on through the seat service and their join URL dies."""

from datetime import timedelta

import pytest
from django.urls import reverse

from community.access import access_for
from community.models import SanctionKind
from community.services.moderation import sanction_impose
from events.access import is_organiser
from events.calendar import personal_calendar
from events.errors import EventsError
from events.models import ApplicationStatus, JoinPass
from events.selectors import member_hosted_gatherings
from events.services.attendance import join_path, join_resolve, join_token
from events.services.offers import offer_confirm
from tests.community.forum_data import sanction
from tests.events.factories import (
    MARKER_LINK,
    application_of,
    gathering_drawn,
    gathering_held,
    member_joined,
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


def test_a_muted_host_still_organises():
    """A mute takes away writing (posts and rooms), not hosting."""
    community = community_create()
    host = member_joined(community)
    gathering, _members = gathering_drawn(community=community, organiser=host)

    _sanction(community, host, SanctionKind.MUTE)

    assert is_organiser(host, gathering)


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


def test_a_banned_member_cannot_confirm_a_seat_the_draw_offers():
    """A ban leaves an application the draw has yet to read (its input is
    frozen at the close); a seat it then wins cannot be confirmed."""
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
