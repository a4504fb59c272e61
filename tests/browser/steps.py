"""Steps that several browser journeys take, each done the way a member does
it: through the pages, in whichever language the page is shown.

A step looks elements up by form names, actions and ids, and compares texts
with what the catalogue gives for the page's language (``translated``), so
the same step serves a Korean and an English journey. Moving a gathering's
clock is the one thing done in the database: the server runs on real time,
and the next page access applies whatever fell due, as in production.
"""

import base64
import html
import io
import re
import zipfile
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import connections
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from playwright.sync_api import expect

from events.models import Gathering, Survey
from events.services.lifecycle import gathering_advance
from tests.browser.conftest import url_in
from tests.events.factories import guards_bypassed

HANGUL = re.compile(r"[가-힣]")
SEOUL = ZoneInfo("Asia/Seoul")
# The machines that run the journeys are loaded: give every wait some room.
TIMEOUT_MS = 20_000
# A gathering's schedule, every field the lifecycle reads a time from.
SCHEDULE_FIELDS = (
    "applications_open_at",
    "applications_close_at",
    "starts_at",
    "ends_at",
    "frozen_at",
)


# --- Words ------------------------------------------------------------------------


def translated(text: str, language: str = "ko", context: str | None = None) -> str:
    """``text`` (in ``context``, if given) as the site shows it in
    ``language``; in Korean it must really be translated."""
    with translation.override(language):
        result = (
            translation.pgettext(context, text)
            if context
            else translation.gettext(text)
        )
    if language == "ko":
        assert HANGUL.search(result), f"No Korean translation for {text!r}"
    return result


def korean(text: str, context: str | None = None) -> str:
    return translated(text, "ko", context)


# --- Pages ------------------------------------------------------------------------


def roomy(page):
    """Raise the waits of ``page`` (and of ``expect``, which every new page
    resets) for a loaded machine."""
    page.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    return page


def unread_badge(page):
    return page.locator("header .nav-notifications .badge-count:visible")


def action_button(page, action: str):
    """The submit button of the form posting to ``.../<action>/``."""
    return page.locator(f"form[action$='/{action}/'] button[type=submit]")


def success_message(page):
    return page.locator(".message-success")


# --- Accounts ---------------------------------------------------------------------


def sign_in(page, email: str, password: str, language: str = "ko") -> None:
    """Sign in through the navigation's link and the sign-in form."""
    page.goto("/")
    page.locator("header nav").get_by_role(
        "link", name=translated("Sign in", language)
    ).click()
    expect(page).to_have_url(re.compile(re.escape(reverse("account_login"))))
    form = page.locator("main form")
    form.locator("input[name=login]").fill(email)
    form.locator("input[name=password]").fill(password)
    form.get_by_role("button", name=translated("Sign In", language)).click()
    expect(page).to_have_url(re.compile(re.escape(reverse("home")) + "$"))
    expect(
        page.get_by_role("button", name=translated("Sign out", language))
    ).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", language)


def sign_up(
    page, mailbox, *, email: str, real_name: str, password: str, screenshot
) -> None:
    """From the home page's sign-up link to the confirmed address: the form,
    the mail the server sent, its link and the confirmation button. Ends
    signed in, on the profile page that welcomes a new member."""
    page.locator(f"main a[href='{reverse('account_signup')}']").click()
    expect(page).to_have_url(re.compile(re.escape(reverse("account_signup")) + "$"))
    form = page.locator("main form")
    form.locator("input[name=email]").fill(email)
    form.locator("input[name=real_name]").fill(real_name)
    form.locator("input[name=password1]").fill(password)
    form.locator("input[name=password2]").fill(password)
    # The required consents (the terms, personal information, being 14 or
    # older); email news is left to the member and stays unticked.
    for box in ("agree_terms", "agree_privacy", "agree_age"):
        form.locator(f"input[name={box}]").check()
    expect(form.locator("input[name=agree_marketing]")).not_to_be_checked()
    screenshot("signup-filled")
    form.get_by_role("button").click()
    expect(page).to_have_url(
        re.compile(re.escape(reverse("account_email_verification_sent")))
    )
    # The link can be sent again from here (allauth's flow and limit).
    expect(page.locator("#verification-resend button[type=submit]")).to_be_visible()
    screenshot("verification-sent")

    page.goto(url_in(mailbox.latest_to(email), "/accounts/confirm-email/"))
    screenshot("confirm-email")
    page.locator("main form").get_by_role("button").click()
    expect(page).to_have_url(re.compile(re.escape(reverse("profile_edit"))))


