"""Search: Korean substrings, only what the reader may read, highlighted and
escaped excerpts, pagination, and a query count that does not grow."""

import pytest
from django.urls import reverse

from community.access import access_for
from community.markdown import markdown_render
from community.models import Board, Thread, ThreadTag, Visibility
from community.roles import JobRole
from community.services.communities import community_create, community_join
from community.services.moderation import sanction_impose
from tests.factories import member_create

ENGLISH = {"accept-language": "en"}


def new_community(owner, slug, **options):
    return community_create(
        name=f"커뮤니티 {slug}", slug=slug, role=JobRole.BACKEND, owner=owner, **options
    )


def join(member, community):
    community_join(access=access_for(member, community))


def thread_add(community, author, title, body="본문입니다.", **fields):
    board = Board.objects.filter(community=community).first()
    return Thread.objects.create(
        community=community,
        board=board,
        author=author,
        tag=ThreadTag.DISCUSSION,
        title=title,
        body=body,
        body_html=markdown_render(body),
        **fields,
    )


def threads_add(community, author, count, title="퍼포먼스마케터 모임 {n}"):
    board = Board.objects.filter(community=community).first()
    Thread.objects.bulk_create(
        Thread(
            community=community,
            board=board,
            author=author,
            tag=ThreadTag.INFO,
            title=title.format(n=n),
            body=f"광고 성과 이야기 {n}",
            body_html="<p>.</p>",
        )
        for n in range(count)
    )


@pytest.fixture
def owner(db):
    return member_create()


@pytest.fixture
def public(owner):
    return new_community(owner, "marketing")


@pytest.fixture
def private(owner):
    return new_community(owner, "secret-room", public_read=False)


def search(client, q, **params):
    return client.get(reverse("search"), {"q": q, **params}, headers=ENGLISH)


def test_a_korean_substring_inside_a_word_is_found_and_marked(client, public, owner):
    thread_add(public, owner, "퍼포먼스마케터끼리 만나요")

    response = search(client, "마케터")

    assert response.status_code == 200
    html = response.content.decode()
    assert "퍼포먼스<mark>마케터</mark>끼리 만나요" in html


def test_the_body_is_searched_and_its_excerpt_highlighted(client, public, owner):
    thread_add(public, owner, "주간 회고", body="이번 주 리타겟팅 캠페인 결과 공유")

    html = search(client, "리타겟팅").content.decode()

    assert "주간 회고" in html
    assert "이번 주 <mark>리타겟팅</mark> 캠페인" in html


def test_html_in_titles_and_bodies_is_escaped_around_the_marks(client, public, owner):
    thread_add(
        public,
        owner,
        "<script>alert(1)</script> 마케터",
        body="<img src=x onerror=alert(1)> 마케터",
    )

    html = search(client, "마케터").content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; <mark>마케터</mark>" in html
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt; <mark>마케터</mark>" in html


def test_the_excerpt_is_plain_text_without_markdown_syntax(client, public, owner):
    thread_add(
        public,
        owner,
        "주간 회고",
        body="**리타겟팅** 결과는 [대시보드](https://example.com/d) 참고 &amp; 공유",
    )

    html = search(client, "리타겟팅").text

    assert "<mark>리타겟팅</mark> 결과는 대시보드 참고 &amp; 공유" in html
    assert "**" not in html
    assert "](https://example.com/d)" not in html


def test_a_query_with_markup_is_escaped_too(client, public, owner):
    thread_add(public, owner, "a<b>c 제목")

    html = search(client, "<b>").content.decode()

    assert "a<mark>&lt;b&gt;</mark>c 제목" in html


def test_an_empty_query_shows_a_prompt_and_no_results(client, public, owner):
    thread_add(public, owner, "퍼포먼스마케터끼리 만나요")

    response = search(client, "   ")

    assert response.status_code == 200
    assert "Type a word to search" in response.content.decode()
    assert "search-result" not in response.content.decode()


