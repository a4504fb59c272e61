"""The forum's journey in Korean, as three members take it, each in their own
browser: an author joins 퍼포먼스 마케팅 and posts a question in Markdown that
mentions a second member; the second member follows the notification, joins,
replies, reacts and reports the thread; the author finds it again by a part
of a Korean word; and the community's moderator hides it from the queue, after
which it is gone for members and recorded in the audit log."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.urls import reverse
from playwright.sync_api import expect

from community import legal
from community.demo import DEMO_DOMAIN, DEMO_PASSWORD, seed_demo
from community.models import (
    Community,
    DisplayMode,
    Member,
    MembershipRole,
    Thread,
    Visibility,
)
from community.roles import ExperienceBand, JobRole
from tests.browser.steps import (
    community_join,
    korean,
    sign_in,
    thread_post,
    unread_badge,
)
from tests.factories import consents_create

pytestmark = [
    pytest.mark.browser,
    pytest.mark.once,
    pytest.mark.usefixtures("transactional_db", "server_password_hashing"),
]

COMMUNITY_SLUG = "performance-marketing"
COMMUNITY_NAME = "퍼포먼스 마케팅"
BOARD_NAME = "직무톡"
# seed_demo makes the first demo member, a performance marketer, moderator of
# the performance-marketing community (demo._plan_memberships).
MODERATOR_EMAIL = f"member01@{DEMO_DOMAIN}"

PASSWORD = "journey-Pass-2026!"
AUTHOR_EMAIL = "jiyoon.park@example.com"
AUTHOR_NICKNAME = "그로스지윤"
READER_EMAIL = "minho.lee@example.com"
READER_NICKNAME = "리타겟팅러"

# Korean runs words and particles together: the search below must find
# "마케터" inside "퍼포먼스마케터끼리".
TITLE = "퍼포먼스마케터끼리 ROAS 개선 경험 공유"
SEARCH_WORD = "마케터"
BOLD = "ROAS 180% 개선"
LINK_TEXT = "구글 애즈 도움말"
LINK_URL = "https://support.google.com/google-ads/"
BODY = f"""지난 분기에 **{BOLD}**까지 간 과정을 정리해 봤어요.

- 캠페인 구조를 단순하게 합쳤어요
- 전환 이벤트를 다시 설계했어요
- 크리에이티브는 주 2회 교체했어요

