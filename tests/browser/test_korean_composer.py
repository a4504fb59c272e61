"""Writing in Korean, in a real browser (issue 14, defects 1 and 10): the
composer previews a draft before it is posted, with Korean emphasis bold;
typing "@김" offers the community's members, and Enter picks one, but not
while the IME is still composing the syllable; the posted
thread shows the emphasis bold, not its asterisks. In the community's
lounge, an address in a message is a link and a mention is marked, live
and after a reload (history)."""

import re

import pytest
from django.contrib.auth.hashers import make_password
from django.urls import reverse
from playwright.sync_api import expect

from community.models import DisplayMode, Thread
from tests.browser.steps import chat_log, composer, korean, sign_in
from tests.browser.test_forum_journey import member_create
from tests.community.forum_data import community_make, join

pytestmark = [
    pytest.mark.browser,
    pytest.mark.usefixtures("transactional_db", "server_password_hashing"),
]

PASSWORD = "korean-Composer-2026!"
EMPHASIS = "**증분 매출(홀드아웃 테스트)**로 판단해요."
BOLD = "증분 매출(홀드아웃 테스트)"


def _bold(locator) -> None:
    expect(locator).to_have_text(BOLD)
    weight = locator.evaluate("node => getComputedStyle(node).fontWeight")
    assert int(weight) >= 600, weight


def test_a_member_previews_mentions_and_posts_korean_emphasis(
    page, live_asgi_server, screenshot
):
    password = make_password(PASSWORD)
    me = member_create("writer@example.com", "박작성", "작성자", password)
    friend = member_create("friend@example.com", "김민지", "민지", password)
    friend.display_mode = DisplayMode.REAL_NAME
    friend.save(update_fields=["display_mode"])
    stranger = member_create("stranger@example.com", "김외부", "외부인", password)
    community = community_make(name="퍼포먼스 마케팅", slug="perf-ko")
    join(me, community)
    join(friend, community)
    assert stranger.pk  # of no community here: never offered
    board = community.boards.order_by("position", "pk").first()

    sign_in(page, "writer@example.com", PASSWORD)
    page.goto(reverse("thread_create", args=[community.slug, board.slug]))
    page.get_by_label(korean("Title")).fill("홀드아웃 테스트 후기")
    body = page.get_by_label(korean("Body"))
    body.fill(EMPHASIS + " ")
    body.press("End")
    body.press_sequentially("@")
    # "김" as a Korean IME types it: offered while still being composed, but
    # the Enter that commits the syllable picks nobody.
    ime = page.context.new_cdp_session(page)
    ime.send(
        "Input.imeSetComposition",
        {"text": "김", "selectionStart": 1, "selectionEnd": 1},
    )
    suggestions = page.get_by_role("listbox", name=korean("Members to mention"))
    expect(suggestions.get_by_role("option")).to_have_count(1)
    expect(suggestions.get_by_role("option")).to_contain_text("김민지")
    screenshot("mention-suggestions")
    page.keyboard.press("Enter")
    page.wait_for_timeout(300)
    expect(body).not_to_have_value(re.compile("민지"))
    ime.send("Input.insertText", {"text": "김"})
    # Typed again without an IME: Enter picks the member offered.
    body.fill(EMPHASIS + " ")
    body.press("End")
    body.press_sequentially("@김")
    expect(suggestions.get_by_role("option")).to_have_count(1)
    body.press("Enter")
    expect(body).to_have_value(EMPHASIS + " @민지 ")
    expect(suggestions).to_be_hidden()

    page.get_by_role("button", name=korean("Preview")).click()
    preview = page.locator(".compose-preview")
    _bold(preview.locator("strong"))
    expect(preview.get_by_role("link", name="@민지")).to_be_visible()
    expect(preview).not_to_contain_text("**")
    screenshot("preview-before-posting")
    assert not Thread.objects.exists()

    page.get_by_role("button", name=korean("Post thread")).click()
    expect(page).to_have_url(re.compile(r"/c/perf-ko/t/\d+/$"))
    post = page.locator(".post-body").first
    _bold(post.locator("strong"))
    expect(post).not_to_contain_text("**")

    # The lounge: a link in a message opens, a mention is marked.
    page.goto(reverse("community_detail", args=[community.slug]))
    own_page = (
        f"{live_asgi_server.url}{reverse('community_detail', args=[community.slug])}"
    )
    composer(page).fill(
        f"자료는 {own_page} 참고해요. @민지 확인 부탁해요 "
        "<b>굵게</b> javascript:alert(1)"
    )
    composer(page).press("Enter")
    for reloaded in (False, True):
        if reloaded:
            page.reload()
        message = chat_log(page).locator(".chat-message").last
        link = message.get_by_role("link", name=own_page)
        expect(link).to_have_attribute("href", own_page)
        expect(link).to_have_attribute("rel", "noopener nofollow ugc")
        expect(message.locator(".chat-mention")).to_have_text("@민지")
        # Markup in a message is text; only http(s) addresses are links.
        expect(message).to_contain_text("<b>굵게</b> javascript:alert(1)")
        expect(message.locator("b")).to_have_count(0)
        expect(message.get_by_role("link")).to_have_count(1)
    screenshot("chat-link-and-mention")
    with page.context.expect_page() as opened:
        link.click()
    expect(opened.value).to_have_url(own_page)


def test_after_the_session_ends_the_preview_says_it_is_not_available(page):
    """The preview's request, once the session has expired, is answered
    with a redirect to the sign-in page: the preview says it is not
    available instead of showing that whole page inside the composer."""
    password = make_password(PASSWORD)
    me = member_create("writer@example.com", "박작성", "작성자", password)
    community = community_make(name="퍼포먼스 마케팅", slug="perf-ko")
    join(me, community)
    board = community.boards.order_by("position", "pk").first()
    sign_in(page, "writer@example.com", PASSWORD)
    page.goto(reverse("thread_create", args=[community.slug, board.slug]))
    page.get_by_label(korean("Body")).fill(EMPHASIS)
    # The session ends (the CSRF cookie stays, as it does when a session
    # expires).
    page.context.clear_cookies(name="sessionid")
    page.get_by_role("button", name=korean("Preview")).click()
    preview = page.locator(".compose-preview")
    expect(preview).to_contain_text(
        korean("The preview is not available right now; your text is safe.")
    )
    expect(preview.locator("form, input[name=password]")).to_have_count(0)
    expect(page.get_by_label(korean("Body"))).to_have_value(EMPHASIS)
