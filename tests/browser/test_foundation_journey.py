"""The foundation's journey, as a new member would take it in a real browser:
a Korean home page listing the communities, sign-up with email verification,
a nickname on the profile, English, and a second nickname change refused with
the date it becomes possible."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from community import legal
from community.demo import COMMUNITIES, seed_demo
from community.models import DisplayMode, Member
from tests.browser.steps import korean, profile_complete, sign_up

pytestmark = [
    pytest.mark.browser,
    pytest.mark.once,
    pytest.mark.usefixtures("transactional_db"),
]

EMAIL = "newcomer@example.org"
REAL_NAME = "김모임"
PASSWORD = "journey-Pass-2026!"
FIRST_NICKNAME = "서울백엔더"
SECOND_NICKNAME = "backend_kim"


@pytest.fixture(autouse=True)
def _fast_demo_passwords(settings):
    # The demo members created in this process are hashed as the server
    # (SERVER_PASSWORD_HASHERS) checks them.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_new_member_signs_up_picks_a_nickname_and_cannot_change_it_twice(
    page, page_problems, mailbox, screenshot
):
    seed_demo()

    # A Korean home page listing the demo communities.
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        korean("Meet the people who do the same work")
    )
    for _slug, name, *_rest in COMMUNITIES:
        expect(page.get_by_role("heading", name=name, level=3)).to_be_visible()
    screenshot("home-korean")

    # Sign up: email, real name, password twice; the verification mail
    # arrives, and its link leads to a confirmation page.
    sign_up(
        page,
        mailbox,
        email=EMAIL,
        real_name=REAL_NAME,
        password=PASSWORD,
        screenshot=screenshot,
    )

    # Signed in, on the profile page, welcomed.
    expect(page).to_have_url(re.compile(re.escape(reverse("profile_edit"))))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        korean("Welcome to Moim!")
    )
    member = Member.objects.get(email=EMAIL)
    assert member.real_name == REAL_NAME
    assert member.emailaddress_set.get(email=EMAIL).verified
    # The boxes ticked at sign-up, each recorded with its version.
    assert sorted(member.consents.values_list("purpose", "version")) == sorted(
        [
            ("terms", legal.version_current(legal.TERMS).version),
            ("privacy", legal.version_current(legal.PRIVACY).version),
            ("age_14", legal.version_current(legal.TERMS).version),
        ]
    )
    screenshot("welcome-profile")

    # A nickname, a role, an experience band, shown by nickname.
    profile_complete(
        page,
        nickname=FIRST_NICKNAME,
        role="backend-development",
        experience="6-9",
        screenshot=screenshot,
    )

    # The public profile shows the nickname.
    member.refresh_from_db()
    expect(page).to_have_url(
        re.compile(re.escape(reverse("member_detail", args=[member.public_id])))
    )
    expect(page.get_by_role("heading", level=1)).to_contain_text(FIRST_NICKNAME)
    expect(page.get_by_role("main")).not_to_contain_text(REAL_NAME)
    assert member.nickname == FIRST_NICKNAME
    assert member.display_mode == DisplayMode.NICKNAME
    assert (member.role, member.experience) == ("backend-development", "6-9")
    screenshot("public-profile")

    # The language menu switches to English on its own (static/js/moim.js).
    with page.expect_navigation():
        page.locator("select[name=language]").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("link", name="Edit profile")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    footer = page.get_by_role("contentinfo")
    expect(footer).to_contain_text("Moim — meet the people who do the same work.")
    expect(footer.get_by_role("link", name="Terms of service")).to_have_attribute(
        "href", reverse("legal_terms")
    )
    screenshot("public-profile-english")

    # The privacy policy, from the footer, in English with its version.
    footer.get_by_role("link", name="Privacy policy").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Privacy policy")
    expect(page.get_by_role("main")).to_contain_text(
        f"Version {legal.version_current(legal.PRIVACY).version}"
    )
    screenshot("privacy-policy-english")
    page.go_back()

    # A second change within 90 days is refused, naming the day it is allowed.
    page.get_by_role("link", name="Edit profile").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your profile")
    page_problems.expect_status(reverse("profile_edit"), 400)
    page.get_by_role("textbox", name="Nickname").fill(SECOND_NICKNAME)
    page.get_by_role("button", name="Save").click()

    changed_at = member.nickname_changed_at
    assert timezone.now() - changed_at < timedelta(minutes=5)
    allowed_on = timezone.localtime(changed_at + timedelta(days=90))
    # "Fri, Apr 10", with the year when it is not the current one.
    date = f"{allowed_on:%a}, {allowed_on:%b} {allowed_on.day}"
    if allowed_on.year != timezone.localtime().year:
        date += f", {allowed_on.year}"
    expect(page.locator("main .errorlist")).to_have_text(
        f"Nicknames are fixed: you can change yours again on {date}."
    )
    screenshot("second-nickname-refused")
    member.refresh_from_db()
    assert member.nickname == FIRST_NICKNAME
    assert not member.nickname_history.exists()