세부 설정은 [{LINK_TEXT}]({LINK_URL})를 참고했어요.
@{READER_NICKNAME}님, 리타겟팅 쪽 경험도 궁금해요!"""
REPLY = "저희는 리타겟팅 기간을 7일로 줄이고 ROAS가 20% 올랐어요."
REPORT_REASON = "외부 강의 홍보로 보여요. 확인 부탁드려요."
HIDE_REASON = "홍보 글은 소개톡에만 올릴 수 있어요."


def starting_with(text: str) -> re.Pattern:
    """An accessible name that begins with ``text`` (a reaction button's name
    ends with its count)."""
    return re.compile(rf"^\s*{re.escape(text)}")


def member_create(email: str, real_name: str, nickname: str, password: str) -> Member:
    """A member who signed up, verified the address and chose a role and a
    nickname, with an already hashed ``password``."""
    member = Member.objects.create(
        email=email,
        password=password,
        real_name=real_name,
        nickname=nickname,
        nickname_key=nickname.casefold(),
        display_mode=DisplayMode.NICKNAME,
        role=JobRole.PERFORMANCE_MARKETING,
        experience=ExperienceBand.MID,
        legal_agreed=legal.required_key(),
    )
    EmailAddress.objects.create(user=member, email=email, verified=True, primary=True)
    consents_create(member)
    return member


def test_members_discuss_report_and_a_moderator_hides_a_thread(
    page, another_page, page_problems, screenshot
):
    # --- 1. Data: the demo communities, the author and the mentioned reader.
    seed_demo()
    moderator = Member.objects.get(email=MODERATOR_EMAIL)
    community = Community.objects.get(slug=COMMUNITY_SLUG)
    assert community.memberships.get(member=moderator).role == MembershipRole.MODERATOR
    # One hash for both: the server's hasher is slow by design.
    password = make_password(PASSWORD)
    author = member_create(AUTHOR_EMAIL, "박지윤", AUTHOR_NICKNAME, password)
    reader = member_create(READER_EMAIL, "이민호", READER_NICKNAME, password)
    reader_profile = reverse("member_detail", args=[reader.public_id])

    # --- 2. The author signs in, opens the community from the directory, joins.
    sign_in(page, AUTHOR_EMAIL, PASSWORD)
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    screenshot("author-signed-in-directory")
    page.get_by_role("link", name=COMMUNITY_NAME, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(COMMUNITY_NAME)
    screenshot("community-before-joining")
    community_join(page, COMMUNITY_NAME)
    screenshot("community-joined")

    # --- 3. A question in 직무톡, in Markdown, mentioning the reader.
    thread_post(
        page,
        board_name=BOARD_NAME,
        title=TITLE,
        tag="Question",
        body=BODY,
        screenshot=screenshot,
    )
    expect(page).to_have_url(re.compile(r"/c/performance-marketing/t/\d+/$"))
    thread = Thread.objects.get(title=TITLE)
    thread_url = reverse("thread_detail", args=[COMMUNITY_SLUG, thread.pk])
    assert page.url.endswith(thread_url)
    assert (thread.author, thread.board.slug, thread.tag) == (
        author,
        "job-talk",
        "question",
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.locator(".thread .tag")).to_have_text(korean("Question"))
    post = page.locator(".thread .post-body")
    expect(post.locator("strong")).to_have_text(BOLD)
    expect(post.locator("ul > li")).to_have_count(3)
    expect(post.locator(f"a[href='{reader_profile}']")).to_have_text(
        f"@{READER_NICKNAME}"
    )
    link = post.get_by_role("link", name=LINK_TEXT)
    expect(link).to_have_attribute("href", LINK_URL)
    expect(link).to_have_attribute("rel", re.compile(r"\bnofollow\b"))
    screenshot("thread-posted")

    # --- 4. The reader follows the mention's notification, joins and replies.
    reader_page = another_page()
    sign_in(reader_page, READER_EMAIL, PASSWORD)
    expect(unread_badge(reader_page)).to_have_text("1")
    screenshot("reader-sees-unread-count", page=reader_page)
    reader_page.locator("header .nav-notifications").click()
    expect(reader_page.get_by_role("heading", level=1)).to_have_text(
        korean("Notifications")
    )
    mention = reader_page.locator(".notification.is-unread")
    expect(mention).to_have_count(1)
    expect(mention).to_contain_text(AUTHOR_NICKNAME)
    expect(mention).to_contain_text(TITLE)
    screenshot("reader-notifications", page=reader_page)
    mention.get_by_role("button").click()

    expect(reader_page).to_have_url(re.compile(re.escape(thread_url) + "$"))
    expect(unread_badge(reader_page)).to_have_count(0)
    # Not a member yet: the page says so where the comment form would be,
    # with a button that joins and comes back to the thread.
    notice = reader_page.locator(".comments .notice")
    expect(notice).to_contain_text(korean("Join this community to take part."))
    screenshot("reader-on-thread-not-member", page=reader_page)
    notice.get_by_role("button", name=korean("Join this community")).click()
    expect(reader_page).to_have_url(re.compile(re.escape(thread_url) + "$"))
    welcome = korean("Welcome to %(community)s.") % {"community": COMMUNITY_NAME}
    expect(reader_page.locator(".message-success")).to_have_text(welcome)

    reader_page.get_by_label(korean("Your comment")).fill(REPLY)
    reader_page.get_by_role("button", name=korean("Post comment")).click()
    expect(reader_page).to_have_url(
        re.compile(re.escape(thread_url) + r"#comment-\d+$")
    )
    reply = reader_page.locator(".comments .comment").filter(has_text=REPLY)
    expect(reply).to_have_count(1)
    expect(reply.locator(".comment-head > a")).to_have_text(READER_NICKNAME)

    # 공감 goes through htmx: the reaction bar is swapped in place.
    reactions = reader_page.locator("#thread-reactions")
    empathy = reactions.get_by_role("button", name=starting_with(korean("Relatable")))
    expect(empathy).to_have_attribute("aria-pressed", "false")
    expect(empathy.locator(".count")).to_have_text("0")
    empathy.click()
    expect(empathy).to_have_attribute("aria-pressed", "true")
    expect(empathy.locator(".count")).to_have_text("1")
    screenshot("reader-replied-and-reacted", page=reader_page)

    # --- 5. The author sees the reply, then finds the thread by a Korean part.
    page.reload()
    expect(page.locator(".comments .comment").filter(has_text=REPLY)).to_have_count(1)
    expect(unread_badge(page)).to_have_text("1")
    expect(
        page.locator("#thread-reactions").get_by_role(
            "button", name=starting_with(korean("Relatable"))
        )
    ).to_contain_text("1")
    screenshot("author-sees-reply")

    search_box = page.locator("header").get_by_role(
        "searchbox", name=korean("Search threads")
    )
    search_box.fill(SEARCH_WORD)
    search_box.press("Enter")
    expect(page).to_have_url(re.compile(re.escape(reverse("search")) + r"\?q="))
    result = page.locator(".search-result").filter(
        has=page.locator(f"a[href='{thread_url}']")
    )
    expect(result).to_have_count(1)
    expect(result.locator("mark").first).to_have_text(SEARCH_WORD)
    expect(result.get_by_role("heading")).to_have_text(TITLE)
    screenshot("search-korean-substring")
    result.get_by_role("link", name=TITLE).click()
    expect(page).to_have_url(re.compile(re.escape(thread_url) + "$"))

    # --- 6. The reader reports the thread.
    report = reader_page.locator(".thread-actions details.report")
    report.locator("summary").click()
    report.get_by_label(korean("What is wrong with it?")).fill(REPORT_REASON)
    screenshot("reader-report-filled", page=reader_page)
    report.get_by_role("button", name=korean("Send report")).click()
    expect(reader_page.locator(".message-success")).to_have_text(
        korean("Thank you. The moderators will look at your report.")
    )
    screenshot("reader-reported", page=reader_page)

    # --- 7. The moderator hides it from the queue; members now get a 404.
    moderator_page = another_page()
    sign_in(moderator_page, MODERATOR_EMAIL, DEMO_PASSWORD)
    # "My communities" lists it first, and the directory again below.
    moderator_page.get_by_role("link", name=COMMUNITY_NAME, exact=True).first.click()
    expect(moderator_page.get_by_role("heading", level=1)).to_have_text(COMMUNITY_NAME)
    moderator_page.locator(".community-actions").get_by_role(
        "link", name=korean("Moderation", "page")
    ).click()
    expect(moderator_page).to_have_url(
        re.compile(re.escape(reverse("moderation_queue", args=[COMMUNITY_SLUG])))
    )
    expect(moderator_page.get_by_role("heading", level=1)).to_have_text(
        korean("Moderation", "page")
    )
    queued = moderator_page.locator(".report").filter(has_text=REPORT_REASON)
    expect(queued).to_have_count(1)
    expect(queued.get_by_role("link", name=TITLE)).to_have_attribute("href", thread_url)
    expect(queued).to_contain_text(READER_NICKNAME)
    queued.get_by_label(
        korean("Reason (shown to the author and in the audit log)")
    ).fill(HIDE_REASON)
    screenshot("moderation-queue", page=moderator_page)
    queued.get_by_role("button", name=korean("Hide thread")).click()
    expect(moderator_page.locator(".message-success")).to_have_text(
        korean("Hidden. The author was told why.")
    )
    screenshot("moderator-hid-thread", page=moderator_page)
    thread.refresh_from_db()
    assert thread.visibility == Visibility.HIDDEN

    page_problems.expect_status(thread_url, 404)
    response = reader_page.goto(thread_url)
    assert response.status == 404
    expect(reader_page.get_by_role("heading", level=1)).to_be_visible()
    expect(reader_page.get_by_role("main")).not_to_contain_text(TITLE)
    screenshot("thread-gone-for-members", page=reader_page)

    moderator_page.get_by_role("link", name=korean("Audit log")).click()
    expect(moderator_page.get_by_role("heading", level=1)).to_have_text(
        korean("Audit log")
    )
    entry = moderator_page.locator(".audit-table tbody tr").filter(has_text=TITLE)
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text(korean("Hid content"))
    expect(entry).to_contain_text(HIDE_REASON)
    screenshot("audit-log", page=moderator_page)

    # The author is told, in Korean, with the moderator's reason.
    page.goto(reverse("home"))
    expect(unread_badge(page)).to_have_text("2")
    page.locator("header .nav-notifications").click()
    told = page.locator(".notification.is-unread").filter(has_text=HIDE_REASON)
    expect(told).to_have_count(1)
    expect(told).to_contain_text(
        korean("A moderator of %(community)s hid your thread.")
        % {"community": COMMUNITY_NAME}
    )
    screenshot("author-told-thread-hidden")
