"""The member of a request (community.authentication) is read from the
database on every request with a query built once: it is the row the ORM
returns, and whatever changes the row (a password change, a deactivation,
a deletion, a rename, a new picture), however it is written (a form, the
ORM's ``update`` that no signal sees), shows on the very next request of
every session of that member. A copy of the row kept between requests that
some write did not drop would fail these tests."""

import hashlib
import inspect

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from community.authentication import member_read
from community.images import AVATAR, image_url
from community.models import Member
from tests.factories import PASSWORD, client_sign_in

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "another-horse-battery-7"


def signed_in(member) -> Client:
    return client_sign_in(Client(), member)


def signed_in_as(client: Client):
    """The member the next request is served as (None: signed out), from a
    page that needs one."""
    response = client.get(reverse("profile_edit"))
    if response.status_code != 200:
        return None
    return response.wsgi_request.user


def header(client: Client) -> str:
    html = client.get(reverse("home")).content.decode()
    return html[html.index('<header class="site-header">') : html.index("</header>")]


def test_the_member_read_is_the_row_the_orm_reads(member):
    Member.objects.filter(pk=member.pk).update(
        nickname="닉", nickname_key="닉", display_mode="nickname", avatar="a/b"
    )
    expected = get_user_model()._default_manager.get(pk=member.pk)

    read = member_read(member.pk)

    assert type(read) is type(expected)
    for field in Member._meta.concrete_fields:
        assert getattr(read, field.attname) == getattr(expected, field.attname)
        assert type(getattr(read, field.attname)) is type(
            getattr(expected, field.attname)
        )
    assert read._state.adding is False
    assert read._state.db == expected._state.db
    assert member_read(member.pk + 10_000) is None


def test_a_signed_in_request_reads_the_member_with_one_query(member):
    client = signed_in(member)
    client.get(reverse("home"))

    with CaptureQueriesContext(connection) as queries:
        assert signed_in_as(client) == member

    member_reads = [q for q in queries if 'FROM "community_member"' in q["sql"]]
    assert len(member_reads) == 1


def test_a_password_change_ends_the_other_sessions_at_their_next_request(member):
    laptop, phone = signed_in(member), signed_in(member)
    assert signed_in_as(phone) == member

    response = laptop.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert signed_in_as(phone) is None
    # The session that changed it stays signed in (Django's
    # update_session_auth_hash).
    assert signed_in_as(laptop) == member


def test_a_password_written_without_a_signal_ends_every_session(member):
    client = signed_in(member)
    assert signed_in_as(client) == member

    Member.objects.filter(pk=member.pk).update(password=make_password(NEW_PASSWORD))

    assert signed_in_as(client) is None


def test_a_deactivated_member_is_signed_out_at_the_next_request(member):
    client = signed_in(member)
    assert signed_in_as(client) == member

    Member.objects.filter(pk=member.pk).update(is_active=False)

    assert signed_in_as(client) is None


def test_a_deleted_member_is_signed_out_at_the_next_request(member):
    client = signed_in(member)
    assert signed_in_as(client) == member

    Member.objects.filter(pk=member.pk).delete()

    assert signed_in_as(client) is None


def test_a_rename_shows_on_the_next_request(member):
    client = signed_in(member)
    assert member.real_name in header(client)

    Member.objects.filter(pk=member.pk).update(real_name="새이름")

    assert signed_in_as(client).real_name == "새이름"
    assert "새이름" in header(client)
    assert member.real_name not in header(client)


def test_a_new_picture_shows_on_the_next_request(member):
    client = signed_in(member)
    assert "<svg" in header(client)

    Member.objects.filter(pk=member.pk).update(avatar="avatars/new-picture")

    html = header(client)
    assert image_url("avatars/new-picture", AVATAR.widths[0]) in html
    assert "<svg" not in html


def test_the_copy_is_of_this_djangos_get_user():
    # community.authentication.get_user is Django's auth.get_user with the
    # row read by a query built once. A Django release that changes it (a
    # security fix to the session's checks, say) must be carried over: this
    # fails until someone has read the new one and updated the copy and
    # this digest.
    from django.contrib import auth

    source = inspect.getsource(auth.get_user)
    assert hashlib.sha256(source.encode()).hexdigest() == (
        "08a852f701f765bc91f251764cc682d2d3f59d5d0fdfa2e1fc6fb9bba45ba960"
    )
