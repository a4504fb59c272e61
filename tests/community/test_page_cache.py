"""Pages kept a few seconds for signed-out readers (community.page_cache):
what is kept, for whom, and what is checked on every request all the same."""

import re
from unittest import mock

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from community import page_cache
from community.models import Community, Thread, Visibility
from community.services import threads as thread_services
from tests.community.forum_data import comment_make, community_make, thread_make
from tests.factories import PASSWORD, member_create

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'"X-CSRFToken": "([^"]*)"')


@pytest.fixture(autouse=True)
def kept_a_minute(settings):
    settings.MOIM_ANONYMOUS_PAGE_SECONDS = 60
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def community():
    return community_make(name="캐시 커뮤니티")


@pytest.fixture
def thread(community):
    return thread_make(community, member_create(), title="처음 제목")


def thread_url(thread) -> str:
    return reverse("thread_detail", args=[thread.community.slug, thread.pk])


def read_twice(client, url):
    """The second read of a period keeps the page (the first leaves a
    marker only)."""
    for _ in range(2):
        assert client.get(url).status_code == 200


def test_a_page_read_twice_is_kept_for_signed_out_readers(client, thread):
    read_twice(client, thread_url(thread))
    Thread.objects.filter(pk=thread.pk).update(title="새 제목")

    assert "처음 제목" in client.get(thread_url(thread)).text
    # Another signed-out visitor gets the kept page too.
    assert "처음 제목" in Client().get(thread_url(thread)).text


def test_a_page_read_once_is_not_kept(client, thread):
    assert client.get(thread_url(thread)).status_code == 200
    Thread.objects.filter(pk=thread.pk).update(title="새 제목")

    assert "새 제목" in client.get(thread_url(thread)).text


def test_members_always_get_a_fresh_page(client, thread):
    read_twice(client, thread_url(thread))
    Thread.objects.filter(pk=thread.pk).update(title="새 제목")
    member = member_create()
    client.force_login(member)

    assert "새 제목" in client.get(thread_url(thread)).text


def test_nothing_is_kept_while_the_setting_is_zero(client, thread, settings):
    settings.MOIM_ANONYMOUS_PAGE_SECONDS = 0
    read_twice(client, thread_url(thread))
    Thread.objects.filter(pk=thread.pk).update(title="새 제목")

    assert "새 제목" in client.get(thread_url(thread)).text


@pytest.mark.parametrize(
    "name", ["community_detail", "board_detail", "thread_detail", "search"]
)
def test_every_forum_page_is_kept(client, thread, name):
    community = thread.community
    url = {
        "community_detail": reverse("community_detail", args=[community.slug]),
        "board_detail": reverse("board_detail", args=[community.slug, "job-talk"]),
        "thread_detail": thread_url(thread),
        "search": reverse("search") + "?q=처음",
    }[name]
    read_twice(client, url)
    Thread.objects.filter(pk=thread.pk).update(title="새 제목")

    text = client.get(url).text
    # (search marks the matched word: 처음 is in a <mark>)
    assert "처음" in text
    assert "새 제목" not in text


def test_hiding_a_thread_shows_at_once(client, thread):
    read_twice(client, thread_url(thread))
    Thread.objects.filter(pk=thread.pk).update(visibility=Visibility.HIDDEN)

    assert client.get(thread_url(thread)).status_code == 404


def test_closing_a_community_to_non_members_shows_at_once(client, thread):
    community_url = reverse("community_detail", args=[thread.community.slug])
    read_twice(client, community_url)
    read_twice(client, thread_url(thread))
    Community.objects.filter(pk=thread.community_id).update(public_read=False)

    for url in (community_url, thread_url(thread)):
        response = client.get(url)
        assert response.status_code != 200
        assert "처음 제목" not in response.text


