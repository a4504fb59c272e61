"""Sign-in with Kakao, Naver and Google, end to end: Moim's pages through the
Django test client, the provider an OAuth 2.0 / OpenID Connect server of the
tests' own on 127.0.0.1 (tests/oauth_server.py), reached over real HTTP by
Moim (token and user info) and by the test standing in for the browser
(the consent page). Nothing else is contacted."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from community.models import ConsentPurpose, ConsentSource, Member
from tests.factories import CONSENTS, PASSWORD, member_create
from tests.oauth_server import CLIENTS, Person

KAKAO = Person(uid="4001", email="jimin@kakao.example", nickname="지민")
NAVER = Person(uid="naver-77", email="jimin@naver.example", name="김지민")
GOOGLE = Person(uid="g-1234", email="jimin@gmail.example", name="Jimin Kim")


def is_signed_in(client) -> bool:
    return SESSION_KEY in client.session


def signed_in_as(client) -> int | None:
    value = client.session.get(SESSION_KEY)
    return int(value) if value else None


def provider_round_trip(client, oauth_server, provider, person, *, agree=True, **q):
    """The browser's trip: Moim's sign-in button (a POST), the provider's
    consent page, and back to Moim's callback with whatever it was given."""
    oauth_server.sign_in(provider, person)
    query = "&".join(f"{name}={value}" for name, value in q.items())
    response = client.post(reverse(f"{provider}_login") + (f"?{query}" if q else ""))
    assert response.status_code == 302, response
    assert response["Location"].startswith(oauth_server.base_url)
    back = urlsplit(oauth_server.consent(response["Location"], agree=agree))
    assert back.netloc == "testserver"
    return client.get(f"{back.path}?{back.query}")


def sign_up_form(client, **data):
    return client.post(reverse("socialaccount_signup"), {**CONSENTS, **data})


# --- Signing up ------------------------------------------------------------------


def test_kakao_sends_a_new_visitor_to_the_sign_up_form_not_into_an_account(
    client, db, oauth_server
):
    response = provider_round_trip(client, oauth_server, "kakao", KAKAO)

    assert response.status_code == 302
    assert response["Location"] == reverse("socialaccount_signup")
    assert not is_signed_in(client)
    assert not Member.objects.exists()
    form = client.get(reverse("socialaccount_signup")).context["form"]
    assert form.initial["email"] == KAKAO.email
    assert set(form.fields) >= {"email", "real_name"}
    assert "password1" not in form.fields


def test_the_authorisation_token_and_user_info_requests_follow_kakaos_protocol(
    client, db, oauth_server
):
    provider_round_trip(client, oauth_server, "kakao", KAKAO)

    authorize, token, profile = [
        r for r in oauth_server.requests if r.path != "/consent"
    ]
    callback = "http://testserver" + reverse("kakao_callback")
    assert authorize.path == "/kakao/oauth/authorize"
    assert authorize.query["client_id"] == [CLIENTS["kakao"][0]]
    assert authorize.query["redirect_uri"] == [callback]
    assert set(authorize.query["scope"][0].split()) == {
        "account_email",
        "profile_nickname",
    }
    assert authorize.query["state"][0]
    assert token.method == "POST" and token.path == "/kakao/oauth/token"
    assert token.form["grant_type"] == ["authorization_code"]
    assert token.form["client_secret"] == [CLIENTS["kakao"][1]]
    assert token.form["redirect_uri"] == [callback]
    assert profile.path == "/kakao/v2/user/me"
    assert profile.headers["Authorization"].startswith("Bearer ")


def test_signing_up_with_kakao_asks_the_real_name_and_then_the_job_role(
    client, db, oauth_server
):
    provider_round_trip(client, oauth_server, "kakao", KAKAO)

    response = sign_up_form(client, email=KAKAO.email, real_name="김지민")

    member = Member.objects.get(email=KAKAO.email)
    assert member.real_name == "김지민"
    assert member.needs_onboarding
    assert not member.has_usable_password()
    assert EmailAddress.objects.get(user=member, email=KAKAO.email).verified
    account = SocialAccount.objects.get(user=member)
    assert (account.provider, account.uid) == ("kakao", KAKAO.uid)
    assert signed_in_as(client) == member.pk
    assert response["Location"] == reverse("profile_edit") + "?welcome=1"


