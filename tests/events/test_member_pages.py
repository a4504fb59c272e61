"""The member's own pages about gatherings: "my gatherings" split into
upcoming and past, with an "answer the survey" button where one waits for
them and the gatherings they organise (hosted or moderated); the path lists
each gathering once, its takeaway inside."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from community.models import Membership, MembershipRole
from events.models import (
    Application,
    Gathering,
    GatheringStatus,
    PathVisibility,
    Survey,
)
from events.services.path import takeaway_save
from events.services.surveys import response_submit
from tests.events.factories import (
    gathering_held,
    gathering_make,
    member_joined,
    survey_answers,
)

pytestmark = pytest.mark.django_db

LEARNED = "리텐션 코호트를 주 단위로 보는 법"


def _my_gatherings(client, member) -> str:
    client.force_login(member)
    return client.get(reverse("my_gatherings"), headers={"accept-language": "en"}).text


def _section(html: str, section_id: str) -> str:
    start = html.index(f'id="{section_id}"')
    return html[start : html.index("</section>", start)]


def _survey_url(gathering) -> str:
    return reverse("survey_answer", args=[gathering.community.slug, gathering.pk])


def test_my_gatherings_splits_upcoming_and_past(client):
    past, members = gathering_held(attendees=1, title="지난 모임")
    member = members[0]
    coming = gathering_make(community=past.community, title="다가오는 모임")
    Application.objects.create(gathering=coming, member=member)
    html = _my_gatherings(client, member)
    upcoming, gone = _section(html, "my-upcoming"), _section(html, "my-past")
    assert "다가오는 모임" in upcoming and "지난 모임" not in upcoming
    assert "지난 모임" in gone and "다가오는 모임" not in gone


def _survey_open_now(gathering) -> None:
    """The held gathering's survey open around the wall clock (the factories
    hold it in the future), as the page reads it."""
    now = timezone.now()
    Survey.objects.filter(gathering=gathering).update(
        opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=1)
    )


def test_an_open_survey_waits_with_its_button_until_answered(client):
    gathering, members = gathering_held(attendees=2)
    member = members[0]
    _survey_open_now(gathering)
    assert _survey_url(gathering) in _my_gatherings(client, member)
    assert "Answer the survey" in _my_gatherings(client, member)
    response_submit(
        member=member, gathering=gathering, answers=survey_answers(), now=None
    )
    html = _my_gatherings(client, member)
    assert "Answer the survey" not in html
    assert _survey_url(gathering) not in html


def test_no_survey_button_once_the_survey_closed(client):
    gathering, members = gathering_held(attendees=1)
    _survey_open_now(gathering)
    Gathering.objects.filter(pk=gathering.pk).update(
        status=GatheringStatus.SURVEY_CLOSED
    )
    assert "Answer the survey" not in _my_gatherings(client, members[0])


def test_my_gatherings_includes_those_of_communities_i_moderate(client):
    gathering = gathering_make(title="운영하는 커뮤니티의 모임")
    moderator = member_joined(gathering.community)
    Membership.objects.filter(member=moderator).update(role=MembershipRole.MODERATOR)
    html = _my_gatherings(client, moderator)
    organised = _section(html, "my-upcoming")
    assert "운영하는 커뮤니티의 모임" in organised
    assert "Gatherings I organise" in organised


def test_a_plain_member_is_not_shown_the_gatherings_of_their_community(client):
    gathering = gathering_make(title="남이 여는 모임")
    member = member_joined(gathering.community)
    assert "남이 여는 모임" not in _my_gatherings(client, member)


# --- The path ---------------------------------------------------------------------


def _path(client, member, viewer=None) -> str:
    if viewer is None:
        client.logout()
    else:
        client.force_login(viewer)
    return client.get(
        reverse("member_path", args=[member.public_id]),
        headers={"accept-language": "en"},
    ).text


def test_the_path_lists_a_gathering_with_its_takeaway_once(client):
    gathering, members = gathering_held(attendees=1, title="한 번만 나오는 모임")
    owner = members[0]
    takeaway_save(
        member=owner,
        gathering=gathering,
        learned=LEARNED,
        visibility=PathVisibility.COMMUNITY,
    )
    neighbour = member_joined(gathering.community)
    for viewer in (owner, neighbour):
        html = _path(client, owner, viewer)
        assert html.count('class="path-item') == 1
        assert html.count("한 번만 나오는 모임") == 1
        assert LEARNED in html


def test_a_merged_takeaway_keeps_its_own_visibility(client):
    gathering, members = gathering_held(attendees=1)
    owner = members[0]
    takeaway = takeaway_save(member=owner, gathering=gathering, learned=LEARNED)
    neighbour = member_joined(gathering.community)
    html = _path(client, owner, neighbour)
    # The gathering attended is for community members; the takeaway private.
    assert html.count('class="path-item') == 1 and LEARNED not in html
    own = _path(client, owner, owner)
    assert f'id="visibility-takeaway-{takeaway.pk}"' in own
    assert f'id="visibility-attended-{gathering.pk}"' in own


def test_the_owner_edits_each_part_of_a_merged_item(client):
    gathering, members = gathering_held(attendees=1)
    owner = members[0]
    takeaway = takeaway_save(member=owner, gathering=gathering, learned=LEARNED)
    client.force_login(owner)
    client.post(
        reverse("path_visibility"),
        {"kind": "takeaway", "object_id": takeaway.pk, "visibility": "public"},
    )
    # A visitor sees the takeaway now, though not the gathering attended
    # (community members only): the takeaway is the item.
    html = _path(client, owner)
    assert LEARNED in html
    assert f'id="item-takeaway-{takeaway.pk}"' in html