def test_each_visitor_gets_a_csrf_token_of_their_own(thread):
    first = Client(enforce_csrf_checks=True)
    read_twice(first, thread_url(thread))
    second = Client(enforce_csrf_checks=True)

    response = second.get(thread_url(thread))

    assert page_cache.CSRF_PLACEHOLDER not in response.text
    (token,) = TOKEN.findall(response.text)
    (first_token,) = TOKEN.findall(first.get(thread_url(thread)).text)
    assert token != first_token
    # The token goes with the cookie the kept page set: a form posts.
    switched = second.post(
        reverse("language_set"), {"language": "en", "csrfmiddlewaretoken": token}
    )
    assert switched.status_code == 302


def test_each_language_is_kept_apart(client, thread):
    read_twice(client, thread_url(thread))

    english = client.get(thread_url(thread), headers={"accept-language": "en"})

    assert 'lang="en"' in english.text


def test_a_message_waiting_for_a_visitor_is_shown_not_a_kept_page(client, thread):
    community_url = reverse("community_detail", args=[thread.community.slug])
    read_twice(Client(), community_url)
    member = member_create()
    client.post(reverse("account_login"), {"login": member.email, "password": PASSWORD})
    client.post(reverse("account_logout"))

    response = client.get(community_url)

    assert list(response.context["messages"])


def test_htmx_requests_are_never_served_a_kept_page(client, thread):
    read_twice(client, thread_url(thread))
    Thread.objects.filter(pk=thread.pk).update(title="새 제목")

    response = client.get(thread_url(thread), headers={"HX-Request": "true"})

    assert "새 제목" in response.text


def test_views_of_a_kept_page_are_counted(client, thread):
    views = thread_services.VIEW_FLUSH_EVERY + 3
    for _ in range(views):
        assert client.get(thread_url(thread)).status_code == 200
    thread.refresh_from_db()
    pending = cache.get(f"thread-views:{thread.pk}") or 0

    assert thread.view_count + pending == views


@pytest.mark.parametrize("comments", [5, 50])
def test_a_kept_thread_page_costs_two_queries(
    client, thread, comments, django_assert_num_queries
):
    # The community (is it readable?) and the thread (is it visible?).
    author = member_create()
    for n in range(comments):
        comment_make(thread, author, body=f"댓글 {n}")
    read_twice(client, thread_url(thread))

    with django_assert_num_queries(2):
        assert client.get(thread_url(thread)).status_code == 200


@pytest.mark.parametrize("threads", [5, 50])
def test_a_kept_community_page_costs_one_query(
    client, community, threads, django_assert_num_queries
):
    author = member_create()
    for n in range(threads):
        thread_make(community, author, title=f"스레드 {n}")
    url = reverse("community_detail", args=[community.slug])
    read_twice(client, url)

    with django_assert_num_queries(1):
        assert client.get(url).status_code == 200


def test_pages_render_when_the_cache_is_unavailable(client, thread):
    unavailable = mock.Mock(**{"get.side_effect": ConnectionError})
    with mock.patch.object(page_cache, "cache", unavailable):
        response = client.get(thread_url(thread))

    assert response.status_code == 200
    assert page_cache.CSRF_PLACEHOLDER not in response.text
    assert "처음 제목" in response.text


@pytest.mark.parametrize("reads", [1, 3])
def test_placeholder_text_in_a_comment_is_never_filled_with_the_token(thread, reads):
    # A comment that spells the placeholder inside a link to another site:
    # the reader's token must stay in the page's own fields only, whether
    # the page was just rendered or kept.
    bait = f"https://evil.example/?t={page_cache.CSRF_PLACEHOLDER}"
    comment_make(thread, member_create(), body=f"[자료]({bait})")
    for _ in range(reads - 1):
        Client().get(thread_url(thread))
    reader = Client(enforce_csrf_checks=True)

    text = reader.get(thread_url(thread)).text

    (token,) = TOKEN.findall(text)
    assert bait in text
    assert f"evil.example/?t={token}" not in text
    assert f'name="csrfmiddlewaretoken" value="{token}"' in text
