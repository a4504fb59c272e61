"""A passkey in a real browser (#18): a member adds one from the two-factor
page and later signs in with it alone, Chromium's virtual authenticator
standing in for the phone (WebAuthn through the DevTools protocol).

Browsers allow WebAuthn over plain http only on localhost, and the passkey is
bound to that name (the server's relying-party id, tests/browser/conftest.py),
so this browser opens the live server as http://localhost:<port>."""

from urllib.parse import urlsplit

import pytest
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from tests.browser.conftest import PageProblems, _fail_on_late_problems, _open_context
from tests.factories import client_sign_in, member_create

pytestmark = [
    pytest.mark.browser,
    pytest.mark.once,
    pytest.mark.usefixtures("transactional_db"),
]

VIRTUAL_PASSKEY = {
    "protocol": "ctap2",
    "transport": "internal",
    "hasResidentKey": True,
    "hasUserVerification": True,
    "isUserVerified": True,
    "automaticPresenceSimulation": True,
}


def test_a_member_adds_a_passkey_and_signs_in_with_it_alone(live_asgi_server, chromium):
    port = urlsplit(live_asgi_server.url).port
    server = type(live_asgi_server)(
        url=f"http://localhost:{port}",
        mail_dir=live_asgi_server.mail_dir,
        password_hashers=live_asgi_server.password_hashers,
    )
    problems = PageProblems(server_netloc=server.netloc)
    member = member_create(real_name="김패스")
    cookie = client_sign_in(Client(), member).cookies["sessionid"].value
    context = _open_context(chromium, server, problems)
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": server.url}]
    )
    page = context.new_page()
    devtools = context.new_cdp_session(page)
    devtools.send("WebAuthn.enable")
    devtools.send("WebAuthn.addVirtualAuthenticator", {"options": VIRTUAL_PASSKEY})

    page.goto("/accounts/2fa/")
    expect(page.locator("h1")).to_have_text("2단계 인증")
    page.get_by_role("link", name="패스키 추가").first.click()
    # The button works through allauth's script: a click before the page
    # has loaded it does nothing (seen once in CI under load).
    page.wait_for_load_state("load")
    page.locator("#id_name").fill("내 노트북")
    page.locator("#id_passwordless").check()
    page.locator("#mfa_webauthn_add").click()
    page.wait_for_url(lambda url: "/webauthn/add/" not in url)
    assert Authenticator.objects.filter(
        user=member, type=Authenticator.Type.WEBAUTHN
    ).exists()

    context.clear_cookies()
    page.goto("/accounts/login/")
    page.locator("#passkey_login").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)

    page.goto("/me/profile/")
    expect(page.locator("h1").first).to_have_text("내 프로필")
    assert "/accounts/login/" not in page.url
    context.close()
    _fail_on_late_problems(problems)
