"""Every door that checks a secret a member types is under a per-account
limit (SECURITY.md, "Every door"; issue 13): not only the password form
(tests/community/test_accounts.py) and the admin, which signs in through it
(tests/config/test_admin_login.py), but also the authenticator-app step of a
two-factor sign-in and confirming one's password again. A mailed code ends
after three wrong tries and only three are mailed a minute
(tests/community/test_reauthentication.py); a passkey and a social provider
check no secret typed here."""

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from tests.factories import PASSWORD, TOTP_SECRET, client_sign_in, two_factor_add
from tests.totp import totp_now


def signed_in_as(client) -> str | None:
    return client.session.get(SESSION_KEY)


def password_step(client, member, **extra):
    return client.post(
        reverse("account_login"),
        {"login": member.email, "password": PASSWORD},
        **extra,
    )


def refused_as_too_many(response) -> bool:
    form = response.context["form"]
    return any(
        error.code in {"too_many_login_attempts", "rate_limited"}
        for errors in form.errors.as_data().values()
        for error in errors
    )


@pytest.mark.parametrize("spoofed", [False, True])
def test_the_sixth_wrong_app_code_for_one_account_is_refused_even_the_right_one(
    client, member, spoofed
):
    two_factor_add(member)
    password_step(client, member)
    for n in range(5):
        extra = {"HTTP_X_FORWARDED_FOR": f"203.0.113.{n + 1}"} if spoofed else {}
        wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"}, **extra)
        assert wrong.status_code == 200 and not refused_as_too_many(wrong)

    response = client.post(reverse("mfa_authenticate"), {"code": totp_now(TOTP_SECRET)})

    assert refused_as_too_many(response)
    assert signed_in_as(client) is None


def test_the_app_code_limit_is_the_accounts_not_the_browsers(client, member):
    """A second sign-in from a fresh browser starts no fresh count."""
    two_factor_add(member)
    password_step(client, member)
    for _ in range(5):
        client.post(reverse("mfa_authenticate"), {"code": "000000"})
    client.cookies.clear()

    password_step(client, member)
    response = client.post(reverse("mfa_authenticate"), {"code": totp_now(TOTP_SECRET)})

    assert refused_as_too_many(response)
    assert signed_in_as(client) is None


def test_recovery_codes_count_against_the_same_limit(client, member):
    two_factor_add(member)
    (recovery,) = Authenticator.objects.filter(
        user=member, type=Authenticator.Type.RECOVERY_CODES
    )
    password_step(client, member)
    for _ in range(5):
        client.post(reverse("mfa_authenticate"), {"code": "00000000"})

    response = client.post(
        reverse("mfa_authenticate"),
        {"code": recovery.wrap().get_unused_codes()[0]},
    )

    assert refused_as_too_many(response)
    assert signed_in_as(client) is None


def test_the_sixth_wrong_password_when_confirming_again_is_refused(client, member):
    client_sign_in(client, member)
    session = client.session
    session["account_authentication_methods"] = []
    session.save()
    for _ in range(5):
        wrong = client.post(reverse("account_reauthenticate"), {"password": "nope"})
        assert wrong.status_code == 200 and not refused_as_too_many(wrong)

    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})

    assert refused_as_too_many(response)


def test_wrong_passwords_when_confirming_again_count_towards_signing_in(client, member):
    """One count per account: guesses on the confirm page leave no fresh
    five for the sign-in form."""
    client_sign_in(client, member)
    for _ in range(5):
        client.post(reverse("account_reauthenticate"), {"password": "nope"})
    client.post(reverse("account_logout"))

    response = password_step(client, member)

    assert refused_as_too_many(response)
    assert signed_in_as(client) is None
