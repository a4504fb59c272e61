"""Every way to sign in or sign up does the same password work, one hash,
whatever the outcome, so that timing tells nothing (SECURITY.md, "Every
door"): a right password, a wrong one and an unknown email cost the same, and
so do a sign-up with a new email and one with an email that has an account.

The hashes are counted (tests/hashers.py); the sign-up is also timed with a
slow hasher, with a tolerance that a hash fewer on one path fails."""

import time
from contextlib import contextmanager

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import make_password
from django.test import Client, RequestFactory
from django.urls import reverse

from tests.factories import CONSENTS, PASSWORD, member_create
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


# --- Signing up --------------------------------------------------------------


def signup(email: str):
    return Client().post(
        reverse("account_signup"),
        {
            "email": email,
            "real_name": "김지민",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            **CONSENTS,
        },
    )


def test_signing_up_with_a_new_or_a_known_email_hashes_once(known, hashes):
    with hashes() as counted:
        assert signup("newcomer@example.org").status_code == 302
    new_email = counted()
    with hashes() as counted:
        assert signup("known@example.org").status_code == 302
    known_email = counted()

    assert new_email == known_email == 1


def seconds(call) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def test_signing_up_takes_as_long_with_a_known_email_as_with_a_new_one(known, settings):
    # The reported gap: 10-65 ms for an email with an account, 590-720 ms for
    # a new one. Each path's fastest of four runs is compared (a busy machine
    # only ever adds time); the two must be closer than half a hash. A new
    # account also writes its rows, a few queries more.
    settings.PASSWORD_HASHERS = ["tests.hashers.SlowHasher"]
    one_hash = min(seconds(lambda: make_password(NEW_PASSWORD)) for _ in range(3))
    for email in ("warm-up@example.org", "known@example.org"):
        assert signup(email).status_code == 302
    new_email, known_email = [], []
    for n in range(4):
        known_email.append(seconds(lambda: signup("known@example.org")))
        new_email.append(seconds(lambda n=n: signup(f"newcomer.{n}@example.org")))

    assert abs(min(new_email) - min(known_email)) < one_hash / 2, (
        f"new {min(new_email):.3f} s, known {min(known_email):.3f} s, "
        f"one hash {one_hash:.3f} s"
    )
