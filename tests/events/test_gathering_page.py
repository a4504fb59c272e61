"""The gathering page is built around its state and its reader: one panel
leads, right under the title (``events.selectors.gatherings.page_action``);
past, live and cancelled gatherings offer no application; an offline
gathering has no join link; the chat archive says when nobody wrote."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from events.models import (
    ApplicationStatus,
    Gathering,
    GatheringFormat,
    GatheringStatus,
    SelectionMode,
)
from events.selectors import PageAction
from events.services.gatherings import gathering_cancel
from events.services.offers import offer_confirm
from realtime.models import Message, Room
from tests.community.forum_data import community_make
from tests.events.factories import gathering_held
from tests.events.test_attend_views import (
    apply,
    close_and_draw,
    detail_url,
    gathering_make,
    joined,
)
from tests.events.test_survey_views import shift_to_now
from tests.factories import member_create

pytestmark = pytest.mark.django_db

APPLY_FORM = 'action="{}"'
JOIN_COMMUNITY = "community_join"


@pytest.fixture
def owner():
    return member_create()


@pytest.fixture
def community(owner):
    return community_make(owner=owner)


def page_of(client, gathering, member=None):
    """The page in English, as ``member`` (signed out when None)."""
    client.logout()
    if member is not None:
        client.force_login(member)
    response = client.get(detail_url(gathering), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response


def action_of(response) -> str:
    return response.context["page"].action


def live_now(gathering) -> Gathering:
    """Move the gathering's schedule around now and let it be live."""
    now = timezone.now()
    Gathering.objects.filter(pk=gathering.pk).update(
        applications_open_at=now - timedelta(days=3),
        applications_close_at=now - timedelta(days=1),
        starts_at=now - timedelta(minutes=10),
        ends_at=now + timedelta(hours=1),
        link_release_before=timedelta(days=1),
        status=GatheringStatus.LIVE,
        next_due_at=now + timedelta(hours=1),
    )
    return Gathering.objects.get(pk=gathering.pk)


def ended(gathering) -> Gathering:
    now = timezone.now()
    Gathering.objects.filter(pk=gathering.pk).update(
        applications_open_at=now - timedelta(days=5),
        applications_close_at=now - timedelta(days=4),
        starts_at=now - timedelta(days=3),
        ends_at=now - timedelta(days=3) + timedelta(hours=2),
        status=GatheringStatus.SURVEY_CLOSED,
        next_due_at=None,
    )
    return Gathering.objects.get(pk=gathering.pk)


def readers(community, gathering):
    """One reader of every kind, with an application where they have one."""
    applicant = joined(community)
    apply(applicant, gathering)
    return {
        "signed out": None,
        "non-member": member_create(),
        "member": joined(community),
        "applicant": applicant,
    }


def assert_no_application_offered(response, gathering):
    html = response.text
    apply_url = reverse(
        "gathering_apply", args=[gathering.community.slug, gathering.pk]
    )
    assert APPLY_FORM.format(apply_url) not in html
    assert "Sign in to apply" not in html
    assert 'id="eligibility-title"' not in html
    assert "Who can apply" not in html
    assert reverse("community_join", args=[gathering.community.slug]) not in html


# --- Past, live and cancelled: nothing to apply to -----------------------------


@pytest.mark.parametrize("when", ["live", "ended"])
def test_past_and_live_gatherings_offer_no_application_to_any_reader(
    client, community, owner, when
):
    gathering = gathering_make(community, by=owner)
    kinds = readers(community, gathering)
    gathering = live_now(gathering) if when == "live" else ended(gathering)
    for kind, member in kinds.items():
        response = page_of(client, gathering, member)
        assert_no_application_offered(response, gathering), kind
        assert action_of(response) == (
            PageAction.LIVE if when == "live" else PageAction.ENDED
        ), kind


def test_a_cancelled_gathering_does_not_invite_anyone_to_join_or_apply(
    client, community, owner
):
    gathering = gathering_make(community, by=owner)
    kinds = readers(community, gathering)
    gathering_cancel(gathering=gathering, reason="장소 사정")
    for kind, member in kinds.items():
        response = page_of(client, gathering, member)
        assert_no_application_offered(response, gathering), kind
        assert action_of(response) == PageAction.CANCELLED, kind
        assert "This gathering was cancelled." in response.text
        assert "Add to calendar" not in response.text


def test_while_open_each_reader_gets_their_own_way_in(client, community, owner):
    gathering = gathering_make(community, by=owner)
    kinds = readers(community, gathering)
    expected = {
        "signed out": PageAction.SIGN_IN,
        "non-member": PageAction.JOIN_COMMUNITY,
        "member": PageAction.APPLY,
        "applicant": PageAction.APPLIED,
    }
    for kind, member in kinds.items():
        response = page_of(client, gathering, member)
        assert action_of(response) == expected[kind], kind
        if kind != "applicant":
            assert "Who can apply" in response.text, kind


# --- An applicant's own state ---------------------------------------------------


