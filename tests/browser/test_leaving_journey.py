"""Your data, then leaving (issue #18), in Korean and in English: a member
asks for their data, downloads the ZIP from the link on their data page,
then leaves Moim, confirming it is them with their password; the thread
they wrote then shows "탈퇴한 회원" / "former member" to a visitor, and the
database holds nothing of theirs beyond docs/privacy.md's list."""

import json

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.urls import reverse
from playwright.sync_api import expect

from community.models import DisplayMode, Member, Membership, Thread
from community.roles import ExperienceBand, JobRole
from community.services.communities import community_create
from tests.browser.steps import (
    data_download,
    former_members_thread_read,
    leave_ask,
    leave_done,
    translated,
)
from tests.community.forum_data import thread_make
from tests.factories import consents_create

pytestmark = [
    pytest.mark.browser,
    pytest.mark.once,
    pytest.mark.usefixtures("transactional_db", "server_password_hashing"),
]

PASSWORD = "leaving-Pass-2026!"
NICKNAME = "떠나는지윤"
REAL_NAME = "박지윤"
TITLE = "퇴사 전에 남기는 회고"


@pytest.mark.parametrize("browser_locale", ["ko-KR", "en-US"], ids=["ko", "en"])
def test_a_member_downloads_their_data_and_leaves(
    browser_locale, page, another_page, page_problems, screenshot
):
    language = browser_locale.split("-")[0]

    def t(text: str) -> str:
        return translated(text, language)

    # --- 1. Data: a community open to readers, the member and their thread.
    email = f"leaver-{language}@example.com"
    community = community_create(
        name="회고 모임", slug=f"retro-{language}", role=JobRole.BACKEND
    )
    member = Member.objects.create(
        email=email,
        password=make_password(PASSWORD),
        real_name=REAL_NAME,
        nickname=NICKNAME,
        nickname_key=NICKNAME,
        display_mode=DisplayMode.NICKNAME,
        role=JobRole.BACKEND,
        experience=ExperienceBand.MID,
        language=language,
    )
    EmailAddress.objects.create(user=member, email=email, verified=True, primary=True)
    # The consents a member gave at sign-up (without them, signing in asks
    # for them first).
    consents_create(member)
    Membership.objects.create(community=community, member=member)
    thread = thread_make(community, member, title=TITLE)
    thread_url = reverse("thread_detail", args=[community.slug, thread.pk])

    # --- 2. The member signs in.
    page.goto("/")
    page.locator("header nav").get_by_role("link", name=t("Sign in")).click()
    form = page.locator("main form")
    form.locator("input[name=login]").fill(email)
    form.locator("input[name=password]").fill(PASSWORD)
    form.get_by_role("button", name=t("Sign In")).click()
    expect(page.get_by_role("button", name=t("Sign out"))).to_be_visible()

    # --- 3. They ask for their data; the task builds it; the link on their
    # data page downloads the ZIP.
    archive = data_download(page, language=language, screenshot=screenshot)
    data = json.loads(archive.read("moim-data/data.json"))
    assert data["profile"]["email"] == email
    assert [t["title"] for t in data["threads"]] == [TITLE]

    # --- 4. They leave: the page says what happens; they confirm, then
    # confirm it is them with their password.
    leave_ask(page, page_problems, language=language, screenshot=screenshot)
    page.locator("main form input[name=password]").fill(PASSWORD)
    page.locator("main form").get_by_role("button", name=t("Confirm")).click()
    leave_done(page, language=language, screenshot=screenshot)

    # --- 5. A visitor reads the thread: its author is a former member.
    former_members_thread_read(
        another_page(),
        url=thread_url,
        title=TITLE,
        names=(NICKNAME, REAL_NAME),
        language=language,
        screenshot=screenshot,
    )

    # --- 6. Nothing of theirs is left to sign in with.
    member.refresh_from_db()
    assert member.left_at is not None and not member.is_active
    assert not EmailAddress.objects.filter(email=email).exists()
    assert Thread.objects.get(pk=thread.pk).author_id == member.pk
