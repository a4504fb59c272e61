"""Issue #18 from beginning to end, in Korean and in English: a visitor signs
up with Kakao (the tests' own OAuth server, tests/oauth_server.py), agrees
to the terms, chooses a nickname and a role, joins a community and posts a
thread, applies to an open gathering, downloads their data, then leaves
Moim, confirming it is them with a code mailed to them (they have no
password). A visitor then reads the thread as written by a former member,
and the database holds nothing of theirs beyond docs/privacy.md's list.

The module runs a server of its own, with the providers pointed at the
OAuth server (``live_asgi_server_with_providers``)."""

import json
import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from community.models import Consent, Member, Thread
from community.roles import JobRole
from community.services.communities import community_create
from events.models import Application, ApplicationStatus
from tests.browser import with_providers
from tests.browser.conftest import mail_text
from tests.browser.steps import (
    community_joined,
    data_download,
    former_members_thread_read,
    gathering_schedule_shift,
    kakao_sign_up,
    leave_ask,
    leave_done,
    my_status,
    profile_complete,
    roomy,
    success_message,
    thread_post,
    translated,
)
from tests.community.test_leaving import leftovers_of
from tests.events.factories import gathering_open
from tests.oauth_server import Person

# The providers' server and the browser allowed to visit it.
live_asgi_server = with_providers.live_asgi_server
page_problems = with_providers.page_problems

pytestmark = [
    pytest.mark.browser,
    pytest.mark.once,
    pytest.mark.usefixtures("transactional_db"),
]

# allauth's reauthentication code, as it mails it.
CODE = re.compile(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", re.MULTILINE)
REAL_NAME = "정카카오"
COMMUNITY = "백엔드 개발자 모임"
# The default board, shown in the reader's language.
BOARD = "Job talk"
GATHERING = "장애 회고 나눔"
PROMPT = "어떤 장애를 겪어 보셨나요?"
TITLE = "처음 겪은 장애를 돌아봐요"
MOTIVATION = "결제 서버가 새벽에 멈춘 일을 나누고 싶어요 (PRIVACY-7Q)"


@pytest.mark.parametrize(
    "browser_locale, language, nickname",
    [("ko-KR", "ko", "카카오탈퇴자"), ("en-US", "en", "kakao_leaver")],
    ids=["ko", "en"],
)
def test_a_kakao_member_takes_part_downloads_their_data_and_leaves(
    page,
    another_page,
    page_problems,
    mailbox,
    screenshot,
    _oauth_httpd,
    language,
    nickname,
):
    def t(text: str) -> str:
        return translated(text, language)

    roomy(page)
    email = f"kakao-privacy-{language}@example.org"
    # --- 0. A community, and a gathering of it open for applications since
    # an hour ago (the server runs on real time).
    community = community_create(
        name=COMMUNITY, slug=f"backend-{language}", role=JobRole.BACKEND
    )
    gathering = gathering_open(
        community=community, title=GATHERING, motivation_prompt=PROMPT
    )
    gathering_schedule_shift(
        gathering,
        timezone.now() - timedelta(hours=1) - gathering.applications_open_at,
    )
    gathering_url = reverse("gathering_detail", args=[community.slug, gathering.pk])

    # --- 1. Sign-up with Kakao, the consents, a nickname and a role.
    kakao_sign_up(
        page,
        _oauth_httpd,
        person=Person(uid={"ko": "770042", "en": "770043"}[language], email=email),
        real_name=REAL_NAME,
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
    member = Member.objects.get(email=email)
    assert not member.has_usable_password()
    assert Consent.objects.filter(member=member).exists()

    # --- 2. In the community of their role (the welcome joined them to it),
    # they post a thread.
    page.goto(reverse("community_detail", args=[community.slug]))
    community_joined(page, language)
    thread_post(
        page,
        board_name=translated(BOARD, language),
        title=TITLE,
        tag="Question",
        body="모니터링 알림을 어떻게 나누시나요?",
        language=language,
        screenshot=screenshot,
    )
    thread_url = re.sub(r"^https?://[^/]+", "", page.url)
    thread = Thread.objects.get(title=TITLE)
    screenshot("thread-posted")

    # --- 3. They apply to the gathering, with their motivation.
    page.goto(gathering_url)
    expect(page.get_by_role("heading", level=1)).to_have_text(GATHERING)
    apply_form = page.locator("#apply form")
    apply_form.get_by_label(PROMPT).fill(MOTIVATION)
    apply_form.locator("button[type=submit]").click()
    expect(success_message(page)).to_have_text(t("Your application is in."))
    expect(my_status(page)).to_have_text(t("Applied"))
    screenshot("applied")
    application = Application.objects.get(gathering=gathering, member=member)
    assert application.status == ApplicationStatus.APPLIED

    # --- 4. Their data: the ZIP holds the application and the thread.
    archive = data_download(page, language=language, screenshot=screenshot)
    data = json.loads(archive.read("moim-data/data.json"))
    assert data["profile"]["email"] == email
    assert [a["motivation"] for a in data["applications"]] == [MOTIVATION]
    assert [a["gathering"] for a in data["applications"]] == [GATHERING]
    assert [t["title"] for t in data["threads"]] == [TITLE]

    # --- 5. They leave. Without a password, they confirm it is them with
    # the code mailed to their address.
    leave_ask(page, page_problems, language=language, screenshot=screenshot)
    expect(page).to_have_url(
        re.compile(re.escape(reverse("account_request_reauthentication_code")))
    )
    page.locator("main form").get_by_role("button", name=t("Request Code")).click()
    expect(page).to_have_url(
        re.compile(re.escape(reverse("account_confirm_reauthentication_code")))
    )
    (code,) = CODE.findall(mail_text(mailbox.latest_to(email)))
    page.locator("main form input[name=code]").fill(code)
    screenshot("code-filled")
    page.locator("main form").get_by_role("button", name=t("Confirm")).click()
    leave_done(page, language=language, screenshot=screenshot)

    # --- 6. A visitor reads the thread: its author is a former member.
    former_members_thread_read(
        another_page(),
        url=thread_url,
        title=TITLE,
        names=(nickname, REAL_NAME),
        language=language,
        screenshot=screenshot,
    )

    # --- 7. The database holds nothing of theirs beyond the documented
    # list: what they wrote stays, under no name.
    member.refresh_from_db()
    assert member.left_at is not None and not member.is_active
    assert Thread.objects.get(pk=thread.pk).author_id == member.pk
    assert not EmailAddress.objects.filter(email=email).exists()
    assert not SocialAccount.objects.filter(user_id=member.pk).exists()
    leaks = leftovers_of(member, (email, REAL_NAME, nickname), written=(MOTIVATION,))
    assert not leaks, leaks
