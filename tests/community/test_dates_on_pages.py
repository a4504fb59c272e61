"""Pages say times the one way community/timefmt.py does: thread lists by
their last activity, comments relatively with the exact time on hover."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from community.models import Thread
from tests.community.forum_data import comment_make, community_make, thread_make
from tests.factories import member_create

pytestmark = pytest.mark.django_db


def _get(url: str, language: str) -> str:
    return Client().get(url, headers={"accept-language": language}).text


def _board(community, language: str) -> str:
    return _get(reverse("board_detail", args=[community.slug, "job-talk"]), language)


def _row(html: str, title: str) -> str:
    start = html.index(title)
    return html[start : html.index("</li>", start)]


@pytest.mark.parametrize(
    ("language", "expected"),
    [("ko", "마지막 댓글 3시간 전"), ("en", "last comment 3 hours ago")],
)
def test_a_list_by_latest_activity_shows_the_activity_not_the_creation(
    language, expected
):
    community = community_make()
    author = member_create()
    now = timezone.now()
    older = thread_make(community, author, title="오래된 글")
    newer = thread_make(community, author, title="새 글")
    Thread.objects.filter(pk=older.pk).update(
        created_at=now - timedelta(days=3), last_activity_at=now - timedelta(hours=3)
    )
    Thread.objects.filter(pk=newer.pk).update(
        created_at=now - timedelta(days=2), last_activity_at=now - timedelta(days=2)
    )
    comment_make(older, member_create())
    Thread.objects.filter(pk=older.pk).update(last_activity_at=now - timedelta(hours=3))
    html = _board(community, language)
    # The thread written first but commented on since is above, and says so.
    assert html.index("오래된 글") < html.index("새 글")
    row = _row(html, "오래된 글")
    assert re.sub(r"<[^>]+>", "", row).count(expected) == 1
    assert 'title="' in row  # the exact time on hover
    assert "-" not in re.search(r"<time[^>]*>([^<]*)</time>", row).group(1)


def test_a_list_never_prints_a_bare_numeric_date():
    # Lists printed "2026-12-3 05:27" (Django's Korean short format).
    community = community_make()
    thread = thread_make(community, member_create(), title="글")
    Thread.objects.filter(pk=thread.pk).update(
        last_activity_at=timezone.now() - timedelta(days=40)
    )
    html = _board(community, "ko")
    shown = re.search(r"<time[^>]*>([^<]*)</time>", _row(html, "글")).group(1)
    assert re.fullmatch(r"(\d+년 )?\d+월 \d+일 \(.\)", shown), shown


def test_a_comment_says_its_time_relatively_with_the_exact_time_on_hover():
    community = community_make()
    thread = thread_make(community, member_create(), title="글")
    comment = comment_make(thread, member_create())
    type(comment).objects.filter(pk=comment.pk).update(
        created_at=timezone.now() - timedelta(minutes=3)
    )
    url = reverse("thread_detail", args=[community.slug, thread.pk])
    html = _get(url, "ko")
    head = r'<header class="comment-head">.*?<time[^>]*title="([^"]+)"[^>]*>([^<]*)<'
    time = re.search(head, html)
    assert time.group(2) == "3분 전"
    assert re.search(r"(오전|오후) \d+:\d\d$", time.group(1))
