"""The signed-in home shows what is happening for the member (their next
gathering with its join button, offers waiting for an answer, open
gatherings, threads of their communities, questions of their role) and
their communities once; the marketing text is for signed-out visitors. Its
query count does not grow with communities, gatherings or threads."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from community import timefmt
from community.models import Membership, ThreadTag
from events.join_tokens import join_path
from events.models import Application, ApplicationStatus, GatheringStatus, JoinPass
from tests.community.forum_data import (
    community_make,
    join,
    sanction,
    thread_make,
    veteran,
)
from tests.events.factories import gathering_make, organiser_of

pytestmark = pytest.mark.django_db

HERO = "Meet the people who do the same work"


def _home(client, member):
    client.force_login(member)
    return client.get("/", headers={"accept-language": "en"}).text


def _seat(member, gathering, *, status=ApplicationStatus.CONFIRMED, **fields):
    application = Application.objects.create(
        gathering=gathering, member=member, status=status, **fields
    )
    if status == ApplicationStatus.CONFIRMED:
        JoinPass.objects.create(application=application)
    return application


def _gathering(community, *, starts_in, status=GatheringStatus.DRAWN, **fields):
    """A published gathering ``starts_in`` from now (applications from six
    days to one day before), set to ``status``."""
    gathering = gathering_make(
        community=community, organiser=organiser_of(community), **fields
    )
    starts_at = timezone.now().replace(microsecond=0) + starts_in
    type(gathering).objects.filter(pk=gathering.pk).update(
        status=status,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        applications_open_at=starts_at - timedelta(days=6),
        applications_close_at=starts_at - timedelta(days=1),
    )
    gathering.refresh_from_db()
    return gathering


def test_the_marketing_text_is_for_signed_out_visitors_only(client):
    assert HERO in client.get("/", headers={"accept-language": "en"}).text
    member = veteran(role="backend-development")
    assert HERO not in _home(client, member)


def test_my_communities_are_shown_once(client):
    member = veteran(role="backend-development")
    mine = community_make(name="내가 속한 곳")
    community_make(name="다른 곳")
    join(member, mine)
    html = _home(client, member)
    assert html.count("My communities") == 1
    assert html.count(reverse("community_detail", args=[mine.slug]) + '"') == 1
    assert "다른 곳" in html


def test_the_next_gathering_shows_its_join_button_once_the_link_is_released(
    client,
):
    member = veteran()
    community = community_make()
    join(member, community)
    later = _gathering(community, starts_in=timedelta(days=9), title="나중 모임")
    soon = _gathering(community, starts_in=timedelta(hours=3), title="곧 모임")
    _seat(member, later)
    seat = _seat(member, soon)
    html = _home(client, member)
    start = html.index('id="home-next-gathering"')
    card = html[start : html.index("</section>", start)]
    assert "곧 모임" in card and "나중 모임" not in card
    assert join_path(seat.join_pass) in card
    assert "Join the gathering" in card


def test_before_the_release_the_next_gathering_says_when_the_link_comes(client):
    member = veteran()
    community = community_make()
    join(member, community)
    gathering = _gathering(community, starts_in=timedelta(days=3), title="다음 모임")
    seat = _seat(member, gathering)
    html = _home(client, member)
    assert "다음 모임" in html
    assert "Join link available from" in html
    assert join_path(seat.join_pass) not in html


def test_a_seat_offer_waits_with_its_claim_deadline(client):
    member = veteran()
    community = community_make()
    join(member, community)
    gathering = _gathering(community, starts_in=timedelta(days=2), title="제안 모임")
    expires = timezone.now() + timedelta(hours=20)
    _seat(member, gathering, status=ApplicationStatus.OFFERED, offer_expires_at=expires)
    html = _home(client, member)
    start = html.index('id="home-offers-list"')
    box = html[start : html.index("</section>", start)]
    assert "제안 모임" in box
    assert "Answer by" in box
    with translation.override("en"):
        assert timefmt.moment(expires) in box


def test_open_gatherings_of_my_communities_only(client):
    member = veteran()
    mine, other = community_make(), community_make()
    join(member, mine)
    _gathering(
        mine,
        starts_in=timedelta(days=5),
        status=GatheringStatus.OPEN,
        title="내 커뮤니티 모집",
    )
    _gathering(
        other,
        starts_in=timedelta(days=5),
        status=GatheringStatus.OPEN,
        title="남의 커뮤니티 모집",
    )
    html = _home(client, member)
    assert "내 커뮤니티 모집" in html
    assert "남의 커뮤니티 모집" not in html


def test_latest_and_hottest_threads_of_my_communities(client):
    member = veteran()
    mine, other, banning = community_make(), community_make(), community_make()
    join(member, mine)
    join(member, banning)
    sanction(member, banning)
    author = veteran()
    thread_make(mine, author, title="새 글")
    thread_make(
        mine,
        author,
        title="뜨거운 글",
        hot_score=100.0,
        last_activity_at=timezone.now() - timedelta(days=3),
    )
    for n in range(5):
        thread_make(mine, author, title=f"최근 {n}")
    thread_make(other, author, title="남의 글")
    thread_make(banning, author, title="차단된 곳의 글")
    html = _home(client, member)
    latest = html[html.index('id="home-latest-threads"') :]
    assert "최근 4" in latest
    hot = html[html.index('id="home-hot-threads"') :]
    assert "뜨거운 글" in hot[: hot.index("</ul>")]
    assert "남의 글" not in html
    assert "차단된 곳의 글" not in html


def test_unanswered_questions_of_my_role_across_readable_communities(client):
    member = veteran(role="backend-development")
    same_role = community_make(role="backend-development")
    other_role = community_make(role="hr")
    author = veteran()
    thread_make(same_role, author, tag=ThreadTag.QUESTION, title="답 없는 질문")
    answered = thread_make(same_role, author, tag=ThreadTag.QUESTION, title="답한 질문")
    type(answered).objects.filter(pk=answered.pk).update(comment_count=1)
    thread_make(other_role, author, tag=ThreadTag.QUESTION, title="다른 직무 질문")
    html = _home(client, member)
    box = html[html.index('id="home-unanswered-threads"') :]
    box = box[: box.index("</ul>")]
    assert "답 없는 질문" in box
    assert "답한 질문" not in box
    assert "다른 직무 질문" not in box


# Session, member, the navigation's unread count; communities, memberships;
# next seat, offers, open gatherings; latest, hottest, unanswered threads.
HOME_QUERIES = 11


@pytest.mark.parametrize("size", [2, 12])
def test_the_signed_in_home_queries_do_not_grow(
    client, django_assert_max_num_queries, size
):
    member = veteran(role="backend-development")
    author = veteran()
    for n in range(size):
        community = community_make()
        join(member, community)
        thread_make(community, author, title=f"글 {n}")
        thread_make(community, author, tag=ThreadTag.QUESTION, title=f"질문 {n}")
        seat = _gathering(community, starts_in=timedelta(hours=3 + n))
        _seat(member, seat)
        offered = _gathering(community, starts_in=timedelta(days=2, hours=n))
        _seat(
            member,
            offered,
            status=ApplicationStatus.OFFERED,
            offer_expires_at=timezone.now() + timedelta(hours=5),
        )
        _gathering(community, starts_in=timedelta(days=5), status=GatheringStatus.OPEN)
    client.force_login(member)
    with django_assert_max_num_queries(HOME_QUERIES):
        response = client.get("/")
    assert response.status_code == 200
    assert Membership.objects.filter(member=member).count() == size
    assert 'id="home-next-gathering"' in response.text
    assert 'id="home-open-gatherings"' in response.text