def test_a_social_sign_up_records_the_consents_given_on_its_form(
    client, db, oauth_server
):
    provider_round_trip(client, oauth_server, "kakao", KAKAO)

    sign_up_form(client, email=KAKAO.email, real_name="김지민", agree_marketing="on")

    member = Member.objects.get(email=KAKAO.email)
    consents = member.consents.all()
    assert {c.purpose for c in consents} == {
        ConsentPurpose.TERMS,
        ConsentPurpose.PRIVACY,
        ConsentPurpose.AGE,
        ConsentPurpose.MARKETING,
    }
    assert {c.how for c in consents} == {ConsentSource.SOCIAL_SIGNUP}


@pytest.mark.parametrize("box", ["agree_terms", "agree_privacy", "agree_age"])
def test_a_social_sign_up_without_a_required_consent_creates_nothing(
    client, db, oauth_server, box
):
    provider_round_trip(client, oauth_server, "kakao", KAKAO)
    data = {**CONSENTS, "email": KAKAO.email, "real_name": "김지민"}
    del data[box]

    response = client.post(reverse("socialaccount_signup"), data)

    assert response.status_code == 200
    assert response.context["form"].errors[box]
    assert not Member.objects.exists()
    assert not SocialAccount.objects.exists()


def test_a_sign_up_started_from_another_page_still_welcomes_first(
    client, db, oauth_server
):
    provider_round_trip(client, oauth_server, "kakao", KAKAO, next="/search/")

    response = sign_up_form(client, email=KAKAO.email, real_name="김지민")

    assert response["Location"] == reverse("profile_edit") + "?welcome=1"


def test_the_real_name_is_required_on_the_sign_up_form(client, db, oauth_server):
    provider_round_trip(client, oauth_server, "kakao", KAKAO)

    response = sign_up_form(client, email=KAKAO.email, real_name="  ")

    assert response.status_code == 200
    assert response.context["form"].errors["real_name"]
    assert not Member.objects.exists()


def test_google_fills_in_the_name_and_signs_up_with_its_verified_address(
    client, db, oauth_server
):
    provider_round_trip(client, oauth_server, "google", GOOGLE)
    form = client.get(reverse("socialaccount_signup")).context["form"]
    assert form.initial["real_name"] == GOOGLE.name

    sign_up_form(client, email=GOOGLE.email, real_name=GOOGLE.name)

    member = Member.objects.get(email=GOOGLE.email)
    assert SocialAccount.objects.get(user=member).uid == GOOGLE.uid
    assert EmailAddress.objects.get(user=member).verified
    assert signed_in_as(client) == member.pk
    token = next(r for r in oauth_server.requests if r.path == "/google/token")
    assert token.form["client_secret"] == [CLIENTS["google"][1]]


def test_an_id_token_from_another_issuer_is_refused(client, db, oauth_server, settings):
    """The ID token must come from the issuer Moim expects (OpenID Connect
    Core 3.1.3.7), even over the back channel."""
    providers = oauth_server.provider_settings()
    providers["google"]["ID_TOKEN_ISSUER"] = "https://accounts.google.com"
    settings.SOCIALACCOUNT_PROVIDERS = providers

    response = provider_round_trip(client, oauth_server, "google", GOOGLE)

    assert response.status_code == 401
    assert not is_signed_in(client)
    assert not Member.objects.exists()


