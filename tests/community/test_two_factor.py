"""Two-factor authentication (#18): an authenticator app with recovery codes,
and passkeys, offered to every member from their account, and asked of
organisers on their pages. The codes are computed here from the secret
(tests.totp), and passkeys answered by a passkey in software
(tests.passkeys); the server side is allauth's and fido2's."""

import json

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from community.models import Membership, MembershipRole
from tests.events.factories import gathering_make, member_joined
from tests.factories import (
    PASSWORD,
    TOTP_SECRET,
    client_sign_in,
    community_create,
    member_create,
    two_factor_add,
)
from tests.passkeys import SoftPasskey
from tests.totp import totp_now

RP_ID = "moim.example"
ORIGIN = "https://moim.example"


def signed_in_as(client) -> str | None:
    return client.session.get(SESSION_KEY)


def password_step(client, member):
    return client.post(
        reverse("account_login"), {"login": member.email, "password": PASSWORD}
    )


# --- Authenticator app and recovery codes ------------------------------------------


def test_a_member_sets_up_an_app_and_then_signs_in_with_its_code(client, member):
    client_sign_in(client, member)
    page = client.get(reverse("mfa_activate_totp"))
    secret = page.context["form"].secret
    assert page.status_code == 200
    assert 'src="data:image/svg+xml' in page.content.decode()

    response = client.post(reverse("mfa_activate_totp"), {"code": totp_now(secret)})

    assert response.status_code == 302
    assert Authenticator.objects.filter(
        user=member, type=Authenticator.Type.TOTP
    ).exists()
    # Recovery codes come with the app, for the day the phone is lost.
    assert Authenticator.objects.filter(
        user=member, type=Authenticator.Type.RECOVERY_CODES
    ).exists()

    client.post(reverse("account_logout"))
    response = password_step(client, member)
    assert response.url == reverse("mfa_authenticate")
    assert signed_in_as(client) is None
    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert wrong.status_code == 200 and signed_in_as(client) is None

    client.post(reverse("mfa_authenticate"), {"code": totp_now(secret)})

    assert signed_in_as(client) == str(member.pk)


def test_a_wrong_code_does_not_set_the_app_up(client, member):
    client_sign_in(client, member)
    client.get(reverse("mfa_activate_totp"))

    response = client.post(reverse("mfa_activate_totp"), {"code": "000000"})

    assert response.status_code == 200
    assert not Authenticator.objects.filter(user=member).exists()


def test_a_code_is_used_once(client, member):
    two_factor_add(member)
    code = totp_now(TOTP_SECRET)
    password_step(client, member)
    client.post(reverse("mfa_authenticate"), {"code": code})
    client.post(reverse("account_logout"))

    password_step(client, member)
    client.post(reverse("mfa_authenticate"), {"code": code})

    assert signed_in_as(client) is None


def test_a_recovery_code_signs_in_once(client, member):
    two_factor_add(member)
    codes = Authenticator.objects.get(
        user=member, type=Authenticator.Type.RECOVERY_CODES
    ).wrap()
    code = codes.get_unused_codes()[0]
    unused = len(codes.get_unused_codes())

    password_step(client, member)
    client.post(reverse("mfa_authenticate"), {"code": code})

    assert signed_in_as(client) == str(member.pk)
    codes = Authenticator.objects.get(
        user=member, type=Authenticator.Type.RECOVERY_CODES
    ).wrap()
    assert len(codes.get_unused_codes()) == unused - 1
    client.post(reverse("account_logout"))
    password_step(client, member)
    client.post(reverse("mfa_authenticate"), {"code": code})
    assert signed_in_as(client) is None


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ko", ["2단계 인증", "인증 앱", "패스키", "복구 코드"]),
        ("en", ["Two-factor authentication", "Authenticator app", "Passkeys"]),
    ],
)
def test_the_two_factor_page_speaks_the_members_language(
    client, member, language, expected
):
    client_sign_in(client, member)

    html = client.get(
        reverse("mfa_index"), headers={"accept-language": language}
    ).content.decode()

    for text in expected:
        assert text in html


