"""The community page's shared content read in one statement
(community.selectors.community_page) is what the selectors it stands for
read, value for value and in their order: the boards, the moderators and
owners, the upcoming gatherings (events.selectors.gatherings_upcoming), the
satisfaction trend (events.selectors.community_satisfaction_trend) and the
latest threads (community.selectors.threads.thread_recent), on both
backends, with rows of every kind that must be left out."""

from datetime import timedelta

import pytest
from django.db.models import DateTimeField, F
from django.utils import timezone

from community.models import Board, Membership, MembershipRole, Thread
from community.selectors.communities import community_moderators
from community.selectors.community_page import community_page_content
from community.selectors.threads import thread_recent
from events.models import Gathering, GatheringStatus, Survey
from events.selectors import community_satisfaction_trend, gatherings_upcoming
from tests.community.forum_data import community_make, join
from tests.community.test_forum_queries import _threads
from tests.events.factories import gathering_make
from tests.factories import member_create

pytestmark = pytest.mark.django_db


def _gathering(community, *, status, days, published=True, **fields):
    gathering = gathering_make(community=community, publish=published)
    # Every moment of it moved alike, so that its constraints still hold.
    shift = timezone.now() + timedelta(days=days) - gathering.starts_at
    moments = {
        field.name: F(field.name) + shift
        for field in Gathering._meta.concrete_fields
        if isinstance(field, DateTimeField) and field.name != "published_at"
    }
    Gathering.objects.filter(pk=gathering.pk).update(status=status, **moments, **fields)
    return gathering


def _rated(community, *, days, responses, minimum=3, average=4.25, status=None):
    gathering = _gathering(
        community, status=status or GatheringStatus.SURVEY_CLOSED, days=-days
    )
    Survey.objects.update_or_create(
        gathering=gathering,
        defaults={
            "min_responses": minimum,
            "response_count": responses,
            "satisfaction_average": average,
        },
    )
    return gathering


@pytest.fixture
def community_with_everything():
    community = community_make()
    other = community_make()
    # Boards out of their creation order.
    Board.objects.create(community=community, slug="first", name="첫째", position=0)
    Board.objects.create(
        community=community, slug="late", name="끝", description="설명", position=9
    )
    Board.objects.create(community=other, slug="elsewhere", name="남의 것")
    # Moderators and owners, not in the order they were made; members too.
    now = timezone.now()
    for days, role in [
        (3, MembershipRole.MODERATOR),
        (30, MembershipRole.OWNER),
        (10, MembershipRole.MODERATOR),
        (5, MembershipRole.MEMBER),
    ]:
        membership = join(member_create(nickname=f"닉{days}"), community, role)
        Membership.objects.filter(pk=membership.pk).update(
            joined_at=now - timedelta(days=days)
        )
    join(member_create(), other, MembershipRole.MODERATOR)
    # Upcoming gatherings: more than the page lists, and those it leaves out.
    for days, status in [
        (9, GatheringStatus.OPEN),
        (2, GatheringStatus.CLOSED),
        (4, GatheringStatus.DRAWN),
        (1, GatheringStatus.LOBBY),
        (0, GatheringStatus.LIVE),
        (7, GatheringStatus.OPEN),
        (3, GatheringStatus.OPEN),
    ]:
        _gathering(community, status=status, days=days)
    _gathering(community, status=GatheringStatus.OPEN, days=1, published=False)
    _gathering(community, status=GatheringStatus.CANCELLED, days=1)
    _gathering(community, status=GatheringStatus.OPEN, days=-1)
    _gathering(other, status=GatheringStatus.OPEN, days=1)
    # Rated gatherings: more than the trend shows, and those it leaves out.
    for days in range(2, 16):
        _rated(
            community,
            days=days,
            responses=3 + days % 3,
            average=3 + days / 10,
            status=GatheringStatus.ARCHIVED if days % 2 else None,
        )
    _rated(community, days=1, responses=2)
    _rated(community, days=1, responses=5, average=None)
    _rated(community, days=1, responses=9, status=GatheringStatus.SURVEY_OPEN)
    _rated(other, days=1, responses=9)
    # Threads: more than the page lists, hidden ones, another community's.
    authors = [member_create(real_name="김실명", nickname=f"별명{n}") for n in range(3)]
    _threads(community, authors, 14)
    _threads(community, authors, 3, visibility="hidden", title="숨김")
    _threads(other, authors, 3, title="남의 글")
    Thread.objects.filter(community=community, title="스레드 5").update(
        last_activity_at=now + timedelta(minutes=1)
    )
    return community


def _values(objects, *names):
    return [tuple(getattr(o, name) for name in names) for o in objects]


def test_one_statement_reads_what_the_selectors_read(
    community_with_everything, django_assert_num_queries
):
    community = community_with_everything
    now = timezone.now()

    with django_assert_num_queries(1):
        content = community_page_content(community=community, now=now)

    board = ("pk", "community_id", "slug", "name", "description", "position")
    assert _values(content.boards, *board) == _values(community.boards.all(), *board)
    assert content.boards[-1].slug == "late"

    def moderators(memberships):
        return [
            (
                m.pk,
                m.role,
                m.member_id,
                m.member.public_id,
                m.member.real_name,
                m.member.nickname,
                m.member.display_mode,
            )
            for m in memberships
        ]

    assert moderators(content.moderators) == moderators(community_moderators(community))

    gathering = ("pk", "community_id", "status", "format", "title", "starts_at")
    upcoming = gatherings_upcoming(community=community, now=now)
    assert _values(content.upcoming, *gathering, "capacity") == _values(
        upcoming, *gathering, "capacity"
    )
    assert len(content.upcoming) == 5
    assert all(g.community is community for g in content.upcoming)

    def points(trend):
        return [
            (
                p.gathering.pk,
                p.gathering.title,
                p.gathering.community.slug,
                p.average,
                p.responses,
            )
            for p in trend.points
        ]

    assert points(content.trend) == points(
        community_satisfaction_trend(community=community)
    )
    assert len(content.trend.points) == 12

    recent = thread_recent(community=community, limit=10)
    # The same named rows: the fragments are keyed by their repr.
    assert content.recent == recent
    assert repr(content.recent) == repr(recent)
    assert content.recent[0].title == "스레드 5"


def test_a_community_with_nothing_yet(django_assert_num_queries):
    community = community_make()
    Board.objects.filter(community=community).delete()

    with django_assert_num_queries(1):
        content = community_page_content(community=community, now=timezone.now())

    assert content.boards == []
    assert content.moderators == []
    assert content.upcoming == []
    assert content.trend.points == []
    assert content.recent == []
