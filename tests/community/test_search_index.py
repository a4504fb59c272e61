"""On PostgreSQL, a Korean substring search is served by a trigram index:
``icontains`` compiles to UPPER(col) LIKE UPPER('%…%'), so the indexes must be
on the same expressions (community/migrations/0005)."""

import pytest
from django.db import connection
from django.db.models import Q

from community.models import Comment, Thread

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def _plan(queryset) -> str:
    with connection.cursor() as cursor:
        # A test table is tiny; without this the planner rightly prefers a
        # scan and the plan would say nothing about the index.
        cursor.execute("SET LOCAL enable_seqscan = off")
    return queryset.explain()


def test_thread_title_and_body_search_use_the_trigram_indexes():
    word = "마케터"
    plan = _plan(
        Thread.objects.filter(Q(title__icontains=word) | Q(body__icontains=word))
    )

    assert "community_thread_title_upper_trgm" in plan
    assert "community_thread_body_upper_trgm" in plan


def test_comment_body_search_uses_the_trigram_index():
    plan = _plan(Comment.objects.filter(body__icontains="리텐션"))

    assert "community_comment_body_upper_trgm" in plan