def test_no_match_says_so_clearly(client, public, owner):
    thread_add(public, owner, "퍼포먼스마케터끼리 만나요")

    html = search(client, "개발자").content.decode()

    assert "No threads match “개발자”." in html


def test_hidden_and_deleted_threads_are_not_found(client, public, owner):
    thread_add(public, owner, "숨김 마케터", visibility=Visibility.HIDDEN)
    thread_add(public, owner, "삭제 마케터", visibility=Visibility.DELETED)

    html = search(client, "마케터").content.decode()

    assert "숨김" not in html
    assert "삭제" not in html


def test_a_members_only_community_is_invisible_to_outsiders(
    client, private, public, owner
):
    thread_add(private, owner, "비공개 마케터 이야기")
    thread_add(public, owner, "공개 마케터 이야기")
    outsider = member_create()

    anonymous_html = search(client, "마케터").content.decode()
    client.force_login(outsider)
    outsider_html = search(client, "마케터").content.decode()

    for html in (anonymous_html, outsider_html):
        assert "공개 <mark>마케터</mark> 이야기" in html
        assert "비공개" not in html


def test_a_member_finds_the_threads_of_their_members_only_community(
    client, private, owner
):
    thread_add(private, owner, "비공개 마케터 이야기")
    insider = member_create()
    join(insider, private)
    client.force_login(insider)

    assert "비공개 <mark>마케터</mark>" in search(client, "마케터").content.decode()


def test_a_banned_member_cannot_search_the_community(client, private, public, owner):
    thread_add(private, owner, "비공개 마케터 이야기")
    thread_add(public, owner, "공개 마케터 이야기")
    banned = member_create()
    join(banned, private)
    join(banned, public)
    for community in (private, public):
        sanction_impose(
            access=access_for(owner, community),
            member=banned,
            kind="ban",
            reason="스팸",
            ends_at=None,
        )
    client.force_login(banned)

    html = search(client, "마케터").content.decode()

    assert "비공개" not in html
    assert "공개 <mark>" not in html
    scoped = client.get(reverse("community_search", args=[private.slug]), {"q": "x"})
    assert scoped.status_code == 403


