"""An organiser schedules a message to the waitlist on a phone (390 px) and
at a desk (1280 px), sees it listed as scheduled, and, once its time has
come (the clock moved as the other journeys move it: in the database, the
job then run as the worker runs it), a waitlisted member finds it among
their notifications and reads it; a winner does not get it."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connections
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from community.models import Notification, NotificationKind
from events.models import ApplicationStatus, GatheringMessage, MessageStatus
from events.services.messages import message_send_task
from tests.browser.steps import korean, seoul_input
from tests.events.factories import gathering_drawn, with_status

pytestmark = [
    pytest.mark.browser,
    pytest.mark.once,
    pytest.mark.usefixtures("transactional_db", "server_password_hashing"),
]

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 900}
SUBJECT = "대기 중인 분들께 드리는 안내"
BODY = "자리가 나면 **바로** 알려 드려요.\n\n- 알림을 켜 두세요\n- 메일도 확인해 주세요"


def _job_run(message_id: int) -> None:
    """The queued job at the message's time, in a thread of its own as in a
    worker (it pushes unread counts, which cannot be done from the thread
    Playwright's event loop runs in)."""

    def run():
        try:
            message_send_task.call(message_id=message_id)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as worker:
        worker.submit(run).result()


@pytest.mark.parametrize("viewport", [PHONE, DESK], ids=["390", "1280"])
def test_an_organiser_schedules_a_message_that_reaches_the_waitlist(
    member_browser, screenshot, viewport
):
    gathering, _members = gathering_drawn(capacity=2, applicants=5)
    organiser = gathering.created_by
    waiting = with_status(gathering, ApplicationStatus.WAITLISTED)[0].member
    winner = with_status(gathering, ApplicationStatus.OFFERED)[0].member
    width = viewport["width"]
    messages_url = reverse(
        "gathering_messages", args=[gathering.community.slug, gathering.pk]
    )

    # The organiser, from the dashboard to the messages page.
    page = member_browser(organiser).new_page()
    page.set_viewport_size(viewport)
    page.goto(
        reverse("gathering_manage", args=[gathering.community.slug, gathering.pk])
    )
    page.locator(f"a[href='{messages_url}']").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        korean("Messages to applicants")
    )
    form = page.locator("form.message-form")
    form.locator("input[name=segment][value=waitlisted]").check()
    form.locator("input[name=subject]").fill(SUBJECT)
    form.locator("textarea[name=body]").fill(BODY)
    form.locator("input[name=when][value=later]").check()
    send_at = timezone.now() + timedelta(hours=2)
    form.locator("input[name=send_at]").fill(seoul_input(send_at))
    screenshot(f"message-written-{width}", page=page)
    form.get_by_role("button", name=korean("Send")).click()

    # Listed as scheduled, with the waitlist's size now and a cancel button.
    row = page.locator(".message-row", has_text=SUBJECT)
    expect(row).to_be_visible()
    expect(row.locator(".badge")).to_have_text(korean("Scheduled"))
    expect(row).to_contain_text(korean("%(count)s now") % {"count": 3})
    expect(row.get_by_role("button", name=korean("Cancel sending"))).to_be_visible()
    screenshot(f"message-scheduled-{width}", page=page)
    message = GatheringMessage.objects.get()
    assert message.status == MessageStatus.SCHEDULED
    assert not Notification.objects.filter(kind=NotificationKind.MESSAGE).exists()

    # Two hours later: the job runs at the message's time.
    GatheringMessage.objects.filter(pk=message.pk).update(
        send_at=timezone.now() - timedelta(minutes=1)
    )
    _job_run(message.pk)
    page.reload()
    expect(row.locator(".badge")).to_have_text(korean("Sent"))

    # The waitlisted member reads it from their notifications.
    reader = member_browser(waiting).new_page()
    reader.set_viewport_size(viewport)
    reader.goto(reverse("notification_list"))
    notice = reader.locator(".notification", has_text=SUBJECT)
    expect(notice).to_be_visible()
    notice.locator("button.notification-text").click()
    expect(reader.get_by_role("heading", level=1)).to_have_text(SUBJECT)
    expect(reader.locator(".post-body strong")).to_have_text("바로")
    screenshot(f"message-read-{width}", page=reader)

    # A winner is not on the waitlist: nothing for them.
    assert not Notification.objects.filter(
        recipient=winner, kind=NotificationKind.MESSAGE
    ).exists()
