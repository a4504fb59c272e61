"""Accounts through allauth: mandatory email verification, no account
enumeration, a login rate limit that a spoofed X-Forwarded-For cannot dodge."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.core.exceptions import NON_FIELD_ERRORS
from django.test import Client
from django.urls import reverse

from community.models import Member
from community.templatetags.faces import avatar
from tests.factories import CONSENTS, PASSWORD, member_create

NEW_PASSWORD = "plum-lantern-orbit-42"
CONFIRM_EMAIL_LINK = re.compile(
    r"https?://testserver(/accounts/confirm-email/[^/\s]+/)"
)
CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def signup(client, email="newcomer@example.org", **headers):
    return client.post(
        reverse("account_signup"),
        {
            "email": email,
            "real_name": "김지민",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            **CONSENTS,
        },
        headers=headers,
    )


def login(client, email, password, **extra):
    return client.post(
        reverse("account_login"), {"login": email, "password": password}, **extra
    )


def is_logged_in(client) -> bool:
    return SESSION_KEY in client.session


def confirm_link_in(message) -> str:
    (path,) = CONFIRM_EMAIL_LINK.findall(message.body)
    return path


# --- Sign-up and verification ------------------------------------------------


def test_signing_up_creates_an_unverified_member(client, db):
    signup(client, "newcomer@example.org")

    member = Member.objects.get(email="newcomer@example.org")
    assert member.real_name == "김지민"
    assert not EmailAddress.objects.get(user=member).verified


def test_signing_up_sends_one_verification_mail(client, db):
    signup(client, "newcomer@example.org")

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["newcomer@example.org"]
    confirm_link_in(mail.outbox[0])


def test_signing_up_does_not_log_in(client, db):
    response = signup(client)

    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert not is_logged_in(client)


def test_logging_in_before_verifying_does_not_log_in(client, db):
    signup(client, "newcomer@example.org")
    other_browser = Client()

    response = login(other_browser, "newcomer@example.org", NEW_PASSWORD)

    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert not is_logged_in(other_browser)


def test_opening_the_verification_link_does_not_verify_by_itself(client, db):
    signup(client, "newcomer@example.org")

    response = client.get(confirm_link_in(mail.outbox[0]))

    assert response.status_code == 200
    assert not EmailAddress.objects.get(email="newcomer@example.org").verified


def test_confirming_the_verification_link_verifies_and_logs_in(client, db):
    signup(client, "newcomer@example.org")

    client.post(confirm_link_in(mail.outbox[0]))

    assert EmailAddress.objects.get(email="newcomer@example.org").verified
    assert is_logged_in(client)


def test_a_new_member_without_a_role_is_sent_to_the_profile_page_to_welcome_them(
    client, db
):
    signup(client, "newcomer@example.org")

    response = client.post(confirm_link_in(mail.outbox[0]))

    assert response.status_code == 302
    assert response.url == reverse("profile_edit") + "?welcome=1"


def test_a_verified_member_can_log_in(client, member):
    response = login(client, member.email, PASSWORD)

    assert response.status_code == 302
    assert is_logged_in(client)


@pytest.mark.parametrize("language", ["ko", "en"])
def test_the_language_of_the_sign_up_page_becomes_the_members_language(
    client, db, language
):
    signup(client, "newcomer@example.org", **{"accept-language": language})

    assert Member.objects.get(email="newcomer@example.org").language == language


def test_logging_out_by_post_logs_out(client_member):
    response = client_member.post(reverse("account_logout"))

    assert response.status_code == 302
    assert not is_logged_in(client_member)


def test_opening_the_logout_page_does_not_log_out(client_member):
    # A GET can be triggered by any site (an <img>); only a POST with the
    # CSRF token logs out.
    response = client_member.get(reverse("account_logout"))

    assert response.status_code == 200
    assert is_logged_in(client_member)


# --- No account enumeration --------------------------------------------------


def observed(client, method, path, data, email, hide=()):
    """What an observer learns from one request: status, redirect target,
    final page and mails sent. The email posted and per-visitor details
    (``hide``) are blanked, since they differ by construction."""
    mail.outbox.clear()
    response = getattr(client, method)(path, data, follow=True)
    body = CSRF_TOKEN.sub("", response.content.decode())
    for text in (email, *hide):
        body = body.replace(text, "<hidden>")
    return {
        "status": response.status_code,
        "redirects": response.redirect_chain,
        "page": body,
        "mails": len(mail.outbox),
    }


@pytest.fixture
def known(db):
    return member_create(email="known@example.org")


def test_signing_up_with_a_known_or_unknown_email_looks_the_same(known):
    def attempt(email):
        return observed(
            Client(),
            "post",
            reverse("account_signup"),
            {
                "email": email,
                "real_name": "김지민",
                "password1": NEW_PASSWORD,
                "password2": NEW_PASSWORD,
                **CONSENTS,
            },
            email,
        )

    known_case, unknown_case = (
        attempt("known@example.org"),
        attempt("unknown@example.org"),
    )
    assert known_case == unknown_case
    assert known_case["mails"] == 1


def test_a_password_reset_for_a_known_or_unknown_email_looks_the_same(known):
    def attempt(email):
        return observed(
            Client(), "post", reverse("account_reset_password"), {"email": email}, email
        )

    known_case, unknown_case = (
        attempt("known@example.org"),
        attempt("unknown@example.org"),
    )
    assert known_case == unknown_case
    assert known_case["mails"] == 1


def test_adding_a_known_or_unknown_email_looks_the_same(known):
    def attempt(email):
        # Each attempt by its own member, so that neither sees the other's
        # addition. The adder's own address sorts after the posted one in
        # both cases and is blanked like it.
        adder = member_create(real_name="이서연", email=f"zz.{email}")
        client = Client()
        client.force_login(adder)
        return observed(
            client,
            "post",
            reverse("account_email"),
            {"email": email, "action_add": ""},
            email,
            # The adder's drawn picture has a colour of their own.
            hide=(adder.email, adder.public_id, str(avatar(adder, 24))),
        )

    known_case, unknown_case = (
        attempt("known@example.org"),
        attempt("unknown@example.org"),
    )
    assert known_case == unknown_case
    assert known_case["mails"] == 1


def test_an_unknown_email_for_a_password_reset_still_gets_a_mail(db):
    Client().post(reverse("account_reset_password"), {"email": "nobody@example.org"})

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["nobody@example.org"]


# --- Login rate limit --------------------------------------------------------


def too_many_attempts(response) -> bool:
    form = response.context["form"]
    return form.has_error(NON_FIELD_ERRORS, code="too_many_login_attempts")


def test_five_failed_logins_are_answered_normally(client, member):
    for _ in range(5):
        response = login(client, member.email, "wrong-password")
        assert response.status_code == 200
        assert not too_many_attempts(response)
        assert response.context["form"].errors


def test_the_sixth_failed_login_within_five_minutes_is_refused(client, member):
    for _ in range(5):
        login(client, member.email, "wrong-password")

    response = login(client, member.email, "wrong-password")

    # allauth answers with the login form again, carrying its
    # "too many failed login attempts" error, not with a 429.
    assert response.status_code == 200
    assert too_many_attempts(response)


def test_after_five_failures_even_the_right_password_is_refused(client, member):
    for _ in range(5):
        login(client, member.email, "wrong-password")

    response = login(client, member.email, PASSWORD)

    assert too_many_attempts(response)
    assert not is_logged_in(client)


@pytest.mark.parametrize("trusted_proxies", [0, 1])
def test_a_different_x_forwarded_for_on_every_attempt_does_not_lift_the_limit(
    client, member, settings, trusted_proxies
):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = trusted_proxies

    for n in range(5):
        login(
            client,
            member.email,
            "wrong-password",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n + 1}",
        )
    response = login(
        client, member.email, "wrong-password", HTTP_X_FORWARDED_FOR="198.51.100.9"
    )

    assert too_many_attempts(response)


def test_the_limit_is_per_account_not_for_everyone(client, member):
    for _ in range(5):
        login(client, member.email, "wrong-password")
    other = member_create()

    response = login(Client(), other.email, PASSWORD)

    assert response.status_code == 302