def test_the_account_page_offers_two_factor_and_devices(client_member):
    html = client_member.get(reverse("profile_edit")).content.decode()

    assert reverse("mfa_index") in html
    assert reverse("usersessions_list") in html


# --- The notice for organisers -----------------------------------------------------


@pytest.fixture
def moderator(db):
    community = community_create()
    moderator = member_create()
    Membership.objects.create(
        community=community, member=moderator, role=MembershipRole.MODERATOR
    )
    moderator.community = community
    return moderator


def test_a_moderator_without_two_factor_is_asked_on_their_pages(client, moderator):
    client_sign_in(client, moderator)

    queue = client.get(reverse("moderation_queue", args=[moderator.community.slug]))
    account = client.get(reverse("profile_edit"))

    assert 'id="two-factor-prompt"' in queue.content.decode()
    assert 'id="two-factor-prompt"' in account.content.decode()


def test_a_host_is_asked_on_the_organiser_dashboard_and_account_page(client, db):
    community = community_create()
    host = member_joined(community)
    gathering = gathering_make(community=community, organiser=host, hosts=[host])
    client_sign_in(client, host)

    manage = client.get(
        reverse("gathering_manage", args=[gathering.community.slug, gathering.pk])
    )
    account = client.get(reverse("profile_edit"))

    assert manage.status_code == 200
    assert 'id="two-factor-prompt"' in manage.content.decode()
    assert 'id="two-factor-prompt"' in account.content.decode()


def test_a_plain_member_is_not_asked(client_member):
    html = client_member.get(reverse("profile_edit")).content.decode()

    assert 'id="two-factor-prompt"' not in html


def test_the_notice_goes_once_two_factor_is_on(client, moderator):
    two_factor_add(moderator)
    client_sign_in(client, moderator)

    html = client.get(reverse("profile_edit")).content.decode()

    assert 'id="two-factor-prompt"' not in html


def test_not_now_puts_the_notice_away_until_the_next_sign_in(client, moderator):
    client_sign_in(client, moderator)
    queue = reverse("moderation_queue", args=[moderator.community.slug])

    response = client.post(reverse("two_factor_prompt_dismiss"), {"next": queue})

    assert response.url == queue
    assert 'id="two-factor-prompt"' not in client.get(queue).content.decode()
    client.post(reverse("account_logout"))
    client_sign_in(client, moderator)
    assert 'id="two-factor-prompt"' in client.get(queue).content.decode()


@pytest.mark.parametrize(
    "elsewhere", ["https://evil.example/", "3570-06-29 22:00", "profile_edit"]
)
def test_not_now_never_sends_elsewhere(client, moderator, elsewhere):
    """Off the site, or not a path at all: a "next" that looks like a view
    name or a time was reversed as one and answered 500 (the fuzz test)."""
    client_sign_in(client, moderator)

    response = client.post(reverse("two_factor_prompt_dismiss"), {"next": elsewhere})

    assert response.status_code == 302
    assert response.url == reverse("profile_edit")


# --- Passkeys ------------------------------------------------------------------------


@pytest.fixture
def site(settings):
    settings.SITE_URL = ORIGIN
    settings.MFA_WEBAUTHN_RP_ID = RP_ID
    settings.ALLOWED_HOSTS = [RP_ID, "testserver"]


def creation_options(response) -> dict:
    html = response.content.decode()
    start = html.index('<script id="js_data" type="application/json">')
    start = html.index(">", start) + 1
    end = html.index("</script>", start)
    return json.loads(html[start:end])["creation_options"]


def test_the_passkey_page_hands_out_options_for_the_sites_domain(client, member, site):
    client_sign_in(client, member)

    # Whatever the Host header says: the relying party is SITE_URL's host.
    response = client.get(reverse("mfa_add_webauthn"), HTTP_HOST="testserver")

    assert response.status_code == 200
    options = creation_options(response)["publicKey"]
    # Named in the page's language (Korean by default).
    assert options["rp"] == {"id": RP_ID, "name": "모임"}
    assert options["user"]["name"] == member.email
    assert options["user"]["displayName"] == member.real_name
    assert {"type": "public-key", "alg": -7} in options["pubKeyCredParams"]
    assert len(options["challenge"]) >= 22  # 16 bytes or more, base64url
    assert options["excludeCredentials"] == []


