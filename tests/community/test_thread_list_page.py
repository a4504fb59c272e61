"""A board's page of threads and its count read in one query
(community.selectors.threads.thread_list) is the page Django's Paginator
gives, with the same count, for every sort and every page asked for: past
the end, not a number, none, and a list with no threads."""

import pytest
from django.core.paginator import Paginator

from community.models import Thread, ThreadTag, Visibility
from community.selectors import threads as selectors
from community.selectors.threads import THREAD_ROW_FIELDS, ThreadSort
from tests.community.forum_data import community_make
from tests.community.test_forum_queries import _threads
from tests.factories import member_create

pytestmark = pytest.mark.django_db

# The last: past the end, and past the integers a database's OFFSET takes.
PAGES = [1, 2, 3, "2", 99, 0, -1, "x", None, "", "99999999999999999999"]


def _reference(board, sort, page):
    threads = Thread.objects.filter(visibility=Visibility.VISIBLE, board=board)
    ordered = {
        ThreadSort.LATEST: threads.order_by("-is_pinned", "-last_activity_at", "-pk"),
        ThreadSort.POPULAR: threads.order_by("-hot_score", "-pk"),
        ThreadSort.UNANSWERED: threads.filter(
            tag=ThreadTag.QUESTION, comment_count=0
        ).order_by("-created_at", "-pk"),
    }[sort]
    return Paginator(
        ordered.values_list(*THREAD_ROW_FIELDS, named=True), selectors.THREADS_PER_PAGE
    ).get_page(page)


@pytest.mark.parametrize("count", [0, 7, 45])
def test_the_page_and_its_count_are_the_paginators(
    count, django_assert_max_num_queries
):
    community = community_make()
    board = community.boards.get(slug="job-talk")
    authors = [member_create() for _ in range(3)]
    _threads(community, authors, count)
    _threads(community, authors, 3, visibility="hidden")
    for sort in ThreadSort.ALL:
        for page in PAGES:
            expected = _reference(board, sort, page)
            with django_assert_max_num_queries(2) as queries:
                got = selectors.thread_list(
                    community=community, board=board, sort=sort, page=page
                )
            assert repr(list(got.object_list)) == repr(list(expected.object_list))
            assert (got.number, got.paginator.count, got.paginator.num_pages) == (
                expected.number,
                expected.paginator.count,
                expected.paginator.num_pages,
            ), (sort, page)
            if expected.object_list and str(expected.number) == str(page):
                # A page that exists: its rows and the count in one query.
                assert len(queries) == 1
