"""Each forum page runs a number of queries that does not grow with its
items: the same ceiling holds at a small and a large data size."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from community.models import (
    Comment,
    Community,
    Follow,
    FollowLevel,
    Membership,
    MembershipRole,
    Reaction,
    Thread,
    ThreadTag,
)
from tests.community.forum_data import community_make, join, veteran
from tests.factories import member_create

pytestmark = pytest.mark.django_db

# Every page: the member (the session is read from the cache,
# community.sessions), the navigation's unread count. Then its own:
# directory: communities, my memberships; signed in, the home's activity too
#   (next seat, offers, open gatherings, latest, hottest and unanswered
#   threads: tests/community/test_home.py);
# community: the community with my membership and sanctions (one query,
#   community.access.community_access), then boards, moderators, upcoming
#   gatherings, the satisfaction trend and recent threads in one statement
#   (community.selectors.community_page);
# board: the community with my membership and sanctions, boards (the board
#   among them), the page with its count (one query,
#   community.selectors.threads.thread_list);
# thread: the community with my membership and sanctions, thread, the page
#   of comments and replies with their count (one query), my reactions and
#   bookmark (one query), (moderators) edit history.
# The session comes from the cache.
# Community and board pages, for a member: their unread marks, the rows'
#   states and the list's counts, and their follow level of the community
#   or board (the control's, community.follows.target_level_sql), in one
#   query (community.selectors.unread, tests/community/test_unread.py).
#   The thread page reads the member's position, and how far the page may
#   move it, and their follow level of the thread with their reactions,
#   and writes the position only when it moves (not on the second read
#   here).
DIRECTORY_QUERIES = 10
# 4, plus the unread marks with the follow level
COMMUNITY_QUERIES = 5
BOARD_QUERIES = 6
# The thread is read a second time: the unread count is in the cache by then.
THREAD_QUERIES = {False: 5, True: 6}


def _threads(community, authors, count, **fields):
    board = community.boards.get(slug="job-talk")
    now = timezone.now()
    threads = []
    for n in range(count):
        row = {
            "community": community,
            "board": board,
            "author": authors[n % len(authors)],
            "tag": ThreadTag.QUESTION if n % 3 == 0 else ThreadTag.INFO,
            "title": f"스레드 {n}",
            "body": "본문",
            "body_html": "<p>본문</p>",
            "is_pinned": n == 0,
            "comment_count": n % 4,
            "created_at": now - timedelta(minutes=n),
            "last_activity_at": now - timedelta(minutes=n),
        }
        threads.append(Thread(**(row | fields)))
    return Thread.objects.bulk_create(threads)


@pytest.fixture
def signed_in(client):
    member = veteran()
    client.force_login(member)
    return client, member


@pytest.mark.parametrize("size", [5, 50])
def test_directory_queries(signed_in, django_assert_max_num_queries, size):
    client, member = signed_in
    communities = Community.objects.bulk_create(
        Community(name=f"커뮤니티 {n}", slug=f"c-{n}", role="hr") for n in range(size)
    )
    Membership.objects.bulk_create(
        Membership(community=c, member=member) for c in communities[::2]
    )
    with django_assert_max_num_queries(DIRECTORY_QUERIES):
        response = client.get("/")
    # Each community once: the member's own under "My communities".
    assert response.text.count('class="card community-card"') == size


@pytest.mark.parametrize("size", [5, 50])
def test_community_page_queries(signed_in, django_assert_max_num_queries, size):
    client, member = signed_in
    community = community_make()
    join(member, community)
    authors = [member_create() for _ in range(3)]
    for moderator in authors:
        join(moderator, community, MembershipRole.MODERATOR)
    _threads(community, authors, size)
    url = reverse("community_detail", args=[community.slug])
    with django_assert_max_num_queries(COMMUNITY_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    assert 'class="follow-control"' in response.text


@pytest.mark.parametrize("size", [10, 200])
def test_board_queries(signed_in, django_assert_max_num_queries, size):
    client, member = signed_in
    community = community_make()
    join(member, community)
    authors = [member_create() for _ in range(5)]
    threads = _threads(community, authors, size)
    # Levels chosen for many threads change nothing in the count.
    Follow.objects.bulk_create(
        Follow(member=member, thread=t, level=FollowLevel.MUTED) for t in threads[::3]
    )
    url = reverse("board_detail", args=[community.slug, "job-talk"])
    for sort in ["latest", "popular", "unanswered"]:
        with django_assert_max_num_queries(BOARD_QUERIES):
            response = client.get(url, {"sort": sort, "page": 1})
        assert response.status_code == 200
        assert 'class="follow-control"' in response.text


@pytest.mark.parametrize("size", [5, 300])
@pytest.mark.parametrize("moderator", [False, True])
def test_thread_queries(signed_in, django_assert_max_num_queries, size, moderator):
    client, member = signed_in
    community = community_make()
    join(member, community, MembershipRole.MODERATOR if moderator else "member")
    authors = [member_create() for _ in range(5)]
    (thread,) = _threads(community, authors, 1, tag=ThreadTag.QUESTION)
    top = Comment.objects.bulk_create(
        Comment(
            thread=thread,
            author=authors[n % 5],
            body="댓글",
            body_html="<p>댓글</p>",
            visibility="hidden" if n % 10 == 9 else "visible",
        )
        for n in range(max(1, size // 3))
    )
    replies = Comment.objects.bulk_create(
        Comment(
            thread=thread,
            parent=top[n % len(top)],
            author=authors[n % 5],
            body="답글",
            body_html="<p>답글</p>",
        )
        for n in range(size - len(top))
    )
    Reaction.objects.bulk_create(
        Reaction(member=member, comment=c, kind="empathy") for c in (top + replies)[::2]
    )
    Thread.objects.filter(pk=thread.pk).update(
        helpful_comment=top[0], comment_count=size
    )
    url = reverse("thread_detail", args=[community.slug, thread.pk])
    client.get(url)  # the first view flushes the view counter
    # Page 1 shows replies newer than page 2's comments, which the member
    # has not been shown: the position stays before them, and every read of
    # page 1 looks for them again, in the query of the member's marks
    # (selectors.unread.skipped_sql).
    with django_assert_max_num_queries(THREAD_QUERIES[moderator]):
        response = client.get(url)
    assert response.status_code == 200
    assert 'aria-pressed="true"' in response.text
    assert 'class="follow-control"' in response.text


# Search, signed in: the member and the navigation's unread count (the
# session from the cache), then the search's own, whatever the number of
# results: the page of results with the count of every match, in one
# statement (community.selectors.search).
SEARCH_QUERIES = 3


@pytest.mark.parametrize("size", [5, 60])
def test_search_queries_signed_in(signed_in, django_assert_max_num_queries, size):
    client, member = signed_in
    community = community_make()
    join(member, community)
    authors = [member_create() for _ in range(3)]
    _threads(community, authors, size, title="리텐션 이야기", body="리텐션")
    with django_assert_max_num_queries(SEARCH_QUERIES):
        response = client.get(reverse("search"), {"q": "리텐션"})
    assert response.status_code == 200
    assert "리텐션" in response.text