def test_passkey_sign_in_options_ask_for_user_verification(client, db, site):
    response = client.get(
        reverse("mfa_login_webauthn"), headers={"x-requested-with": "XMLHttpRequest"}
    )

    options = response.json()["request_options"]["publicKey"]
    assert options["rpId"] == RP_ID
    assert options["userVerification"] == "required"
    assert len(options["challenge"]) >= 22


def add_passkey(client, passkey: SoftPasskey) -> None:
    page = client.get(reverse("mfa_add_webauthn"))
    credential = passkey.register(creation_options(page))
    response = client.post(
        reverse("mfa_add_webauthn"),
        {"name": "내 노트북", "credential": json.dumps(credential)},
    )
    assert response.status_code == 302, response.content.decode()[:2000]


def passkey_sign_in(client, passkey: SoftPasskey):
    options = client.get(
        reverse("mfa_login_webauthn"), headers={"x-requested-with": "XMLHttpRequest"}
    ).json()["request_options"]
    return client.post(
        reverse("mfa_login_webauthn"),
        {"credential": json.dumps(passkey.sign_in(options))},
    )


def test_a_member_adds_a_passkey_and_signs_in_with_it_alone(client, member, site):
    passkey = SoftPasskey(RP_ID, ORIGIN)
    client_sign_in(client, member)
    add_passkey(client, passkey)
    assert Authenticator.objects.filter(
        user=member, type=Authenticator.Type.WEBAUTHN
    ).exists()
    client.post(reverse("account_logout"))

    passkey_sign_in(client, passkey)

    assert signed_in_as(client) == str(member.pk)


def test_a_passkey_made_for_another_site_does_not_sign_in(client, member, site):
    passkey = SoftPasskey(RP_ID, ORIGIN)
    client_sign_in(client, member)
    add_passkey(client, passkey)
    client.post(reverse("account_logout"))
    passkey.origin = "https://moim.example.evil.test"

    passkey_sign_in(client, passkey)

    assert signed_in_as(client) is None


def test_a_passkey_signs_staff_in_to_the_admin(client, db, site):
    staff = member_create(is_staff=True)
    passkey = SoftPasskey(RP_ID, ORIGIN)
    client_sign_in(client, staff)
    add_passkey(client, passkey)
    client.post(reverse("account_logout"))

    passkey_sign_in(client, passkey)

    assert client.get(reverse("admin:index")).status_code == 200


def test_another_members_passkey_cannot_be_renamed_or_removed(client, member, site):
    passkey = SoftPasskey(RP_ID, ORIGIN)
    client_sign_in(client, member)
    add_passkey(client, passkey)
    key = Authenticator.objects.get(user=member, type=Authenticator.Type.WEBAUTHN)
    client_sign_in(client, member_create())

    edit = client.post(reverse("mfa_edit_webauthn", args=[key.pk]), {"name": "x"})
    remove = client.post(reverse("mfa_remove_webauthn", args=[key.pk]))

    assert edit.status_code == remove.status_code == 404
    key.refresh_from_db()
    assert key.data["name"] == "내 노트북"


def test_the_passkey_list_is_in_korean_with_korean_dates(client, member, site):
    client_sign_in(client, member)
    add_passkey(client, SoftPasskey(RP_ID, ORIGIN))

    html = client.get(reverse("mfa_list_webauthn")).content.decode()
    add_page = client.get(reverse("mfa_add_webauthn")).content.decode()

    assert "내 노트북" in html and "아직 안 썼어요" in html
    assert "Not used" not in html
    assert "년" in html and "월" in html
    assert "패스키 이름" in add_page and ">Name" not in add_page
