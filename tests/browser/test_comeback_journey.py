"""Issue #19's journey: a member comes back. On a phone (ko, 390 px) and at
a desk (en, 1280 px), a member opens a thread and watches it through its
follow control; another member comments twice, the second time mentioning
them; the watcher is told of the first in the app, and the mention's push,
decrypted by our own push service (tests/push_server.py), is delivered to
their service worker and shown; the board page marks the thread with its
unread count, whose link lands on the divider before the first new
comment; and the morning's digest, in the outbox, lists the thread.

Watched posts are told in the app and by mail, not pushed (the issue's push
kinds are replies and mentions, community.services.notifications), hence
the mention. The comments are written through the service the comment form
calls, in a thread of their own as a worker runs jobs (they push unread
counts, which cannot be done from the thread Playwright's event loop runs
in); so is the digest, run for the next morning at 7 in Seoul if it is
earlier than that now (the run sends nothing before)."""

import json
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.db import connections
from django.urls import reverse
from django.utils import timezone, translation
from playwright.sync_api import expect

from community.access import access_for
from community.display import display_name
from community.models import Notification, NotificationKind
from community.roles import JobRole
from community.services.communities import community_create, community_join
from community.services.digest import SEND_FROM_HOUR, digests_send_due
from community.services.threads import comment_create, thread_create
from tests.browser.steps import (
    notifications_shown,
    push_deliver_in_worker,
    service_worker_activate,
    translated,
)
from tests.community.test_push import arrived, device_of
from tests.factories import member_create

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 900}
TITLE = "신입 온보딩 체크리스트 공유해요"


def _in_a_worker(function, **kwargs):
    """``function(**kwargs)`` in a thread of its own, as a worker runs it."""

    def run():
        try:
            return function(**kwargs)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as worker:
        return worker.submit(run).result()


def _morning(now):
    """``now``, or the next 7 o'clock in Seoul if it is earlier than that."""
    local = timezone.localtime(now)
    if local.hour >= SEND_FROM_HOUR:
        return now
    return local.replace(hour=SEND_FROM_HOUR, minute=0, second=0, microsecond=0)


def _precedes(page, first_id: str, second_id: str) -> bool:
    return page.evaluate(
        """([a, b]) => Boolean(document.getElementById(a).compareDocumentPosition(
            document.getElementById(b)) & Node.DOCUMENT_POSITION_FOLLOWING)""",
        [first_id, second_id],
    )


@pytest.mark.parametrize(
    "browser_locale,viewport",
    [("ko-KR", PHONE), ("en-US", DESK)],
    ids=["ko-390", "en-1280"],
)
def test_a_member_watches_a_thread_and_comes_back_to_it(
    member_browser, live_asgi_server, push_server, screenshot, browser_locale, viewport
):
    language = browser_locale.split("-")[0]
    width = viewport["width"]
    starter = member_create(nickname="시작한이")
    watcher = member_create(nickname="comeback", language=language)
    replier = member_create(nickname="답하는이")
    community = community_create(
        name="퍼포먼스 마케팅", slug="perf", role=JobRole.BACKEND, owner=starter
    )
    for member in (watcher, replier):
        community_join(access=access_for(member, community))
    board = community.boards.first()
    thread = thread_create(
        access=access_for(starter, community),
        board=board,
        tag="question",
        title=TITLE,
        body="첫 주에 무엇을 하면 좋을까요?",
    )
    earlier = comment_create(
        access=access_for(starter, community), thread=thread, body="저부터 적어 볼게요."
    )
    thread_url = reverse("thread_detail", args=[community.slug, thread.pk])

    # The watcher reads the thread and chooses to watch it.
    page = member_browser(watcher).new_page()
    page.set_viewport_size(viewport)
    page.goto(thread_url)
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    control = page.locator("details.follow-control")
    # It tracks the thread, as it tracks its communities by default.
    expect(control.locator(".follow-level")).to_have_text(
        translated("Tracking", language)
    )
    control.locator("summary").click()
    control.locator("label[for=follow-watching]").click()
    screenshot(f"comeback-follow-{width}", page=page)
    control.locator("form.follow-form button[type=submit]").click()
    control = page.locator("details.follow-control")
    expect(control.locator(".follow-level")).to_have_text(
        translated("Watching", language)
    )
    screenshot(f"comeback-watching-{width}", page=page)

    # Their browser takes pushes: the service worker, and a subscription
    # at our push service (as the settings page's button makes one).
    assert service_worker_activate(page) == "activated"
    device = device_of(watcher, push_server)

    # The other member comments, then mentions them.
    first = _in_a_worker(
        comment_create,
        access=access_for(replier, community),
        thread=thread,
        body="저는 첫날 계정부터 만들어요.",
    )
    second = _in_a_worker(
        comment_create,
        access=access_for(replier, community),
        thread=thread,
        body="@comeback 님은 어떻게 하세요?",
    )
    assert Notification.objects.filter(
        recipient=watcher, kind=NotificationKind.POST, comment=first
    ).exists()

    # The mention's push, decrypted by our push service, reaches the worker.
    (payload,) = arrived(push_server, device)
    said = translated("%(name)s mentioned you.", language) % {
        "name": display_name(replier, community)
    }
    assert payload["title"] == TITLE
    assert payload["body"] == said
    sent = urlsplit(payload["url"])
    payload["url"] = f"{live_asgi_server.url}{sent.path}#{sent.fragment}"
    push_deliver_in_worker(page, json.dumps(payload, ensure_ascii=False))
    (shown,) = notifications_shown(page)
    assert shown["title"] == TITLE
    assert shown["body"] == said
    assert shown["url"] == f"{live_asgi_server.url}{thread_url}#comment-{second.pk}"

    # The board marks the thread with its two unread comments.
    page.goto(reverse("board_detail", args=[community.slug, board.slug]))
    mark = page.locator(f".unread-mark[data-thread='{thread.pk}'] a.badge-unread")
    with translation.override(language):
        two_unread = translation.ngettext("%(count)s unread", "%(count)s unread", 2) % {
            "count": 2
        }
    expect(mark).to_have_text(two_unread)
    screenshot(f"comeback-board-{width}", page=page)

    # Its link lands on the divider, between what was read and what is new.
    mark.click()
    expect(page).to_have_url(f"{live_asgi_server.url}{thread_url}?page=unread#unread")
    divider = page.locator("#unread.unread-divider")
    expect(divider).to_have_text(translated("New since your last visit", language))
    expect(divider).to_be_in_viewport()
    assert _precedes(page, f"comment-{earlier.pk}", "unread")
    assert _precedes(page, "unread", f"comment-{first.pk}")
    # The comments' reaction buttons look like the thread's (smaller).
    thread_button = page.locator("#thread-reactions button.reaction").first
    comment_button = page.locator(f"#comment-{first.pk} .reactions button").first
    expect(comment_button).to_have_css(
        "border-radius", thread_button.evaluate("b => getComputedStyle(b).borderRadius")
    )
    screenshot(f"comeback-divider-{width}", page=page)

    # The morning's digest lists the thread, in the watcher's language.
    mail.outbox.clear()
    _in_a_worker(digests_send_due, now=_morning(timezone.now()))
    (digest,) = [m for m in mail.outbox if m.to == [watcher.email]]
    assert TITLE in digest.body
    html, _ = digest.alternatives[0]
    assert TITLE in html
    assert f"{thread_url}" in digest.body
