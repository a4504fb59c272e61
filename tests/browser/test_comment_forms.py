"""A signed-in member's controls on comments (community.comment_layer) in a
real browser: one reply form and one report form per page, opened under the
comment whose button was pressed (static/js/comment_forms.js), and a
comment's reaction swapped in place through htmx."""

import re

import pytest
from django.contrib.auth.hashers import make_password
from django.urls import reverse
from playwright.sync_api import expect

from community.models import Comment, MembershipRole, Report
from tests.browser.steps import korean, sign_in
from tests.browser.test_forum_journey import member_create
from tests.community.forum_data import comment_make, community_make, join, thread_make

pytestmark = [
    pytest.mark.browser,
    pytest.mark.once,
    pytest.mark.usefixtures("transactional_db", "server_password_hashing"),
]

PASSWORD = "comment-Forms-2026!"
REPLY = "두 번째 댓글에 답글을 달아요."
REASON = "광고 링크예요."


def test_a_member_replies_reports_and_reacts_under_a_comment(page, screenshot):
    password = make_password(PASSWORD)
    me = member_create("reader@example.com", "김독자", "댓글독자", password)
    other = member_create("writer@example.com", "이작가", "댓글작가", password)
    community = community_make()
    join(me, community)
    join(other, community, MembershipRole.MEMBER)
    thread = thread_make(community, other, title="댓글 폼 스레드")
    first = comment_make(thread, other, body="첫 댓글")
    second = comment_make(thread, other, body="두 번째 댓글")

    sign_in(page, "reader@example.com", PASSWORD)
    page.goto(reverse("thread_detail", args=[community.slug, thread.pk]))
    target = page.locator(f"#comment-{second.pk}")

    # Reply: the page's one form opens under the second comment.
    form = page.locator("#reply-form")
    expect(form).to_be_hidden()
    target.get_by_role("button", name=korean("Reply"), exact=True).click()
    expect(form).to_be_visible()
    expect(
        page.locator(
            f"#comment-{second.pk} + #reply-form, "
            f"#comment-{second.pk} footer + #reply-form"
        )
    ).to_have_count(1)
    form.get_by_label(korean("Your reply")).fill(REPLY)
    screenshot("reply-form-under-the-comment")
    form.get_by_role("button", name=korean("Post reply")).click()
    expect(page).to_have_url(re.compile(r"#comment-\d+$"))
    reply = Comment.objects.get(body=REPLY)
    assert reply.parent_id == second.pk
    expect(page.locator(f"#comment-{reply.pk}")).to_contain_text(REPLY)

    # Report: the page's one report form, pointed at the first comment.
    page.locator(f"#comment-{first.pk}").get_by_role(
        "button", name=korean("Report"), exact=True
    ).click()
    report = page.locator("#report-form")
    expect(report).to_be_visible()
    report.get_by_label(korean("What is wrong with it?")).fill(REASON)
    report.get_by_role("button", name=korean("Send report")).click()
    expect(page.locator(".message-success")).to_have_text(
        korean("Thank you. The moderators will look at your report.")
    )
    assert Report.objects.get(reason=REASON).comment_id == first.pk

    # A reaction on a comment goes through htmx and is swapped in place.
    bar = page.locator(f"#comment-{first.pk} .reactions")
    empathy = bar.get_by_role("button", name=re.compile(rf"^\s*{korean('Relatable')}"))
    expect(empathy).to_have_attribute("aria-pressed", "false")
    url = page.url
    empathy.click()
    expect(
        page.locator(f"#comment-{first.pk} .reactions").get_by_role(
            "button", name=re.compile(rf"^\s*{korean('Relatable')}")
        )
    ).to_have_attribute("aria-pressed", "true")
    assert page.url == url
    screenshot("comment-reacted")