def test_naver_does_not_vouch_for_the_address_so_moim_verifies_it_first(
    client, db, oauth_server
):
    provider_round_trip(client, oauth_server, "naver", NAVER)
    assert (
        client.get(reverse("socialaccount_signup")).context["form"].initial["real_name"]
        == NAVER.name
    )

    response = sign_up_form(client, email=NAVER.email, real_name=NAVER.name)

    assert response["Location"] == reverse("account_email_verification_sent")
    member = Member.objects.get(email=NAVER.email)
    assert not EmailAddress.objects.get(user=member).verified
    assert not is_signed_in(client)
    assert [m.to for m in mail.outbox] == [[NAVER.email]]
    profile = next(r for r in oauth_server.requests if r.path == "/naver/v1/nid/me")
    assert profile.headers["Authorization"].startswith("Bearer ")


# --- What must not sign anyone in -------------------------------------------------


def test_a_refused_consent_signs_nobody_in(client, db, oauth_server):
    response = provider_round_trip(client, oauth_server, "kakao", KAKAO, agree=False)

    assert response.status_code == 302
    assert response["Location"] == reverse("socialaccount_login_cancelled")
    assert not is_signed_in(client)
    assert not Member.objects.exists()
    assert not [r for r in oauth_server.requests if r.path == "/kakao/oauth/token"]
    page = client.get(response["Location"])
    assert page.status_code == 200


def test_a_refused_consent_at_naver_signs_nobody_in(client, db, oauth_server):
    response = provider_round_trip(client, oauth_server, "naver", NAVER, agree=False)

    assert response["Location"] == reverse("socialaccount_login_cancelled")
    assert not is_signed_in(client)


def test_a_callback_whose_state_is_not_this_browsers_is_refused(
    client, db, oauth_server
):
    oauth_server.sign_in("kakao", KAKAO)
    response = client.post(reverse("kakao_login"))
    back = urlsplit(oauth_server.consent(response["Location"]))
    query = parse_qs(back.query)

    response = client.get(
        back.path, {"code": query["code"][0], "state": "someone-elses-state"}
    )

    assert response.status_code == 401
    assert not is_signed_in(client)
    assert not [r for r in oauth_server.requests if r.path == "/kakao/oauth/token"]


def test_a_callback_in_another_browser_is_refused(client, db, oauth_server):
    """The state lives in the session of the browser that started: a code
    and state carried to another browser (a login CSRF) get nowhere."""
    from django.test import Client

    oauth_server.sign_in("kakao", KAKAO)
    response = client.post(reverse("kakao_login"))
    back = urlsplit(oauth_server.consent(response["Location"]))
    other = Client()

    response = other.get(f"{back.path}?{back.query}")

    assert response.status_code == 401
    assert not is_signed_in(other)


def test_a_provider_that_does_not_answer_signs_nobody_in(
    client, db, oauth_server, settings
):
    oauth_server.sign_in("kakao", KAKAO)
    response = client.post(reverse("kakao_login"))
    back = urlsplit(oauth_server.consent(response["Location"]))
    providers = oauth_server.provider_settings()
    providers["kakao"]["ACCESS_TOKEN_URL"] = "http://127.0.0.1:9/oauth/token"
    settings.SOCIALACCOUNT_PROVIDERS = providers

    response = client.get(f"{back.path}?{back.query}")

    assert response.status_code == 401
    assert not is_signed_in(client)
    assert not Member.objects.exists()


def test_an_address_kakao_did_not_verify_is_verified_by_moim_first(
    client, db, oauth_server
):
    person = Person(uid="4002", email="unverified@kakao.example", verified=False)
    provider_round_trip(client, oauth_server, "kakao", person)

    response = sign_up_form(client, email=person.email, real_name="박서준")

    assert response["Location"] == reverse("account_email_verification_sent")
    member = Member.objects.get(email=person.email)
    assert not EmailAddress.objects.get(user=member).verified
    assert not is_signed_in(client)
    (message,) = mail.outbox
    assert message.to == [person.email]
    assert "/accounts/confirm-email/" in message.body


