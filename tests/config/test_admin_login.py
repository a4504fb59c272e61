"""The admin has one door, allauth's sign-in (config/admin.py; SECURITY.md,
"Every door"): its own sign-in page checks no password and sends visitors to
allauth's, which limits failed attempts per account and comes back to the
admin. Staff open it only with two-factor (#18): without an authenticator
they are sent to set one up, and a session signed in without it is asked for
it."""

from urllib.parse import parse_qs, quote, urlsplit

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.exceptions import NON_FIELD_ERRORS
from django.urls import reverse

from tests.factories import (
    PASSWORD,
    TOTP_SECRET,
    client_signed_in_with_two_factor,
    member_create,
    two_factor_add,
)
from tests.totp import totp_now


@pytest.fixture
def staff(db):
    staff = member_create(email="staff@example.org", is_staff=True, is_superuser=True)
    two_factor_add(staff)
    return staff


def signed_in(client) -> bool:
    return SESSION_KEY in client.session


def allauth_login_next(url: str) -> str | None:
    """The ``next`` of a URL of allauth's sign-in page, or None for any
    other URL."""
    parts = urlsplit(url)
    if parts.path != reverse("account_login"):
        return None
    return parse_qs(parts.query).get("next", [""])[0]


def test_the_admin_sign_in_page_sends_a_visitor_to_allauths(client, db):
    next_url = reverse("admin:community_member_changelist")

    response = client.get(f"{reverse('admin:login')}?next={quote(next_url)}")

    assert response.status_code == 302
    assert allauth_login_next(response.url) == next_url


def test_opening_the_admin_signed_out_ends_at_allauths_sign_in(client, db):
    response = client.get(reverse("admin:index"), follow=True)

    last_url = response.redirect_chain[-1][0]
    assert allauth_login_next(last_url) == reverse("admin:index")
    assert response.status_code == 200


def test_a_foreign_next_is_replaced_by_the_admin_index(client, db):
    response = client.get(f"{reverse('admin:login')}?next=https://evil.example/")

    assert allauth_login_next(response.url) == reverse("admin:index")


def test_twelve_wrong_passwords_then_the_right_one_do_not_open_the_admin(client, staff):
    # The reported attack, end to end: from the admin, through the sign-in
    # page it sends a visitor to, twelve guesses and then the right password.
    # The 13th try is refused by the failed-attempt limit, and the admin stays
    # shut.
    door = client.get(reverse("admin:index"), follow=True).redirect_chain[-1][0]
    assert allauth_login_next(door) == reverse("admin:index")
    for n in range(12):
        client.post(door, {"login": staff.email, "password": f"wrong-password-{n}"})

    response = client.post(door, {"login": staff.email, "password": PASSWORD})

    assert response.status_code == 200
    form = response.context["form"]
    assert form.has_error(NON_FIELD_ERRORS, code="too_many_login_attempts")
    assert not signed_in(client)
    admin = client.get(reverse("admin:index"), follow=True)
    assert allauth_login_next(admin.redirect_chain[-1][0]) == reverse("admin:index")


@pytest.mark.parametrize("spoofed", [False, True])
def test_the_sixth_failed_try_for_a_staff_account_is_refused(client, staff, spoofed):
    login_url = client.get(reverse("admin:login")).url
    for n in range(6):
        headers = {"x-forwarded-for": f"203.0.113.{n + 1}"} if spoofed else {}
        response = client.post(
            login_url,
            {"login": staff.email, "password": "wrong-password"},
            headers=headers,
        )

    form = response.context["form"]
    assert form.has_error(NON_FIELD_ERRORS, code="too_many_login_attempts")
    response = client.post(login_url, {"login": staff.email, "password": PASSWORD})
    assert not signed_in(client)


def test_staff_sign_in_through_allauth_and_land_in_the_admin(client, staff):
    login_url = client.get(reverse("admin:login")).url

    response = client.post(login_url, {"login": staff.email, "password": PASSWORD})
    assert response.url == reverse("mfa_authenticate")
    response = client.post(response.url, {"code": totp_now(TOTP_SECRET)})

    assert response.status_code == 302
    assert response.url == reverse("admin:index")
    assert client.get(reverse("admin:index")).status_code == 200


def test_staff_without_two_factor_are_sent_to_set_it_up(client, db):
    staff = member_create(is_staff=True, is_superuser=True)
    client.force_login(staff)

    response = client.get(reverse("admin:index"), follow=True)

    assert response.redirect_chain[-1][0] == reverse("mfa_index")
    assert "관리자 화면은 2단계 인증을 해야 열려요" in response.content.decode()
    changelist = reverse("admin:community_member_changelist")
    assert client.get(changelist).status_code == 302
    assert client.get(reverse("admin:login")).url == reverse("mfa_index")


def test_staff_signed_in_without_the_second_factor_are_asked_for_it(client, staff):
    # Signed in before adding the authenticator, say: the session never used
    # it, so the admin asks for a code before it opens.
    client.force_login(staff)

    response = client.get(reverse("admin:index"), follow=True)
    reauthenticate = response.redirect_chain[-1][0]
    assert reauthenticate == f"{reverse('mfa_reauthenticate')}?next=/admin/"
    assert client.get(reverse("admin:index")).status_code == 302

    response = client.post(reauthenticate, {"code": totp_now(TOTP_SECRET)})

    assert response.url == reverse("admin:index")
    assert client.get(reverse("admin:index")).status_code == 200


def test_signed_in_staff_go_on_to_the_page_asked_for(client, staff):
    client_signed_in_with_two_factor(client, staff)
    next_url = reverse("admin:community_member_changelist")

    response = client.get(f"{reverse('admin:login')}?next={quote(next_url)}")

    assert response.url == next_url


def test_a_signed_in_member_who_is_not_staff_is_refused(client, db):
    client.force_login(member_create())

    response = client.get(reverse("admin:login"))

    assert response.status_code == 403


def test_the_admin_password_change_is_allauths(client, staff):
    client_signed_in_with_two_factor(client, staff)

    response = client.get(reverse("admin:password_change"))

    assert response.status_code == 302
    assert response.url == reverse("account_change_password")
