"""A new member's first minutes, on a phone: sign-up, the "check your mail"
page with its resend button, the welcome form that chooses no job role for
them (skipping it is refused with a clear error), and saving it lands in
their role's community, joined; the home then shows that community's
threads under "latest in your communities" and lists it once."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from community.models import Membership
from community.roles import JobRole
from community.services.communities import community_create
from tests.browser.steps import korean, sign_up, success_message
from tests.community.forum_data import thread_make
from tests.factories import member_create

pytestmark = [
    pytest.mark.browser,
    pytest.mark.once,
    pytest.mark.usefixtures("transactional_db"),
]

EMAIL = "welcome@example.org"
PASSWORD = "welcome-Pass-2026!"
COMMUNITY = "HR 담당자 모임"
THREAD = "온보딩 체크리스트 공유해요"


def test_a_new_member_signs_up_and_lands_in_their_role_community(
    page, page_problems, mailbox, screenshot
):
    page.set_viewport_size({"width": 390, "height": 844})
    community = community_create(name=COMMUNITY, slug="hr", role=JobRole.HR)
    community_create(name="백엔드 모임", slug="backend", role=JobRole.BACKEND)
    thread_make(community, member_create(), title=THREAD)

    page.goto("/")
    sign_up(
        page,
        mailbox,
        email=EMAIL,
        real_name="이하나",
        password=PASSWORD,
        screenshot=screenshot,
    )

    # The welcome form: no job role chosen for the member.
    form = page.locator("main form")
    expect(form.locator("select[name=role]")).to_have_value("")
    expect(form.locator("select[name=experience]")).to_have_value("")
    screenshot("welcome-form")
    page_problems.expect_status(reverse("profile_edit"), 400)
    form.get_by_role("button").click()
    expect(page.get_by_text(korean("Please choose your job role."))).to_be_visible()
    screenshot("welcome-refused")

    form = page.locator("main form")
    form.locator("select[name=role]").select_option(JobRole.HR)
    form.locator("select[name=experience]").select_option("0-2")
    form.get_by_role("button").click()

    # In the community of their role, joined and told so.
    expect(page).to_have_url(
        re.compile(re.escape(reverse("community_detail", args=[community.slug])) + "$")
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(COMMUNITY)
    expect(success_message(page)).to_contain_text(COMMUNITY)
    expect(page.locator(".community-actions .badge")).to_have_text(korean("Member"))
    assert Membership.objects.filter(member__email=EMAIL, community=community).exists()
    screenshot("landed-in-community")

    # Home: the community's threads, the community once, no marketing text.
    page.locator("header .brand").click()
    latest = page.locator("#home-latest-threads")
    expect(latest).to_contain_text(THREAD)
    expect(page.get_by_text(korean("My communities"), exact=True)).to_have_count(1)
    expect(
        page.get_by_text(korean("Meet the people who do the same work"))
    ).to_have_count(0)
    screenshot("home-signed-in")