def test_an_address_kakao_no_longer_holds_is_verified_by_moim_first(
    client, db, oauth_server
):
    """Verified once but no longer valid: another Kakao account took it."""
    person = Person(uid="4004", email="taken@kakao.example", valid=False)
    provider_round_trip(client, oauth_server, "kakao", person)

    sign_up_form(client, email=person.email, real_name="박서준")

    assert not EmailAddress.objects.get(email=person.email).verified
    assert not is_signed_in(client)


def _confirm_by_mail(client) -> None:
    link = re.search(r"http\S+/accounts/confirm-email/\S+", mail.outbox[-1].body)
    client.post(urlsplit(link.group(0)).path)


def test_a_link_whose_provider_did_not_give_the_address_goes_when_it_is_proven(
    client, db, oauth_server
):
    """Someone signs up with their own Kakao, which gave no address, and
    another person's; when that person proves the address (and so takes the
    account over), the Kakao link must not come with it."""
    no_address = Person(uid="4005", email=None)
    provider_round_trip(client, oauth_server, "kakao", no_address)
    sign_up_form(client, email="victim@example.org", real_name="김지민")
    victim = Client()

    _confirm_by_mail(victim)

    member = Member.objects.get(email="victim@example.org")
    assert EmailAddress.objects.get(user=member).verified
    assert not SocialAccount.objects.filter(user=member).exists()


def test_a_link_whose_provider_gave_the_address_stays_when_it_is_proven(
    client, db, oauth_server
):
    provider_round_trip(client, oauth_server, "naver", NAVER)
    sign_up_form(client, email=NAVER.email, real_name=NAVER.name)

    _confirm_by_mail(client)

    member = Member.objects.get(email=NAVER.email)
    assert EmailAddress.objects.get(user=member).verified
    assert SocialAccount.objects.get(user=member).provider == "naver"


def test_an_address_google_did_not_verify_is_verified_by_moim_first(
    client, db, oauth_server
):
    person = Person(uid="g-2", email="unverified@gmail.example", verified=False)
    provider_round_trip(client, oauth_server, "google", person)

    sign_up_form(client, email=person.email, real_name="Seo Park")

    assert not EmailAddress.objects.get(email=person.email).verified
    assert not is_signed_in(client)


def test_another_address_typed_on_the_form_is_not_taken(client, db, oauth_server):
    """The address the provider gave is fixed: another one typed here sat,
    unproven, on an account the provider's holder signs in to, waiting for
    its owner to reset its password and take it over (security review)."""
    provider_round_trip(client, oauth_server, "kakao", KAKAO)

    sign_up_form(client, email="typed@example.org", real_name="김지민")

    assert not EmailAddress.objects.filter(email="typed@example.org").exists()
    member = Member.objects.get(email=KAKAO.email)
    assert SocialAccount.objects.get(user=member).provider == "kakao"


@pytest.mark.parametrize("verified", [True, False])
def test_an_address_that_belongs_to_another_account_neither_signs_in_nor_connects(
    client, db, oauth_server, verified
):
    owner = member_create(email="owner@example.org")
    person = Person(uid="4003", email="owner@example.org", verified=verified)

    response = provider_round_trip(client, oauth_server, "kakao", person)

    assert response["Location"] == reverse("socialaccount_signup")
    assert not is_signed_in(client)
    response = sign_up_form(client, email=person.email, real_name="누군가")

    # The same answer as any sign-up: "check your mail"; the mail goes to
    # the owner, who learns that someone tried.
    assert response["Location"] == reverse("account_email_verification_sent")
    assert not is_signed_in(client)
    assert list(Member.objects.all()) == [owner]
    assert not SocialAccount.objects.exists()
    (message,) = mail.outbox
    assert message.to == [owner.email]
    # Trying again changes nothing either.
    provider_round_trip(client, oauth_server, "kakao", person)
    assert not is_signed_in(client)
    assert not SocialAccount.objects.exists()


# --- Returning members and connections --------------------------------------------


