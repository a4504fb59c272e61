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

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from community.models import DisplayMode, Member
from tests.browser import with_providers
from tests.browser.steps import kakao_sign_up, profile_complete, roomy, translated
from tests.oauth_server import Person

# The providers' server and the browser allowed to visit it.
live_asgi_server = with_providers.live_asgi_server
page_problems = with_providers.page_problems

pytestmark = [
    pytest.mark.browser,
    pytest.mark.once,
    pytest.mark.usefixtures("transactional_db"),
]


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
    kakao_sign_up(
        page,
        _oauth_httpd,
        person=person,
        real_name="김카카오",
        language=language,
        screenshot=screenshot,
    )
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
