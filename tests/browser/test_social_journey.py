"""Signing up with Kakao in a real browser, in Korean and in English: the
sign-in page's Kakao button, Kakao's consent page (the tests' own OAuth
server on 127.0.0.1, tests/oauth_server.py), Moim's sign-up form with the
address Kakao gave, the welcome page for a nickname and a job role, and the
new member signed in.

The module runs a server of its own: forked, as every browser test's, with
Kakao, Naver and Google switched on and pointed at the OAuth server, and the
page policy's form-action allowing the redirect there (as it allows the real
providers' sign-in pages in production). The browser may talk to that server
and to nothing else."""

import re
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test.utils import override_settings
from django.urls import reverse
from playwright.sync_api import expect

from community.models import DisplayMode, Member
from tests.browser.conftest import (
    LiveServer,
    PageProblems,
    _email_settings_deprecation_ignored,
    server_settings,
)
from tests.browser.steps import profile_complete, roomy, translated
from tests.oauth_server import Person
from tests.servers import _wait_for_sessions_to_end, daphne_start, daphne_stop

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


@pytest.fixture(scope="module")
def live_asgi_server(
    django_db_setup, django_db_blocker, tmp_path_factory, _oauth_httpd
):
    mail_dir = tmp_path_factory.mktemp("social-browser-mail")
    csp = {
        **settings.SECURE_CSP,
        "form-action": [*settings.SECURE_CSP["form-action"], _oauth_httpd.base_url],
    }
    with (
        django_db_blocker.unblock(),
        _email_settings_deprecation_ignored(),
        server_settings(mail_dir),
        override_settings(
            SOCIALACCOUNT_PROVIDERS=_oauth_httpd.provider_settings(), SECURE_CSP=csp
        ),
    ):
        process = daphne_start()
    yield LiveServer(
        url=f"http://127.0.0.1:{process.port.value}",
        mail_dir=mail_dir,
        password_hashers=tuple(settings.PASSWORD_HASHERS),
    )
    daphne_stop(process)
    with django_db_blocker.unblock():
        _wait_for_sessions_to_end()


class WithLocalProvider(PageProblems):
    """The browser's problems, except that it may visit the OAuth server:
    the provider's consent page is part of the journey."""

    provider_netloc: str = ""

    def on_request(self, request) -> None:
        if urlsplit(request.url).netloc == self.provider_netloc:
            return
        super().on_request(request)


@pytest.fixture
def page_problems(live_asgi_server, _oauth_httpd) -> PageProblems:
    problems = WithLocalProvider(server_netloc=live_asgi_server.netloc)
    problems.provider_netloc = urlsplit(_oauth_httpd.base_url).netloc
    return problems


@pytest.mark.parametrize(
    "browser_locale, language, nickname",
    [("ko-KR", "ko", "카카오백엔더"), ("en-US", "en", "kakao_backend")],
    ids=["ko", "en"],
)
def test_a_visitor_signs_up_with_kakao_chooses_a_nickname_and_a_role(
    page, screenshot, _oauth_httpd, language, nickname
):
    roomy(page)
    person = Person(uid="880011", email=f"kakao-{language}@example.org")
    _oauth_httpd.sign_in("kakao", person)

    # The sign-in page offers Kakao as a button.
    page.goto("/")
    page.locator("header nav").get_by_role(
        "link", name=translated("Sign in", language)
    ).click()
    expect(page).to_have_url(re.compile(re.escape(reverse("account_login"))))
    kakao = translated("Continue with %(provider)s", language) % {
        "provider": translated("Kakao", language)
    }
    screenshot("sign-in-page")
    page.get_by_role("button", name=kakao).click()

    # Kakao's consent page (the local provider), agreed to.
    expect(page).to_have_url(re.compile(re.escape(_oauth_httpd.base_url)))
    screenshot("provider-consent")
    page.get_by_role("button", name="동의하고 계속하기").click()

    # Back at Moim: the sign-up form, with the address Kakao gave.
    expect(page).to_have_url(re.compile(re.escape(reverse("socialaccount_signup"))))
    expect(page.locator("html")).to_have_attribute("lang", language)
    form = page.locator("main form")
    expect(form.locator("input[name=email]")).to_have_value(person.email)
    form.locator("input[name=real_name]").fill("김카카오")
    for box in ("agree_terms", "agree_privacy", "agree_age"):
        form.locator(f"input[name={box}]").check()
    screenshot("social-sign-up-form")
    form.get_by_role("button", name=translated("Sign up", language)).click()

    # Signed in at once (Kakao verified the address), welcomed, and asked
    # for the rest of the profile.
    expect(page).to_have_url(re.compile(re.escape(reverse("profile_edit"))))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        translated("Welcome to Moim!", language)
    )
    screenshot("welcome")
    profile_complete(
        page,
        nickname=nickname,
        role="backend-development",
        experience="3-5",
        screenshot=screenshot,
    )
    expect(
        page.get_by_role("button", name=translated("Sign out", language))
    ).to_be_visible()
    screenshot("signed-in-profile")

    member = Member.objects.get(email=person.email)
    assert (member.real_name, member.nickname) == ("김카카오", nickname)
    assert member.display_mode == DisplayMode.NICKNAME
    assert member.role == "backend-development"
    assert member.language == language
    assert member.emailaddress_set.get().verified
    assert member.socialaccount_set.get().uid == person.uid

    # The connections page lists Kakao, in the page's language.
    page.goto(reverse("socialaccount_connections"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        translated("Connected accounts", language)
    )
    expect(page.locator("main .connection-list")).to_contain_text(
        translated("Kakao", language)
    )
    screenshot("connections")
