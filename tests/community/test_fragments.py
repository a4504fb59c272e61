"""Fragments cached for every reader (community.fragments) are keyed by what
they show: any change, even one written straight to the database, shows at
once; nothing of a member's own ends up in them; without a cache the pages
render the same."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from community.models import Board, Comment, Community, Member, MembershipRole, Thread
from tests.community.forum_data import (
    comment_make,
    community_make,
    join,
    thread_make,
    veteran,
)

pytestmark = pytest.mark.django_db


def _comments(html: str) -> str:
    return html.split('<section class="comments"')[1].split("</section>")[0]


@pytest.fixture
def thread():
    community = community_make()
    author = veteran(nickname="글쓴이", display_mode="nickname")
    thread = thread_make(community, author, title="캐시 스레드")
    top = comment_make(thread, veteran(nickname="첫댓글러", display_mode="nickname"))
    comment_make(thread, author, parent=top, body="답글입니다.")
    comment_make(thread, veteran(), body="두 번째 댓글")
    return thread


def _url(thread):
    return reverse("thread_detail", args=[thread.community.slug, thread.pk])


def test_an_anonymous_reader_sees_every_change_to_the_comments_at_once(client, thread):
    url = _url(thread)
    first = _comments(client.get(url).text)
    assert first == _comments(client.get(url).text)  # served from the cache
    top = Comment.objects.filter(thread=thread, parent=None).order_by("pk").first()
    reply = Comment.objects.get(parent=top)

    # Written straight to the database, bypassing every service.
    Comment.objects.filter(pk=reply.pk).update(body_html="<p>고쳐 쓴 답글</p>")
    assert "고쳐 쓴 답글" in _comments(client.get(url).text)

    Member.objects.filter(pk=top.author_id).update(nickname="새이름")
    page = _comments(client.get(url).text)
    assert "새이름" in page and "첫댓글러" not in page

    Comment.objects.filter(pk=top.pk).update(empathy_count=7)
    # A reaction's count, inside its (static) reaction.
    assert "<span>7</span></span>" in _comments(client.get(url).text)

    Thread.objects.filter(pk=thread.pk).update(helpful_comment=top)
    assert "is-helpful" in _comments(client.get(url).text)

    Comment.objects.filter(pk=reply.pk).update(visibility="hidden")
    assert "고쳐 쓴 답글" not in _comments(client.get(url).text)


def test_the_cached_list_is_the_list_a_page_renders_without_a_cache(
    client, thread, monkeypatch
):
    url = _url(thread)
    client.get(url)
    cached = _comments(client.get(url).text)

    def unavailable(*args, **kwargs):
        raise ConnectionError("cache down")

    for name in ("get", "get_many", "set", "set_many"):
        monkeypatch.setattr(cache, name, unavailable)
    uncached = client.get(url)
    assert uncached.status_code == 200
    assert _comments(uncached.text) == cached


def test_a_members_own_controls_never_reach_another_reader(client, thread):
    member = veteran()
    join(member, thread.community)
    mine = comment_make(thread, member, body="내 댓글")
    url = _url(thread)
    client.force_login(member)
    own = client.get(url).text
    assert reverse("comment_edit", args=[thread.community.slug, mine.pk]) in own
    client.logout()
    anonymous = client.get(url).text
    assert "내 댓글" in anonymous
    assert (
        reverse("comment_edit", args=[thread.community.slug, mine.pk]) not in anonymous
    )
    assert "aria-pressed" not in _comments(anonymous)
    other = veteran()
    join(other, thread.community)
    client.force_login(other)
    theirs = client.get(url).text
    assert reverse("comment_edit", args=[thread.community.slug, mine.pk]) not in theirs
    assert 'aria-pressed="true"' not in theirs


def test_thread_rows_show_a_new_title_at_once(client, thread):
    urls = [
        reverse("community_detail", args=[thread.community.slug]),
        reverse("board_detail", args=[thread.community.slug, thread.board.slug]),
    ]
    for url in urls:
        assert "캐시 스레드" in client.get(url).text
    Thread.objects.filter(pk=thread.pk).update(title="바뀐 제목", comment_count=42)
    for url in urls:
        page = client.get(url).text
        assert "바뀐 제목" in page and "캐시 스레드" not in page
        assert "<dd>42</dd>" in page


def test_an_anonymous_community_page_shows_every_change_at_once(client, thread):
    community = thread.community
    moderator = veteran(nickname="방장님", display_mode="nickname")
    join(moderator, community, MembershipRole.MODERATOR)
    url = reverse("community_detail", args=[community.slug])
    page = client.get(url).text
    assert "방장님" in page and "캐시 스레드" in page
    Community.objects.filter(pk=community.pk).update(
        description="새 소개글", member_count=77
    )
    Board.objects.filter(community=community, slug="job-talk").update(name="새 게시판")
    Member.objects.filter(pk=moderator.pk).update(nickname="새방장")
    Thread.objects.filter(pk=thread.pk).update(title="바뀐 제목")
    page = client.get(url, headers={"accept-language": "en"}).text
    assert "77 members" in page
    for shown in ("새 소개글", "새 게시판", "새방장", "바뀐 제목"):
        assert shown in page
    for gone in ("방장님", "캐시 스레드"):
        assert gone not in page


def test_an_anonymous_board_page_shows_every_change_at_once(client, thread):
    community = thread.community
    url = reverse("board_detail", args=[community.slug, "job-talk"])
    assert "캐시 스레드" in client.get(url).text
    Board.objects.filter(community=community, slug="job-talk").update(
        name="새 게시판", description="새 설명"
    )
    Community.objects.filter(pk=community.pk).update(name="새 커뮤니티")
    Thread.objects.filter(pk=thread.pk).update(title="바뀐 제목", view_count=4321)
    page = client.get(url).text
    for shown in ("새 게시판", "새 설명", "새 커뮤니티", "바뀐 제목", "<dd>4321</dd>"):
        assert shown in page
    assert "캐시 스레드" not in page


def test_an_anonymous_board_page_keeps_its_query_in_its_links(client, thread):
    # The cached rendering is keyed by the full path: the pagination links
    # of ?sort=popular keep the sort, those of the plain page do not.
    community = thread.community
    for n in range(25):
        thread_make(community, thread.author, title=f"글 {n}")
    url = reverse("board_detail", args=[community.slug, "job-talk"])
    plain = client.get(url).text
    popular = client.get(url, {"sort": "popular"}).text
    assert "?page=2" in plain and "sort=popular" not in plain.split("pagination")[1]
    assert "?sort=popular&amp;page=2" in popular


def test_made_up_query_strings_make_no_cache_entries(client, thread, settings):
    # Counted in a local-memory cache, whatever the suite's cache is.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "made-up-query-strings",
        }
    }
    community = thread.community
    board = reverse("board_detail", args=[community.slug, "job-talk"])
    page = reverse("community_detail", args=[community.slug])
    client.get(board)
    client.get(page)
    cached = len(cache._cache)
    for n in range(5):
        for url, query in [
            (board, {"x": n}),
            (board, {"page": 100 + n}),
            (board, {"sort": f"s{n}"}),
            (page, {"y": n}),
        ]:
            assert client.get(url, query).status_code == 200
    assert len(cache._cache) == cached


def test_a_member_sees_their_own_actions_on_a_community_page(client, thread):
    # The cached rendering is an anonymous reader's; a member's page is
    # their own (join, new thread).
    community = thread.community
    anonymous = client.get(reverse("community_detail", args=[community.slug])).text
    member = veteran()
    client.force_login(member)
    page = client.get(reverse("community_detail", args=[community.slug])).text
    join_url = reverse("community_join", args=[community.slug])
    assert join_url in page and join_url not in anonymous


def test_search_results_follow_the_body_they_are_cut_from(client, thread):
    url = reverse("search") + "?q=본문"
    assert "<mark>본문</mark>입니다" in client.get(url).text
    Thread.objects.filter(pk=thread.pk).update(
        body="고친 본문", body_html="<p>고친 본문 내용</p>"
    )
    page = client.get(url).text
    assert "고친 <mark>본문</mark> 내용" in page
    assert "<mark>본문</mark>입니다" not in page


@pytest.mark.parametrize("size", [5, 300])
def test_anonymous_thread_queries(client, django_assert_max_num_queries, size):
    community = community_make()
    thread = thread_make(community, veteran())
    authors = [veteran() for _ in range(3)]
    top = Comment.objects.bulk_create(
        Comment(
            thread=thread, author=authors[n % 3], body="댓글", body_html="<p>댓글</p>"
        )
        for n in range(max(1, size // 3))
    )
    Comment.objects.bulk_create(
        Comment(
            thread=thread,
            parent=top[n % len(top)],
            author=authors[n % 3],
            body="답글",
            body_html="<p>답글</p>",
        )
        for n in range(size - len(top))
    )
    url = _url(thread)
    client.get(url)  # the first view flushes the view counter
    Comment.objects.filter(pk=top[0].pk).update(empathy_count=1)  # a cache miss
    # community, thread, comment rows (page and replies with their count)
    # and, on a miss, the comments as models (count, page, replies).
    with django_assert_max_num_queries(6):
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(3):
        assert client.get(url).status_code == 200
