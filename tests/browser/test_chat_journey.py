"""A gathering's chat room in two browsers, in Korean: an attendee and an
organiser exchange messages; Enter while a Hangul syllable is still being
composed does not send; the server process restarts, a message is stored
while it is down, and both pages reconnect and show it; the organiser
deletes a message and it disappears for both.

The chat gets a server of its own, on a fixed port, so that it can be
stopped and started again mid-test without disturbing the other browser
tests' server.
"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from events.models import GatheringStatus
from realtime.services import message_send
from tests.browser.conftest import (
    LiveServer,
    PageProblems,
    Screenshots,
    _email_settings_deprecation_ignored,
    _open_page,
    server_settings,
)
from tests.browser.steps import chat_log, composer, roomy
from tests.browser.steps import korean as ko
from tests.realtime.conftest import scene_make, session_cookie
from tests.servers import (
    SERVER_HOST,
    _wait_for_sessions_to_end,
    daphne_start,
    daphne_stop,
)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


class RestartableServer:
    def __init__(self, mail_dir):
        self.mail_dir = mail_dir
        self.process = None
        self.port = None

    def start(self) -> None:
        with _email_settings_deprecation_ignored(), server_settings(self.mail_dir):
            self.process = daphne_start(self.port)
        self.port = self.process.port.value

    def stop(self) -> None:
        daphne_stop(self.process)
        _wait_for_sessions_to_end(self.process)

    @property
    def live(self) -> LiveServer:
        return LiveServer(
            url=f"http://{SERVER_HOST}:{self.port}", mail_dir=self.mail_dir
        )


@pytest.fixture
def chat_server(transactional_db, tmp_path):
    server = RestartableServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def chat_problems(chat_server) -> PageProblems:
    return PageProblems(server_netloc=chat_server.live.netloc)


def signed_in_page(chromium, server: RestartableServer, problems, member):
    page = _open_page(chromium, server.live, problems)
    roomy(page)
    page.context.add_cookies(
        [{"name": "sessionid", "value": session_cookie(member), "url": server.live.url}]
    )
    return page


def test_attendee_and_organiser_chat_through_a_server_restart(
    chromium, chat_server, chat_problems, request
):
    scene = scene_make(GatheringStatus.LIVE)
    attendee, organiser = scene.attendees[0], scene.organiser
    path = reverse("gathering_detail", args=[scene.community.slug, scene.gathering.pk])
    pages = {
        "attendee": signed_in_page(chromium, chat_server, chat_problems, attendee),
        "organiser": signed_in_page(chromium, chat_server, chat_problems, organiser),
    }
    directory = request.config.rootpath / "test-artifacts" / "chat-journey"
    shots = Screenshots(pages["attendee"], directory)
    directory.mkdir(parents=True, exist_ok=True)
    for page in pages.values():
        page.goto(path)
        expect(composer(page)).to_be_enabled()
        expect(page.locator("[data-chat-presence]")).to_contain_text(re.compile(r"\d"))
    alice, host = pages["attendee"], pages["organiser"]

    # --- 1. Korean messages both ways; Enter sends, Shift+Enter does not.
    composer(alice).fill("안녕하세요, 오늘 잘 부탁드려요!")
    expect(host.locator("[data-chat-typing]")).not_to_be_empty()
    composer(alice).press("Enter")
    for page in pages.values():
        expect(chat_log(page)).to_contain_text("안녕하세요, 오늘 잘 부탁드려요!")
    # Its time as the pages say one (community/timefmt.py): 오후 before it,
    # no leading zero ("오후 7:05", not "오후 07:05").
    expect(chat_log(alice).locator("time").first).to_have_text(
        re.compile(r"^(오전|오후) (1[0-2]|[1-9]):[0-5]\d$")
    )
    # Once the message is there, its author is no longer "typing": at once,
    # not when the notice would time out (4 s after the last keystroke).
    expect(host.locator("[data-chat-typing]")).to_be_empty(timeout=1_000)
    composer(host).fill("환영합니다. 10분 뒤에 시작해요.")
    host.get_by_role("button", name=ko("Send")).click()
    for page in pages.values():
        expect(chat_log(page)).to_contain_text("환영합니다. 10분 뒤에 시작해요.")
    shots("two-messages", page=alice)

    # --- 2. Enter while an IME is composing a syllable commits it, no send.
    composer(alice).fill("질문이 있어")
    cdp = alice.context.new_cdp_session(alice)
    cdp.send(
        "Input.imeSetComposition",
        {"text": "요", "selectionStart": 1, "selectionEnd": 1},
    )
    alice.keyboard.press("Enter")
    alice.wait_for_timeout(500)
    expect(chat_log(host)).not_to_contain_text("질문이 있어")
    cdp.send("Input.insertText", {"text": "요"})
    expect(composer(alice)).to_have_value(re.compile("질문이 있어.*요"))
    composer(alice).press("Enter")
    expect(chat_log(host)).to_contain_text("질문이 있어")
    expect(composer(alice)).to_have_value("")

    # --- 3. The server process restarts; a message is stored meanwhile.
    chat_problems.expect_console_error(r"WebSocket connection to .* failed")
    chat_server.stop()
    for page in pages.values():
        expect(page.locator("[data-chat-status]")).to_have_text(
            ko("Connection lost. Reconnecting…")
        )
        expect(composer(page)).to_be_disabled()
    shots("reconnecting", page=alice)
    message_send(
        member=organiser, key=scene.room, body="서버가 멈춘 사이의 공지", client_id="x"
    )
    chat_server.start()
    for page in pages.values():
        expect(chat_log(page)).to_contain_text("서버가 멈춘 사이의 공지")
        expect(page.locator("[data-chat-status]")).to_have_text("")
        expect(composer(page)).to_be_enabled()
    shots("resynced", page=alice)

    # --- 4. The organiser deletes the attendee's first message.
    # Its tools are one menu per message: no links under every message, a
    # toggle and items big enough to tap (44 px), opened from the keyboard.
    host.once("dialog", lambda dialog: dialog.accept())
    first = chat_log(host).locator("li", has_text="안녕하세요, 오늘 잘 부탁드려요!")
    expect(first.get_by_role("button", name=ko("Delete"))).to_be_hidden()
    toggle = first.locator("summary")
    expect(toggle).to_have_attribute("aria-label", re.compile(".+"))
    toggle.focus()
    host.keyboard.press("Enter")
    delete = first.get_by_role("button", name=ko("Delete"))
    expect(delete).to_be_visible()
    for target in [toggle, delete, first.get_by_role("button", name=ko("Pin"))]:
        box = target.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44, box
    shots("moderation-menu", page=host)
    delete.focus()
    host.keyboard.press("Enter")
    for page in pages.values():
        expect(chat_log(page)).not_to_contain_text("안녕하세요, 오늘 잘 부탁드려요!")
        expect(chat_log(page)).to_contain_text("환영합니다. 10분 뒤에 시작해요.")
    # The attendee sees no moderation tools.
    expect(chat_log(alice).get_by_role("button", name=ko("Delete"))).to_have_count(0)
    shots("deleted", page=host)
    shots("deleted-attendee", page=alice)

    for page in pages.values():
        page.context.close()
    found = chat_problems.take()
    assert not found, "The browser reported:\n" + "\n".join(found)