def test_after_the_draw_winners_waitlist_and_attendees_each_see_theirs(
    client, community, owner
):
    gathering = gathering_make(community, by=owner, capacity=1)
    first, second = joined(community), joined(community)
    apply(first, gathering)
    apply(second, gathering)
    close_and_draw(gathering)
    actions = {
        member: action_of(page_of(client, gathering, member))
        for member in [first, second]
    }
    assert sorted(actions.values()) == [PageAction.OFFERED, PageAction.WAITLISTED]
    winner = next(m for m, a in actions.items() if a == PageAction.OFFERED)
    offer_confirm(member=winner, gathering=gathering)
    response = page_of(client, gathering, winner)
    assert action_of(response) == PageAction.CONFIRMED
    assert "Your personal join link is available from" in response.text
    response = page_of(client, gathering, member_create())
    assert action_of(response) == PageAction.CLOSED
    assert "Who can apply" not in response.text


def test_a_live_gathering_tells_its_attendee_to_join_now(client, community, owner):
    gathering = gathering_make(community, by=owner, capacity=1)
    member = joined(community)
    apply(member, gathering)
    close_and_draw(gathering)
    offer_confirm(member=member, gathering=gathering)
    gathering = live_now(gathering)
    response = page_of(client, gathering, member)
    assert action_of(response) == PageAction.JOIN_NOW
    assert "Join now" in response.text


def test_an_offline_seat_says_where_to_come_and_never_a_join_link(
    client, community, owner
):
    gathering = gathering_make(
        community,
        by=owner,
        format=GatheringFormat.OFFLINE,
        venue="성수동 카페 모임",
        video_link="",
        selection_mode=SelectionMode.FIRST_COME,
    )
    member = joined(community)
    client.force_login(member)
    response = client.post(
        reverse("gathering_apply", args=[community.slug, gathering.pk]),
        {"motivation": "커피 좋아해요", "answer_0": "마케터"},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    html = response.text
    assert response.context["page"].application.status == ApplicationStatus.CONFIRMED
    assert "Your seat is confirmed. See you there!" in html
    assert "Your application is in." not in html
    assert "See you at 성수동 카페 모임." in html
    assert "join link" not in html


def test_first_come_confirmation_is_said_in_korean_too(client, community, owner):
    gathering = gathering_make(
        community, by=owner, selection_mode=SelectionMode.FIRST_COME
    )
    client.force_login(joined(community))
    response = client.post(
        reverse("gathering_apply", args=[community.slug, gathering.pk]),
        {"motivation": "배우고 싶어요", "answer_0": "마케터"},
        HTTP_ACCEPT_LANGUAGE="ko",
        follow=True,
    )
    assert "신청이 접수됐어요" not in response.text
    assert response.context["page"].action == PageAction.CONFIRMED


# --- The survey leads once it is open ------------------------------------------


def test_an_attendee_is_led_to_the_open_survey(client):
    gathering, members = gathering_held(attendees=2)
    shift_to_now(gathering)
    response = page_of(client, gathering, members[0])
    assert action_of(response) == PageAction.SURVEY
    html = response.text
    assert html.index('id="survey-answer-link"') < html.index('class="facts"')


# --- The main action comes first ---------------------------------------------


def test_the_main_action_comes_before_the_facts_and_the_description(
    client, community, owner
):
    gathering = gathering_make(community, by=owner, description="설명 " * 400)
    html = page_of(client, gathering, joined(community)).text
    apply_url = reverse("gathering_apply", args=[community.slug, gathering.pk])
    form_at = html.index(APPLY_FORM.format(apply_url))
    assert form_at < html.index('class="facts"')
    assert form_at < html.index("gathering-description")
    assert form_at < html.index('class="card gathering-draw"')


# --- The chat archive -----------------------------------------------------------


def test_an_archive_nobody_wrote_in_says_so_instead_of_an_empty_room(client):
    gathering, members = gathering_held(attendees=2)
    response = page_of(client, gathering, members[0])
    assert response.context["page"].chat == "archive_empty"
    assert "Nobody wrote in the chat." in response.text
    assert "data-chat " not in response.text and "data-chat\n" not in response.text


def test_an_archive_with_messages_is_shown_read_only_without_presence(client):
    gathering, members = gathering_held(attendees=2)
    room = Room.objects.create(gathering=gathering, last_seq=1)
    Message.objects.create(
        room=room, seq=1, client_id="a", author=members[1], body="안녕"
    )
    response = page_of(client, gathering, members[0])
    assert response.context["page"].chat == "archive"
    assert 'data-state="archive"' in response.text


# --- Query counts -----------------------------------------------------------------

# Session, member, community, membership, sanctions, gathering, counts, the
# draw's existence, the organiser check (hosts), own application and pass;
# the community log's head and the amendments (moim-draw-v2's public trail);
# the series it belongs to (none).
LIVE_ATTENDEE_QUERIES = 13


@pytest.mark.parametrize("size", [3, 60])
def test_a_live_gathering_page_takes_as_many_queries_at_any_size(
    client, community, owner, django_assert_max_num_queries, size
):
    gathering = gathering_make(community, by=owner, capacity=size)
    members = [joined(community) for _ in range(size)]
    for member in members:
        apply(member, gathering)
    close_and_draw(gathering)
    for member in members:
        offer_confirm(member=member, gathering=gathering)
    gathering = live_now(gathering)
    client.force_login(members[0])
    client.get(detail_url(gathering))  # warm the session and caches
    with django_assert_max_num_queries(LIVE_ATTENDEE_QUERIES):
        response = client.get(detail_url(gathering))
    assert response.context["page"].action == PageAction.JOIN_NOW