def kakao_sign_up(
    page, oauth, *, person, real_name: str, language: str = "ko", screenshot
) -> None:
    """From the home page: the sign-in page's Kakao button, Kakao's consent
    page (the tests' OAuth server, ``oauth``, where ``person`` is signed in),
    then Moim's sign-up form with the address Kakao gave, the name and the
    required consents. Ends signed in, on the profile page that welcomes a
    new member."""
    oauth.sign_in("kakao", person)
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
    expect(page).to_have_url(re.compile(re.escape(oauth.base_url)))
    screenshot("provider-consent")
    page.get_by_role("button", name="동의하고 계속하기").click()

    # Back at Moim: the sign-up form, with the address Kakao gave.
    expect(page).to_have_url(re.compile(re.escape(reverse("socialaccount_signup"))))
    expect(page.locator("html")).to_have_attribute("lang", language)
    form = page.locator("main form")
    expect(form.locator("input[name=email]")).to_have_value(person.email)
    form.locator("input[name=real_name]").fill(real_name)
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


def profile_complete(
    page, *, nickname: str, role: str, experience: str, screenshot
) -> None:
    """On the welcome page: a nickname to be shown by, a job role and an
    experience band (none chosen for the member). Saving joins the member to
    their role's open community and lands there (on the home page when
    there is none), welcomed; then the navigation's one link to the profile.
    Ends on the member's public profile."""
    form = page.locator("main form")
    expect(form.locator("select[name=role]")).to_have_value("")
    form.locator("input[name=nickname]").fill(nickname)
    form.locator("input[name=display_mode][value=nickname]").check()
    form.locator("select[name=role]").select_option(role)
    form.locator("select[name=experience]").select_option(experience)
    screenshot("profile-filled")
    form.get_by_role("button").click()
    expect(page).to_have_url(re.compile(r"/(c/[\w-]+/)?$"))
    expect(success_message(page)).to_be_visible()
    screenshot("welcomed")
    page.locator("#nav-profile").click()
    expect(page).to_have_url(re.compile(r"/members/[\w-]+/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(nickname)


def data_download(page, *, language: str = "ko", screenshot) -> zipfile.ZipFile:
    """From the profile page: the data page, the request, and, once the task
    built it, the ZIP downloaded through its link. Returns the archive."""
    page.goto(reverse("profile_edit"))
    page.get_by_role("link", name=translated("Download your data", language)).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        translated("Your data", language)
    )
    screenshot("data-page")
    page.get_by_role("button", name=translated("Request my data", language)).click()
    expect(success_message(page)).to_be_visible()
    page.reload()
    link = page.get_by_role("link", name=translated("Download ZIP", language))
    expect(link).to_be_visible()
    screenshot("data-ready")
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert re.fullmatch(r"moim-data-\d{8}\.zip", download.suggested_filename)
    with open(download.path(), "rb") as file:
        archive = zipfile.ZipFile(io.BytesIO(file.read()))
    html_text = archive.read("moim-data/index.html").decode()
    assert translated("Your data at Moim", language) in html_text
    return archive


def leave_ask(page, page_problems, *, language: str = "ko", screenshot) -> None:
    """From the profile page: the leaving page, which says what happens, its
    confirmation ticked and the deletion asked for. Ends on the page that
    asks the member to confirm it is them."""
    page.goto(reverse("profile_edit"))
    page.get_by_role("link", name=translated("Leave Moim", language)).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        translated("Leave Moim", language)
    )
    expect(page.locator("main")).to_contain_text(
        translated("What stays, without your name", language)
    )
    screenshot("leave-page")
    page.get_by_label(
        translated(
            "I understand that my account and personal data are deleted for good.",
            language,
        )
    ).check()
    page.get_by_role("button", name=translated("Delete my account", language)).click()
    expect(page).to_have_url(re.compile(re.escape(reverse("account_reauthenticate"))))
    screenshot("reauthenticate")
    # Leaving closes the member's sockets; the page's live socket tries
    # again, and an account that is gone is refused.
    page_problems.expect_console_error(
        r"WebSocket connection to .*/ws/me/' failed: .* 403"
    )


