"""seed_demo fills every community with boards, members and threads whose
stored counters match their rows, and a second run changes nothing."""

import io

import pytest
from django.core.management import call_command
from django.db.models import Count, Q

from community.demo import forum_counters_refresh, seed_demo
from community.models import (
    Board,
    Comment,
    Community,
    Member,
    Membership,
    MembershipRole,
    Notification,
    Reaction,
    Thread,
    ThreadTag,
    Visibility,
)
from community.services.communities import DEFAULT_BOARDS
from community.services.threads import _hot_refresh

pytestmark = pytest.mark.django_db

MODELS = [
    Member,
    Community,
    Board,
    Membership,
    Thread,
    Comment,
    Reaction,
    Notification,
]


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def _counters() -> list[tuple]:
    return sorted(
        Thread.objects.values_list(
            "pk",
            "comment_count",
            "empathy_count",
            "helpful_count",
            "hot_score",
            "last_activity_at",
        )
    )


def test_seed_creates_communities_members_threads_and_comments():
    counts = seed_demo()

    assert counts["communities"] == 9
    assert counts["members"] == 40
    assert 9 * 8 <= Thread.objects.count() <= 9 * 15
    assert Comment.objects.count() >= 2 * Thread.objects.count()
    assert Comment.objects.filter(parent__isnull=False).exists()
    assert Reaction.objects.filter(kind="empathy").exists()
    assert Reaction.objects.filter(kind="helpful").exists()


def test_second_run_changes_no_counts_and_no_counters():
    # The command, both times: it seeds gatherings (and their members) too.
    call_command("seed_demo", stdout=io.StringIO())
    before, counters = _counts(), _counters()

    call_command("seed_demo", stdout=io.StringIO())

    assert forum_counters_refresh(list(Community.objects.all())) == 0
    assert _counts() == before
    assert _counters() == counters
    assert dict(Community.objects.values_list("pk", "member_count")) == dict(
        Community.objects.annotate(n=Count("memberships")).values_list("pk", "n")
    )


def test_every_community_has_default_boards_and_threads_on_each():
    seed_demo()
    expected = {slug for slug, *_ in DEFAULT_BOARDS}

    for community in Community.objects.all():
        boards = {b.slug for b in community.boards.all()}
        assert boards == expected, community.slug
        assert 8 <= community.threads.count() <= 15, community.slug
        for board in community.boards.all():
            assert board.threads.exists(), (community.slug, board.slug)


def test_existing_communities_without_boards_get_them():
    Community.objects.create(
        slug="pr", name="홍보·PR", role="pr", description="이전 시드"
    )

    seed_demo()

    assert Community.objects.filter(slug="pr").count() == 1
    assert Board.objects.filter(community__slug="pr").count() == len(DEFAULT_BOARDS)


def test_promotions_only_on_the_promotion_board():
    seed_demo()

    promotions = Thread.objects.filter(tag=ThreadTag.PROMOTION)
    assert promotions.exists()
    assert not promotions.filter(board__allows_promotion=False).exists()


def test_counters_equal_the_rows_they_count():
    seed_demo()

    for thread in Thread.objects.annotate(
        comments_n=Count(
            "comments",
            filter=Q(comments__visibility=Visibility.VISIBLE),
            distinct=True,
        )
    ):
        reactions = Reaction.objects.filter(thread=thread)
        assert thread.comment_count == thread.comments_n
        assert thread.empathy_count == reactions.filter(kind="empathy").count()
        assert thread.helpful_count == reactions.filter(kind="helpful").count()
    for comment in Comment.objects.all():
        reactions = Reaction.objects.filter(comment=comment)
        assert comment.empathy_count == reactions.filter(kind="empathy").count()
        assert comment.helpful_count == reactions.filter(kind="helpful").count()
    for community in Community.objects.all():
        assert community.member_count == community.memberships.count()


def test_hot_scores_are_what_the_thread_services_store():
    seed_demo()
    stored = dict(Thread.objects.values_list("pk", "hot_score"))

    for pk, created_at in Thread.objects.values_list("pk", "created_at"):
        _hot_refresh(pk, created_at)

    for pk, score in Thread.objects.values_list("pk", "hot_score"):
        assert score == pytest.approx(stored[pk], rel=1e-9)


def test_members_join_two_to_four_communities_with_one_owner_and_moderator():
    seed_demo()

    per_member = Membership.objects.values("member").annotate(n=Count("pk"))
    assert all(2 <= row["n"] <= 4 for row in per_member)
    for community in Community.objects.all():
        roles = list(community.memberships.values_list("role", flat=True))
        assert roles.count(MembershipRole.OWNER) == 1, community.slug
        assert roles.count(MembershipRole.MODERATOR) == 1, community.slug


def test_documented_demo_account_moderates_performance_marketing():
    seed_demo()

    membership = Membership.objects.get(
        member__email="member01@demo.moim.kr",
        community__slug="performance-marketing",
    )
    assert membership.role == MembershipRole.MODERATOR


def test_questions_have_helpful_answers_from_their_own_thread():
    seed_demo()

    answered = Thread.objects.filter(helpful_comment__isnull=False)
    assert answered.count() >= 9
    for thread in answered:
        assert thread.tag == ThreadTag.QUESTION
        assert thread.helpful_comment.thread_id == thread.pk


def test_mentions_are_linked_and_bodies_rendered():
    seed_demo()

    assert Comment.objects.filter(body_html__contains="/members/").exists()
    assert Thread.objects.filter(body_html__contains="<strong>").exists()
    assert Thread.objects.filter(body_html__contains='rel="nofollow ugc noopener"')


def test_latest_and_popular_orders_differ():
    seed_demo()
    threads = Thread.objects.filter(community__slug="performance-marketing")

    latest = list(threads.order_by("-last_activity_at").values_list("pk", flat=True))
    popular = list(threads.order_by("-hot_score").values_list("pk", flat=True))

    assert latest != popular