def sign_in_by_password(client, member) -> None:
    response = client.post(
        reverse("account_login"), {"login": member.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert signed_in_as(client) == member.pk


def recently_confirmed(client, member) -> None:
    """Signed in, and confirmed it is them a moment ago (by password, or by
    a mailed code for a member without one)."""
    client.force_login(member)
    method = "password" if member.has_usable_password() else "code"
    session = client.session
    session["account_authentication_methods"] = [
        {"method": method, "at": timezone.now().timestamp(), "reauthenticated": True}
    ]
    session["account_authentication_methods_user"] = str(member.pk)
    session.save()


def test_a_member_connects_kakao_while_signed_in_and_then_signs_in_with_it(
    client, db, oauth_server
):
    member = member_create(email="jimin@example.org")
    sign_in_by_password(client, member)

    response = provider_round_trip(
        client, oauth_server, "kakao", KAKAO, process="connect"
    )

    # Connecting a way in is a sensitive change: Moim asks to confirm it is
    # the member first, then connects.
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert not SocialAccount.objects.exists()
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response["Location"] == reverse("socialaccount_connections")
    account = SocialAccount.objects.get(user=member)
    assert (account.provider, account.uid) == ("kakao", KAKAO.uid)

    client.post(reverse("account_logout"))
    assert not is_signed_in(client)
    provider_round_trip(client, oauth_server, "kakao", KAKAO)
    assert signed_in_as(client) == member.pk


def test_connecting_right_after_confirming_it_is_you_needs_no_second_time(
    client, db, oauth_server
):
    member = member_create()
    recently_confirmed(client, member)

    response = provider_round_trip(
        client, oauth_server, "kakao", KAKAO, process="connect"
    )

    assert response["Location"] == reverse("socialaccount_connections")
    assert SocialAccount.objects.get(user=member).uid == KAKAO.uid


def test_connecting_while_signed_out_connects_nothing(client, db, oauth_server):
    member_create(email=KAKAO.email)

    provider_round_trip(client, oauth_server, "kakao", KAKAO, process="connect")

    assert not SocialAccount.objects.exists()
    assert not is_signed_in(client)


def test_a_provider_account_of_another_member_cannot_be_connected(
    client, db, oauth_server
):
    other = member_create()
    SocialAccount.objects.create(user=other, provider="kakao", uid=KAKAO.uid)
    member = member_create()
    recently_confirmed(client, member)

    provider_round_trip(client, oauth_server, "kakao", KAKAO, process="connect")

    assert list(SocialAccount.objects.values_list("user", flat=True)) == [other.pk]
    assert signed_in_as(client) == member.pk


def test_signing_in_with_a_connected_provider_needs_no_form(client, db, oauth_server):
    member = member_create(email="jimin@example.org")
    SocialAccount.objects.create(user=member, provider="naver", uid=NAVER.uid)

    provider_round_trip(client, oauth_server, "naver", NAVER)

    assert signed_in_as(client) == member.pk


def test_a_deactivated_member_is_not_signed_in_by_a_provider(client, db, oauth_server):
    member = member_create(is_active=False)
    SocialAccount.objects.create(user=member, provider="kakao", uid=KAKAO.uid)

    provider_round_trip(client, oauth_server, "kakao", KAKAO)

    assert not is_signed_in(client)


def social_only_member(*providers) -> Member:
    member = member_create()
    member.set_unusable_password()
    member.save()
    for index, provider in enumerate(providers):
        SocialAccount.objects.create(user=member, provider=provider, uid=f"u{index}")
    return member


def disconnect(client, member, provider):
    account = SocialAccount.objects.get(user=member, provider=provider)
    return client.post(reverse("socialaccount_connections"), {"account": account.pk})


def test_the_last_way_in_cannot_be_disconnected(client, db):
    member = social_only_member("kakao")
    recently_confirmed(client, member)

    response = disconnect(client, member, "kakao")

    assert response.status_code == 200
    assert response.context["form"].errors
    assert SocialAccount.objects.filter(user=member).exists()


def test_a_provider_can_go_while_another_remains(client, db):
    member = social_only_member("kakao", "naver")
    recently_confirmed(client, member)

    response = disconnect(client, member, "kakao")

    assert response.status_code == 302
    assert list(
        SocialAccount.objects.filter(user=member).values_list("provider", flat=True)
    ) == ["naver"]


def test_a_provider_that_is_switched_off_is_no_way_in(client, db, settings):
    member = social_only_member("kakao", "naver")
    recently_confirmed(client, member)
    providers = dict(settings.SOCIALACCOUNT_PROVIDERS)
    providers["naver"] = {
        key: value for key, value in providers["naver"].items() if key != "APP"
    }
    settings.SOCIALACCOUNT_PROVIDERS = providers

    disconnect(client, member, "kakao")

    assert SocialAccount.objects.filter(user=member, provider="kakao").exists()


def test_a_member_with_a_password_can_disconnect_the_only_provider(client, db):
    member = member_create()
    SocialAccount.objects.create(user=member, provider="kakao", uid="1")
    recently_confirmed(client, member)

    response = disconnect(client, member, "kakao")

    assert response.status_code == 302
    assert not SocialAccount.objects.exists()


def test_disconnecting_long_after_signing_in_asks_to_confirm_it_is_you(client, db):
    member = member_create()
    SocialAccount.objects.create(user=member, provider="kakao", uid="1")
    client.force_login(member)

    response = disconnect(client, member, "kakao")

    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert SocialAccount.objects.exists()


# --- Switched on and off ------------------------------------------------------------


def test_the_sign_in_page_offers_each_provider_by_a_posted_form(client, db):
    page = client.get(reverse("account_login")).content.decode()

    for provider in ("kakao", "naver", "google"):
        assert f'action="{reverse(f"{provider}_login")}?process=login"' in page


def test_a_provider_that_is_not_switched_on_does_not_exist(client, db, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {
        provider: {key: value for key, value in config.items() if key != "APP"}
        for provider, config in settings.SOCIALACCOUNT_PROVIDERS.items()
    }

    page = client.get(reverse("account_login")).content.decode()

    assert reverse("kakao_login") not in page
    assert client.get(reverse("kakao_login")).status_code == 404
    assert client.post(reverse("kakao_login")).status_code == 404
    assert client.get(reverse("kakao_callback")).status_code == 404


@pytest.mark.parametrize(
    "language, button",
    [("ko", "카카오로 계속하기"), ("en", "Continue with Kakao")],
)
def test_the_provider_buttons_speak_the_pages_language(client, db, language, button):
    page = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE=language)

    assert button in page.content.decode()


def test_the_connections_page_is_in_korean(client, db):
    member = member_create()
    SocialAccount.objects.create(user=member, provider="naver", uid="1")
    client.force_login(member)

    page = client.get(reverse("socialaccount_connections")).content.decode()

    for text in ("연결된 계정", "네이버", "연결 해제", "카카오 연결하기"):
        assert text in page
    profile = client.get(reverse("profile_edit")).content.decode()
    assert reverse("socialaccount_connections") in profile


def test_the_connections_page_says_when_no_provider_is_switched_on(
    client, db, settings
):
    """``make run`` sets no provider: the page said "Connect an account"
    over an empty list."""
    settings.SOCIALACCOUNT_PROVIDERS = {
        provider: {key: value for key, value in config.items() if key != "APP"}
        for provider, config in settings.SOCIALACCOUNT_PROVIDERS.items()
    }
    client.force_login(member_create())

    page = client.get(reverse("socialaccount_connections")).content.decode()

    assert "계정 연결하기" not in page
    assert "카카오, 네이버, 구글 로그인이 켜져 있지 않아요" in page


def test_kakao_comes_first_then_naver_then_google(client, db):
    page = client.get(reverse("account_login")).content.decode()

    positions = [
        page.index(reverse(f"{p}_login")) for p in ("kakao", "naver", "google")
    ]
    assert positions == sorted(positions)
