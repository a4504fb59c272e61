"""A member over the socket cap (docs/realtime.md, "Sockets per member")
sees why, in Korean, on the page whose sockets were refused: static/js/
live.js shows the refusal's words in the room's error line and among the
page's messages, and the room's form stays shut."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from events.models import GatheringStatus
from tests.browser.steps import composer, roomy
from tests.browser.steps import korean as ko
from tests.realtime.conftest import scene_make

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

TOO_MANY = (
    "You have too many pages open at once (at most %(limit)s live connections). "
    "Close some and reload this page."
)
HOLD_SOCKETS = """async ([path, count]) => {
  const url = "ws://" + window.location.host + path;
  window.heldSockets = [];
  await Promise.all(Array.from({ length: count }, () => new Promise((resolve) => {
    const socket = new WebSocket(url);
    socket.onmessage = resolve;  // its hello: the server counted it
    window.heldSockets.push(socket);
  })));
}"""


def over_the_cap(member_browser, *, clock: bool = False):
    """A first page of a live room holding all 20 of its member's sockets
    (its room, its unread count and 18 more), and a second page of the same
    room opened after them; ``clock`` installs the second page's fake clock
    first."""
    scene = scene_make(GatheringStatus.LIVE)
    path = reverse("gathering_detail", args=[scene.community.slug, scene.gathering.pk])
    context = member_browser(scene.attendees[0])
    first = roomy(context.new_page())
    first.goto(path)
    expect(composer(first)).to_be_enabled()
    first.evaluate(HOLD_SOCKETS, [f"/ws/rooms/{scene.room}/", 18])
    second = roomy(context.new_page())
    if clock:
        second.clock.install()
    second.goto(path)
    return first, second


def test_a_page_over_the_socket_cap_says_why(member_browser):
    first, second = over_the_cap(member_browser)

    words = ko(TOO_MANY) % {"limit": 20}
    expect(second.locator("[data-chat-error]")).to_have_text(words)
    expect(second.locator("[data-live-problem]")).to_have_text(words)
    expect(composer(second)).to_be_disabled()
    expect(composer(first)).to_be_enabled()


RELEASE_SOCKETS = """async () => {
  await Promise.all(window.heldSockets.map((socket) => new Promise((resolve) => {
    socket.onclose = resolve;
    socket.close();
  })));
}"""


def test_a_refused_page_tries_once_more_after_the_slots_lifetime(member_browser):
    # Slots held by a server process that died free themselves after their
    # lifetime (the refusal's retry_after); the page tries again then, and
    # gets in if places are free, without a reload. Here the places are
    # freed by closing the held sockets, and the page's clock is moved on.
    first, second = over_the_cap(member_browser, clock=True)
    words = ko(TOO_MANY) % {"limit": 20}
    expect(second.locator("[data-chat-error]")).to_have_text(words)
    expect(second.locator("[data-live-problem]")).to_have_text(words)

    first.evaluate(RELEASE_SOCKETS)
    first.wait_for_timeout(500)
    second.clock.run_for(60_000)
    expect(composer(second)).to_be_disabled()  # not before the lifetime
    second.clock.run_for(36_000)

    expect(composer(second)).to_be_enabled()
    expect(second.locator("[data-chat-error]")).to_be_hidden()
    expect(second.locator("[data-live-problem]")).to_have_count(0)