def leave_done(page, *, language: str = "ko", screenshot) -> None:
    """After the member confirmed it is them: home, said goodbye to, and
    signed out."""
    expect(page).to_have_url(re.compile(re.escape(reverse("home")) + "$"))
    expect(success_message(page)).to_have_text(
        translated(
            "Your account is deleted and your personal data destroyed. Goodbye.",
            language,
        )
    )
    expect(
        page.locator("header nav").get_by_role(
            "link", name=translated("Sign in", language)
        )
    ).to_be_visible()
    screenshot("left")


def former_members_thread_read(
    visitor, *, url: str, title: str, names: tuple[str, ...], language: str, screenshot
) -> None:
    """A visitor reads a thread whose author left: written by a former
    member, and none of their names anywhere on the page."""
    visitor.goto(url)
    expect(visitor.get_by_role("heading", level=1)).to_have_text(title)
    author = visitor.locator(".thread").get_by_text(
        translated("former member", language)
    )
    expect(author.first).to_be_visible()
    body = visitor.locator("main").inner_text()
    assert not [name for name in names if name in body]
    screenshot("thread-by-former-member", page=visitor)


# --- Communities and threads ------------------------------------------------------


def community_joined(page, language: str = "ko") -> None:
    """The community page open is one the member belongs to (the welcome
    joined them to their role's): no join button, the member badge."""
    expect(
        page.get_by_role("button", name=translated("Join this community", language))
    ).to_have_count(0)
    expect(page.locator(".community-actions .badge")).to_have_text(
        translated("Member", language)
    )


def community_join(page, community_name: str, language: str = "ko") -> None:
    """Join the community whose page is open."""
    page.get_by_role("button", name=translated("Join this community", language)).click()
    welcome = translated("Welcome to %(community)s.", language) % {
        "community": community_name
    }
    expect(success_message(page)).to_have_text(welcome)
    expect(page.locator(".community-actions .badge")).to_have_text(
        translated("Member", language)
    )


