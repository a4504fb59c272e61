"""Web push in Chromium's service worker: the app's manifest, the service
worker registering and activating at the site's root, and a push our
server sent for a reply, decrypted by our own push service
(tests/push_server.py), delivered to the worker through the DevTools
protocol (headless Chromium reaches no real push service) and shown as a
notification with the reply's title and page."""

import json
from urllib.parse import urlsplit

import pytest

from community.access import access_for
from community.services.threads import comment_create
from tests.browser.steps import (
    app_manifest,
    notifications_shown,
    push_deliver_in_worker,
    service_worker_activate,
)
from tests.community.test_push import arrived, device_of, forum

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def test_a_reply_push_is_shown_by_the_service_worker(
    member_browser, live_asgi_server, push_server
):
    author, replier, community, thread = forum("ko")
    browser = device_of(author, push_server)
    comment = comment_create(
        access=access_for(replier, community), thread=thread, body="이렇게 나눠요"
    )
    (payload,) = arrived(push_server, browser)
    # The payload leads to the server the browser speaks to.
    sent = urlsplit(payload["url"])
    payload["url"] = f"{live_asgi_server.url}{sent.path}#{sent.fragment}"

    page = member_browser(author).new_page()
    page.goto("/me/notification-settings/")
    manifest = app_manifest(page)
    assert manifest["name"] == "모임"
    assert {icon["sizes"] for icon in manifest["icons"]} == {"192x192", "512x512"}
    assert service_worker_activate(page) == "activated"

    push_deliver_in_worker(page, json.dumps(payload, ensure_ascii=False))

    (shown,) = notifications_shown(page)
    assert shown["title"] == thread.title
    assert shown["body"] == payload["body"]
    assert shown["url"].endswith(f"/{thread.pk}/#comment-{comment.pk}")
    assert shown["url"].startswith(live_asgi_server.url)


def test_a_push_leading_elsewhere_opens_the_site_instead(
    member_browser, live_asgi_server, push_server
):
    author, *_ = forum("ko")
    page = member_browser(author).new_page()
    page.goto("/me/notification-settings/")
    service_worker_activate(page)

    push_deliver_in_worker(
        page,
        json.dumps(
            {"title": "x", "body": "y", "tag": "t", "url": "https://evil.example/"}
        ),
    )

    (shown,) = notifications_shown(page)
    assert shown["url"] == live_asgi_server.url + "/"
