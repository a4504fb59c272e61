"""Sessions are read from the cache (community.sessions): no query per
request, and an ended session ends at once however it is ended."""

from unittest import mock

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from community.services.leaving import member_delete
from community.sessions import SessionStore, cache_key_for
from tests.config.test_redis_down import redis_down  # noqa: F401 (fixture)
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def signed_in(member) -> Client:
    """A browser signed in through allauth's form, as a member signs in."""
    client = Client()
    response = client.post(
        reverse("account_login"), {"login": member.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    return client


def signed_in_on(client: Client) -> bool:
    return client.get(reverse("profile_edit")).status_code == 200


def session_reads(client: Client) -> int:
    from django.db import connection

    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("profile_edit")).status_code == 200
    return sum('"django_session"' in q["sql"] for q in queries)


def test_a_signed_in_request_reads_its_session_from_the_cache(member):
    client = signed_in(member)

    assert session_reads(client) == 0
    cache.delete(cache_key_for(client.cookies["sessionid"].value))
    assert session_reads(client) == 1  # from the database, and kept again
    assert session_reads(client) == 0


def test_the_cache_holds_a_digest_of_the_session_key_not_the_key(member):
    client = signed_in(member)
    key = client.cookies["sessionid"].value

    assert cache.get(cache_key_for(key))[SESSION_KEY] == str(member.pk)
    assert key not in cache_key_for(key)


def test_signing_out_ends_the_cached_session_at_once(member):
    client = signed_in(member)
    old = client.cookies["sessionid"].value
    assert signed_in_on(client)

    client.post(reverse("account_logout"))

    replay = Client()
    replay.cookies["sessionid"] = old
    assert not signed_in_on(replay)
    assert cache.get(cache_key_for(old)) is None
    assert SessionStore(old).load() == {}


def test_signing_out_the_other_devices_ends_their_cached_sessions_at_once(member):
    laptop, phone = signed_in(member), signed_in(member)
    assert signed_in_on(phone)  # its session is in the cache

    assert laptop.post(reverse("usersessions_list")).status_code == 302

    assert not signed_in_on(phone)
    assert signed_in_on(laptop)


def test_leaving_ends_every_cached_session_at_once(member):
    laptop, phone = signed_in(member), signed_in(member)
    keys = [laptop.cookies["sessionid"].value, phone.cookies["sessionid"].value]
    assert signed_in_on(phone)

    member_delete(member=member)

    assert not signed_in_on(phone)
    assert not signed_in_on(laptop)
    assert not Session.objects.filter(session_key__in=keys).exists()
    assert all(cache.get(cache_key_for(key)) is None for key in keys)


def test_a_copy_stored_while_the_row_is_read_goes_with_the_row(
    member, django_capture_on_commit_callbacks
):
    """A request of the session that read the row just before it was
    deleted, and stored its copy after the first cache delete, does not
    outlive the deletion."""
    client = signed_in(member)
    key = client.cookies["sessionid"].value
    store = SessionStore()
    original = Session.objects.get
    raced = []

    def racing_get(*args, **kwargs):
        # Between the copy's removal and the row's: a read stores it again.
        if not raced:
            raced.append(True)
            SessionStore(key).load()
        return original(*args, **kwargs)

    cache.delete(cache_key_for(key))
    with (
        mock.patch.object(Session.objects, "get", racing_get),
        django_capture_on_commit_callbacks(execute=True),
    ):
        store.delete(key)

    assert SessionStore(key).load() == {}
    assert not signed_in_on(client)


def test_a_copy_stored_after_the_session_ended_does_not_bring_it_back(
    member, django_capture_on_commit_callbacks
):
    """A request of the session read the row just before the session was
    ended, and stores its copy after the deletion and its commit."""
    client = signed_in(member)
    key = client.cookies["sessionid"].value
    cache.delete(cache_key_for(key))
    late = SessionStore(key)
    read_row = late._get_session_from_db

    def read_then_end():
        row = read_row()
        with django_capture_on_commit_callbacks(execute=True):
            SessionStore().delete(key)
        return row

    with mock.patch.object(late, "_get_session_from_db", read_then_end):
        late.load()  # stores its copy now, after the ending

    assert SessionStore(key).load() == {}
    assert not SessionStore().exists(key)
    assert not signed_in_on(client)


def test_a_save_that_lands_after_the_session_ended_does_not_bring_it_back(
    member, django_capture_on_commit_callbacks
):
    client = signed_in(member)
    key = client.cookies["sessionid"].value
    late = SessionStore(key)
    late["seen"] = True
    real_set = late._cache.set
    ended = []

    def end_then_set(*args, **kwargs):
        # The row is saved; the session ends before the copy is written.
        if not ended:
            ended.append(True)
            with django_capture_on_commit_callbacks(execute=True):
                SessionStore().delete(key)
        return real_set(*args, **kwargs)

    with mock.patch.object(late._cache, "set", end_then_set):
        late.save()

    assert SessionStore(key).load() == {}
    assert not signed_in_on(client)


def test_new_and_cycled_sessions_are_kept_after_an_ending(member):
    client = signed_in(member)
    old = client.cookies["sessionid"].value
    store = SessionStore(old)
    store.load()
    store.cycle_key()  # as signing in again does
    new = store.session_key

    assert new != old
    assert SessionStore(new).load()[SESSION_KEY] == str(member.pk)
    assert SessionStore(old).load() == {}
    fresh = SessionStore()
    fresh["x"] = 1
    fresh.create()
    fresh.save()
    assert SessionStore(fresh.session_key).load() == {"x": 1}
    assert SessionStore().exists(fresh.session_key)


def test_an_ended_session_changed_later_is_saved_under_a_new_key(member):
    client = signed_in(member)
    key = client.cookies["sessionid"].value
    SessionStore().delete(key)

    store = SessionStore(key)
    store["cart"] = 1
    store.save()

    assert store.session_key != key
    assert SessionStore(key).load() == {}


def test_pages_answer_from_the_database_while_the_cache_is_down(
    member,
    redis_down,  # noqa: F811
):
    client = Client()
    client.force_login(member)

    assert client.get(reverse("profile_edit")).status_code == 200


def test_ending_a_session_while_the_cache_is_down_changes_nothing(
    member,
    redis_down,  # noqa: F811
):
    from community.caching import CACHE_UNAVAILABLE

    client = Client()
    client.force_login(member)
    key = client.cookies["sessionid"].value

    with pytest.raises(CACHE_UNAVAILABLE):
        SessionStore().delete(key)

    assert Session.objects.filter(session_key=key).exists()


@pytest.mark.parametrize(
    ("language", "said"),
    [("ko", "아직 로그인되어 있어요"), ("en", "You are still signed in")],
)
def test_signing_out_while_the_cache_is_down_says_the_member_is_still_signed_in(
    member,
    language,
    said,
    redis_down,  # noqa: F811
):
    client = Client()
    client.force_login(member)

    response = client.post(reverse("account_logout"), HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 503
    assert said in response.content.decode()
    assert signed_in_on(client)