def thread_post(
    page,
    *,
    board_name: str,
    title: str,
    tag: str,
    body: str,
    language: str = "ko",
    screenshot,
) -> None:
    """From the community's page: the board, its "new thread" form, posted.
    Ends on the thread's page."""
    page.locator(".board-list").get_by_role("link", name=board_name, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(board_name)
    page.get_by_role("link", name=translated("New thread", language)).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        translated("New thread", language)
    )
    page.get_by_label(translated("Title", language)).fill(title)
    page.get_by_label(translated("Tag", language)).select_option(
        label=translated(tag, language)
    )
    page.get_by_label(translated("Body", language)).fill(body)
    screenshot("new-thread-filled")
    page.get_by_role("button", name=translated("Post thread", language)).click()
    expect(page).to_have_url(re.compile(r"/c/[\w-]+/t/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(title)


# --- Gatherings -------------------------------------------------------------------


def seoul_input(when: datetime) -> str:
    """A ``datetime-local`` value in Korean time, as an organiser types it."""
    return timezone.localtime(when, SEOUL).strftime("%Y-%m-%dT%H:%M")


def gathering_create(
    page,
    *,
    title: str,
    description: str,
    video_link: str,
    starts: datetime,
    ends: datetime,
    capacity: int,
    opens: datetime,
    closes: datetime,
    motivation_prompt: str,
    link_release_hours: int,
    language: str = "ko",
    screenshot,
) -> None:
    """From the community's page, an online lottery gathering through the
    organisers' form, saved as a draft. Ends on its dashboard."""
    page.locator(".community-actions a[href$='/g/new/']").click()
    expect(page).to_have_url(re.compile(r"/c/[\w-]+/g/new/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        translated("New gathering", language)
    )
    form = page.locator("form.gathering-form")
    form.locator("input[name=title]").fill(title)
    form.locator("textarea[name=description]").fill(description)
    form.locator("input[name=format][value=online]").check()
    form.locator("input[name=video_link]").fill(video_link)
    form.locator("input[name=starts_at]").fill(seoul_input(starts))
    form.locator("input[name=ends_at]").fill(seoul_input(ends))
    form.locator("input[name=capacity]").fill(str(capacity))
    form.locator("input[name=selection_mode][value=lottery]").check()
    form.locator("input[name=applications_open_at]").fill(seoul_input(opens))
    form.locator("input[name=applications_close_at]").fill(seoul_input(closes))
    form.locator("input[name=motivation_prompt]").fill(motivation_prompt)
    # The hour-based settings are folded under "Advanced settings".
    form.locator("#advanced-settings > summary").click()
    expect(form.locator("input[name=claim_window_hours]")).to_have_value("24")
    form.locator("input[name=link_release_hours]").fill(str(link_release_hours))
    expect(form.locator("input[name=offer_cutoff_hours]")).to_have_value("2")
    screenshot("gathering-form-filled")
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/c/[\w-]+/g/\d+/manage/$"))


def gathering_publish(page, language: str = "ko") -> None:
    """From a draft's dashboard: the publish button, the confirmation that
    says what publishing does, and its button. Ends on the share page."""
    page.locator(".manage-actions a[href$='/publish/']").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        translated("Publish this gathering?", language)
    )
    page.locator("#publish-confirm").click()
    expect(page).to_have_url(re.compile(r"/c/[\w-]+/g/\d+/share/$"))


def my_status(page):
    """The member's application status on a gathering's page."""
    return page.locator("#my-application dl.facts dd strong")


def gathering_schedule_shift(gathering: Gathering, by: timedelta) -> None:
    """Move the gathering's whole schedule ``by`` (earlier when negative), as
    if that much time had passed the other way, and make it due now: the next
    page access applies whatever fell due. Time travel rewrites what the
    database guards once the list is frozen (``frozen_at``): it writes as
    the database's owner would."""
    with guards_bypassed():
        Gathering.objects.filter(pk=gathering.pk).update(
            **{name: F(name) + by for name in SCHEDULE_FIELDS},
            next_due_at=timezone.now(),
        )


def join_url_follow(page, page_problems, video_link: str, video_host: str):
    """Follow the personal join link on the gathering's page to the video
    link, and return the join URL's answer (its redirect).

    The video service is faked inside the browser, so nothing leaves the
    machine, and the one request to it is declared rather than reported.
    page.route cannot do it: Playwright never routes the hops of a redirect,
    so the target is caught with Chromium's own Fetch interception instead.
    """
    join_link = page.locator(".join-link a.button")
    expect(join_link).to_have_attribute("href", re.compile(r"^/join/[\w-]+/$"))
    reached = []
    video_service = page.context.new_cdp_session(page)

    def fake_video_service(event) -> None:
        reached.append(event["request"]["url"])
        body = (
            f"<!doctype html><html lang=en><head><title>{video_host}</title>"
            "<link rel=icon href='data:,'></head>"
            f"<body><h1>{video_host} (faked by the test)</h1></body></html>"
        )
        video_service.send(
            "Fetch.fulfillRequest",
            {
                "requestId": event["requestId"],
                "responseCode": 200,
                "responseHeaders": [
                    {"name": "Content-Type", "value": "text/html; charset=utf-8"}
                ],
                "body": base64.b64encode(body.encode()).decode(),
            },
        )

    video_service.on("Fetch.requestPaused", fake_video_service)
    video_service.send("Fetch.enable", {"patterns": [{"urlPattern": f"{video_host}*"}]})
    page_problems.expect_request(video_link)
    join_path = join_link.get_attribute("href")
    with page.expect_response(lambda r: r.url.endswith(join_path)) as redirect_info:
        join_link.click()
    expect(page).to_have_url(video_link)
    assert reached == [video_link]
    video_service.send("Fetch.disable")
    video_service.detach()
    return redirect_info.value


# --- Chat -------------------------------------------------------------------------


def chat_log(page):
    return page.locator("[data-chat-log]")


def composer(page):
    return page.locator("[data-chat-input]")


# --- After the gathering ----------------------------------------------------------


def survey_answer(
    page, *, rating: int, comment: str, language: str = "ko", screenshot=None
) -> None:
    """From the gathering's page: the survey's link, the form, sent. The
    member then sees that they answered, never what."""
    page.locator("#survey-answer-link").click()
    expect(page.locator("h1")).to_have_text(
        translated("How was the gathering?", language)
    )
    page.locator(f"input[name=satisfaction][value='{rating}']").check()
    page.locator("textarea[name=useful]").fill(comment)
    page.locator("input[name=again][value=yes]").check()
    if screenshot:
        screenshot("survey-filled", page=page)
    page.get_by_role("button", name=translated("Send my answers", language)).click()
    expect(page.locator("#survey-answered")).to_contain_text(
        translated("Answered", language)
    )
    expect(page.locator("main")).not_to_contain_text(comment)


def takeaway_publish(
    page, *, learned: str, will_apply: str, language: str = "ko"
) -> None:
    """From the gathering's page: the takeaway form, shown to everyone,
    saved. Ends on the member's path."""
    page.locator("#takeaway-link").click()
    page.locator("textarea[name=learned]").fill(learned)
    page.locator("textarea[name=will_apply]").fill(will_apply)
    page.get_by_label(translated("Everyone", language)).check()
    page.get_by_role("button", name=translated("Save my takeaway", language)).click()
    expect(page).to_have_url(re.compile(r"/members/[\w-]+/path/$"))
    expect(page.locator(".path-takeaway")).to_contain_text(learned)


def survey_close(gathering: Gathering) -> None:
    """The lifecycle job, run at the survey's close as the task worker runs
    it. The close itself cannot be moved: the survey's settings lock when
    the first response arrives."""
    closes_at = Survey.objects.get(gathering=gathering).closes_at
    # In a thread of its own, as in a worker: the job broadcasts to the
    # gathering's room, which cannot be done from the thread Playwright's
    # event loop runs in.
    with ThreadPoolExecutor(max_workers=1) as worker:
        worker.submit(
            _in_own_connection,
            gathering_advance,
            gathering_id=gathering.pk,
            now=closes_at,
        ).result()


def _in_own_connection(function, **kwargs):
    try:
        return function(**kwargs)
    finally:
        connections.close_all()


def join_link_release_now(gathering: Gathering) -> None:
    """Bring the release of the personal join links to an hour ago."""
    gathering.refresh_from_db()
    Gathering.objects.filter(pk=gathering.pk).update(
        link_release_before=gathering.starts_at - timezone.now() + timedelta(hours=1)
    )


# --- The crowd ------------------------------------------------------------------


def form_submit(
    context, page_path: str, action: str | None = None, fields: dict | None = None
) -> str:
    """Submit, over HTTP as the member whose browser ``context`` it is, the
    form that the page at ``page_path`` shows them posting to ``action`` (the
    page itself when None): the page is read as their browser would, the
    form must be on it and its CSRF token is taken from it. Returns the text
    of the page the answer's redirect lands on."""
    response = context.request.get(page_path)
    assert response.ok, f"{page_path} answered {response.status}"
    forms = [
        body
        for attributes, body in re.findall(
            r"<form([^>]*)>(.*?)</form>", response.text(), re.S
        )
        if 'method="post"' in attributes
        and (re.search(r'action="([^"]*)"', attributes) or [None, None])[1] == action
    ]
    assert forms, f"No form posting to {action or page_path} on {page_path}"
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', forms[0])
    answer = context.request.post(
        action or page_path,
        form={"csrfmiddlewaretoken": token[1], **(fields or {})},
        headers={"Referer": response.url},
    )
    assert answer.ok, f"{action or page_path} answered {answer.status}"
    return html.unescape(answer.text())


# --- Language -------------------------------------------------------------------

# Every piece of text the page shows or reads out: text nodes, and the
# attributes a visitor sees (placeholders, tooltips) or hears (labels).
_PAGE_TEXTS = """() => {
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest("script, style, template, [hidden]")) continue;
    if (!parent.getClientRects().length) continue;
    const text = node.textContent.trim();
    if (text) texts.push(text);
  }
  for (const element of document.querySelectorAll(
      "[placeholder], [title], [aria-label], input[type=submit][value]")) {
    for (const name of ["placeholder", "title", "aria-label", "value"]) {
      if (name === "value" && element.type !== "submit") continue;
      const value = (element.getAttribute(name) || "").trim();
      if (value) texts.push(value);
    }
  }
  texts.push(document.title);
  return texts;
}"""
ENGLISH_WORDS = re.compile(r"[A-Za-z]{2,}(?:[ ,'’-]+[A-Za-z]{2,})+|[A-Za-z]{4,}")
# What a Korean page rightly writes in Latin letters: addresses, hashes, and
# the names of formats, keys and products.
NOT_WORDS = re.compile(r"https?://\S*|\S+@\S+|\b[0-9a-f]{8,}\b")
LATIN_IN_KOREAN = {
    "Asia/Seoul",
    "CSV",
    "Enter",
    "Google",
    "https",
    "JSON",
    "Meet",
    "Shift",
    "Teams",
    "xlsx",
    "Zoom",
}


def in_another_language(text: str, language: str, allowed: set[str]) -> bool:
    """Whether ``text`` has words that are not in ``language``: English on a
    Korean page, Hangul on an English one, once ``allowed`` (what members
    wrote, names, and the like) is left out."""
    rest = NOT_WORDS.sub(" ", text)
    if language == "ko":
        allowed = allowed | LATIN_IN_KOREAN
    for known in sorted(allowed, key=len, reverse=True):
        rest = rest.replace(known, " ")
    return bool((HANGUL if language == "en" else ENGLISH_WORDS).search(rest))


def texts_in_another_language(page, language: str, allowed: set[str]) -> list[str]:
    """The texts on ``page`` that are not in ``language`` (see
    ``in_another_language``)."""
    return [
        text
        for text in page.evaluate(_PAGE_TEXTS)
        if in_another_language(text, language, allowed)
    ]


# --- Web push in the service worker ---------------------------------------------------
# Headless Chromium reaches no real push service, so the service worker is
# given the push through the DevTools protocol, with a payload our server
# produced and our own push service (tests/push_server.py) decrypted.


def app_manifest(page) -> dict:
    """The web app manifest the page links to, as the browser fetches it."""
    href = page.locator("link[rel=manifest]").get_attribute("href")
    return page.evaluate("(href) => fetch(href).then((r) => r.json())", href)


def service_worker_activate(page) -> str:
    """Register /sw.js (as the settings page's button does) and wait until it
    is active; returns its state ("activated")."""
    return page.evaluate(
        """async () => {
            await navigator.serviceWorker.register("/sw.js", { scope: "/" });
            const registration = await navigator.serviceWorker.ready;
            const worker = registration.active;
            if (worker.state !== "activated") {
                await new Promise((done) => worker.addEventListener(
                    "statechange", () => worker.state === "activated" && done()));
            }
            return worker.state;
        }"""
    )


def service_worker_registration_id(cdp, origin: str) -> str:
    """The registration id of the service worker whose scope is the site's
    root, from ``ServiceWorker.workerRegistrationUpdated`` (sent for every
    registration once ServiceWorker.enable is called)."""
    found: list[str] = []
    scope = origin.rstrip("/") + "/"

    def on_update(event):
        for registration in event["registrations"]:
            if registration["scopeURL"] == scope and not registration["isDeleted"]:
                found.append(registration["registrationId"])

    cdp.on("ServiceWorker.workerRegistrationUpdated", on_update)
    cdp.send("ServiceWorker.enable")
    deadline = datetime.now() + timedelta(milliseconds=TIMEOUT_MS)
    while not found and datetime.now() < deadline:
        cdp.send("Runtime.evaluate", {"expression": "1"})  # let events arrive
    assert found, f"no service worker registered for {scope}"
    return found[-1]


def push_deliver_in_worker(page, data: str) -> None:
    """Hand ``data`` (a payload as a push service delivers it, decrypted) to
    the page's service worker as a push message."""
    origin = page.evaluate("location.origin")
    page.context.grant_permissions(["notifications"], origin=origin)
    cdp = page.context.new_cdp_session(page)
    registration_id = service_worker_registration_id(cdp, origin)
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {"origin": origin, "registrationId": registration_id, "data": data},
    )


def notifications_shown(page, count: int = 1) -> list[dict]:
    """The notifications the service worker shows (title, body, tag, the URL
    it opens), once there are ``count``."""
    script = """() => navigator.serviceWorker.ready
        .then((registration) => registration.getNotifications())
        .then((shown) => shown.map((n) => ({
            title: n.title, body: n.body, tag: n.tag,
            url: n.data && n.data.url })))"""
    # Asked again until they are there: the worker shows a notification
    # some time after the push event (a predicate returning a promise is
    # not awaited by wait_for_function: it passed at once, and CI once read
    # the list before the worker had shown it).
    deadline = datetime.now() + timedelta(milliseconds=TIMEOUT_MS)
    shown = page.evaluate(script)
    while len(shown) < count and datetime.now() < deadline:
        page.wait_for_timeout(50)
        shown = page.evaluate(script)
    assert len(shown) >= count, f"{len(shown)} notifications shown, {count} awaited"
    return shown