def test_community_search_stays_inside_the_community(client, public, owner):
    other = new_community(owner, "hr")
    thread_add(public, owner, "여기 마케터")
    thread_add(other, owner, "저기 마케터")

    response = client.get(
        reverse("community_search", args=[public.slug]), {"q": "마케터"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "여기 <mark>마케터</mark>" in html
    assert "저기" not in html


def test_the_community_filter_narrows_the_global_search(client, public, owner):
    other = new_community(owner, "hr")
    thread_add(public, owner, "여기 마케터")
    thread_add(other, owner, "저기 마케터")

    html = search(client, "마케터", community="hr").content.decode()

    assert "저기 <mark>마케터</mark>" in html
    assert "여기" not in html


def test_the_filter_cannot_open_a_members_only_community(
    client, public, private, owner
):
    thread_add(private, owner, "비공개 마케터")

    html = search(client, "마케터", community=private.slug).content.decode()

    assert "비공개" not in html


def test_community_search_of_a_members_only_community(client, private, owner):
    thread_add(private, owner, "비공개 마케터")
    url = reverse("community_search", args=[private.slug])

    anonymous = client.get(url, {"q": "마케터"})
    client.force_login(member_create())
    outsider = client.get(url, {"q": "마케터"})
    client.force_login(owner)
    insider = client.get(url, {"q": "마케터"})

    assert anonymous.status_code == 302
    assert reverse("account_login") in anonymous["Location"]
    assert outsider.status_code == 403
    assert insider.status_code == 200
    assert "비공개 <mark>마케터</mark>" in insider.content.decode()


def test_an_unknown_community_search_is_404(client, db):
    response = client.get(reverse("community_search", args=["nowhere"]), {"q": "a"})

    assert response.status_code == 404


def test_results_are_paged_and_the_next_page_keeps_the_query(client, public, owner):
    threads_add(public, owner, 25)

    first = search(client, "마케터")
    second = search(client, "마케터", page=2)

    assert "25 threads match" in first.content.decode()
    assert "q=%EB%A7%88%EC%BC%80%ED%84%B0&amp;page=2" in first.content.decode()
    assert second.content.decode().count('class="card search-result"') == 5


@pytest.mark.parametrize(
    ("page", "shown"),
    # The last: past the integers a database's OFFSET takes.
    [("9", 5), ("0", 5), ("x", 20), ("2", 5), ("1", 20), ("99999999999999999999", 5)],
)
def test_a_page_out_of_range_shows_the_last_and_garbage_the_first(
    client, public, owner, page, shown
):
    # The count comes with the page's rows when that page exists; otherwise
    # the paginator's own rules (and its count) still apply.
    threads_add(public, owner, 25)

    html = search(client, "마케터", page=page).content.decode()

    assert "25 threads match" in html
    assert html.count('class="card search-result"') == shown


def test_several_words_must_all_appear(client, public, owner):
    thread_add(public, owner, "퍼포먼스마케터 채용")
    thread_add(public, owner, "퍼포먼스마케터 회고")

    html = search(client, "마케터 채용").content.decode()

    assert "<mark>채용</mark>" in html
    assert "회고" not in html


@pytest.mark.parametrize("signed_in", [False, True])
def test_the_query_count_does_not_grow_with_the_results(
    client, public, owner, django_assert_max_num_queries, signed_in
):
    if signed_in:
        client.force_login(owner)
    threads_add(public, owner, 10)
    with django_assert_max_num_queries(5 if signed_in else 2) as small:
        assert search(client, "마케터").status_code == 200

    threads_add(public, owner, 190, title="마케터 {n}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = search(client, "마케터")
    assert "200 threads match" in response.content.decode()


def test_each_page_is_the_paginators_read_in_one_query(
    owner, django_assert_max_num_queries
):
    """The page of results and the count of every match are read in one
    statement (community.selectors.search); they are what Django's
    Paginator gives over the readable matches, for readers who see other
    communities (a member of a private one, a banned one, a visitor), for
    every page asked for, within a community or across them."""
    from django.contrib.auth.models import AnonymousUser
    from django.core.paginator import Paginator
    from django.db.models import Q

    from community.selectors.communities import readable_communities
    from community.selectors.search import SEARCH_ROW_FIELDS, thread_search
    from community.selectors.threads import visible_threads

    public = new_community(owner, "open-one")
    private = new_community(owner, "closed-one", public_read=False)
    other = new_community(owner, "banned-one")
    for community in (public, private, other):
        threads_add(community, owner, 25)
    thread_add(public, owner, "숨긴 퍼포먼스마케터 글", visibility=Visibility.HIDDEN)
    member = member_create()
    join(member, private)
    join(member, other)
    sanction_impose(
        access=access_for(owner, other),
        member=member,
        kind="ban",
        reason="스팸",
        ends_at=None,
    )

    def expected(query, readable, community, page):
        matches = visible_threads(community).filter(community__in=readable)
        for word in query.split():
            matches = matches.filter(Q(title__icontains=word) | Q(body__icontains=word))
        return Paginator(
            matches.order_by("-last_activity_at", "-pk").values_list(
                *SEARCH_ROW_FIELDS, named=True
            ),
            20,
        ).get_page(page)

    for reader in (AnonymousUser(), member, owner):
        readable = readable_communities(reader)
        for community in (None, public):
            for query in ("퍼포먼스마케터", "모임 1", "없는말"):
                for page in (1, 2, "2", 3, 99, "x"):
                    want = expected(query, readable, community, page)
                    with django_assert_max_num_queries(4) as queries:
                        got = thread_search(
                            query=query,
                            readable=readable,
                            community=community,
                            page=page,
                        )
                    assert repr(list(got.object_list)) == repr(list(want.object_list))
                    assert (got.number, got.paginator.count) == (
                        want.number,
                        want.paginator.count,
                    )
                    if want.object_list and str(want.number) == str(page):
                        assert len(queries) == 1
