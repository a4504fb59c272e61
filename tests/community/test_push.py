"""Web push (community.push): subscriptions, the payloads each kind sends,
decrypted by the tests' own push service (tests/push_server.py, which also
checks the VAPID signature), the switches, expired subscriptions, retries,
the service worker and the manifest."""

import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from community import push
from community.access import access_for
from community.checks import check_vapid_keys
from community.models import Membership, MembershipRole, PushSubscription, SanctionKind
from community.roles import JobRole
from community.services import push as push_services
from community.services.communities import community_create, community_join
from community.services.moderation import sanction_impose
from community.services.preferences import preferences_update
from community.services.threads import comment_create, thread_create
from community.tasks import push_deliver
from events.models import Application, ApplicationStatus
from events.services.applications import application_withdraw
from events.services.lifecycle import gathering_advance
from events.services.offers import offer_confirm
from tests.events.factories import by_rank, gathering_drawn
from tests.events.test_reminders import MARKER, first_come_gathering
from tests.factories import client_sign_in, member_create

pytestmark = pytest.mark.django_db

SUBSCRIBE = "/me/push/subscribe/"
UNSUBSCRIBE = "/me/push/unsubscribe/"


def device_of(member, push_server):
    """A browser of ``member`` subscribed with the site's key."""
    browser = push_server.subscribe(server_key=push.vapid_key().public)
    push_services.subscription_add(
        member=member,
        endpoint=browser.endpoint,
        p256dh=browser.keys["p256dh"],
        auth=browser.keys["auth"],
        user_agent="Mozilla/5.0 (Linux; Android 14) Chrome/131.0 Mobile Safari/537.36",
    )
    return browser


def arrived(push_server, browser) -> list[dict]:
    return [r.payload for r in push_server.delivered() if r.subscription == browser.id]


def forum(language_of_author="ko"):
    author = member_create(language=language_of_author)
    replier = member_create(nickname="답하는이")
    community = community_create(
        name="퍼포먼스 마케팅", slug="perf", role=JobRole.BACKEND, owner=author
    )
    community_join(access=access_for(replier, community))
    thread = thread_create(
        access=access_for(author, community),
        board=community.boards.first(),
        tag="question",
        title="광고 예산은 어떻게 나누나요?",
        body="본문",
    )
    return author, replier, community, thread


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


# --- Replies and mentions -----------------------------------------------------------


def test_a_reply_reaches_the_authors_device_in_korean(push_server):
    author, replier, community, thread = forum("ko")
    browser = device_of(author, push_server)

    comment = comment_create(
        access=access_for(replier, community), thread=thread, body="이렇게 나눠요"
    )

    (payload,) = arrived(push_server, browser)
    assert payload["title"] == "광고 예산은 어떻게 나누나요?"
    assert payload["body"].endswith("님이 답글을 남겼어요.")
    assert payload["url"].endswith(f"/{thread.pk}/#comment-{comment.pk}")
    assert payload["url"].startswith("http")
    assert "이렇게 나눠요" not in json.dumps(payload, ensure_ascii=False)
    (record,) = push_server.delivered()
    assert record.headers["urgency"] == "normal"
    assert int(record.headers["ttl"]) == 24 * 3600
    assert record.claims["sub"].startswith("mailto:")
    assert PushSubscription.objects.get(endpoint=browser.endpoint).last_used


def test_a_mention_reaches_the_mentioned_device_in_english(push_server):
    _author, replier, community, thread = forum("ko")
    mentioned = member_create(nickname="mentioned", language="en")
    community_join(access=access_for(mentioned, community))
    browser = device_of(mentioned, push_server)

    comment_create(
        access=access_for(replier, community), thread=thread, body="@mentioned 보세요"
    )

    (payload,) = arrived(push_server, browser)
    assert payload["body"].endswith("mentioned you.")
    assert payload["tag"].startswith("mention-")


def test_a_non_member_mentioned_in_a_members_only_community_hears_nothing(
    push_server,
):
    from django.core import mail

    from community.models import Community, Notification

    _author, replier, community, thread = forum()
    Community.objects.filter(pk=community.pk).update(public_read=False)
    community.refresh_from_db()
    outsider = member_create(nickname="outsider", language="en")
    browser = device_of(outsider, push_server)
    mail.outbox.clear()

    comment_create(
        access=access_for(replier, community), thread=thread, body="@outsider 보세요"
    )

    assert not Notification.objects.filter(recipient=outsider).exists()
    assert all(m.to != [outsider.email] for m in mail.outbox)
    assert arrived(push_server, browser) == []


def test_a_mention_in_an_open_community_reaches_a_non_member(push_server):
    _author, replier, community, thread = forum()
    outsider = member_create(nickname="outsider", language="en")
    browser = device_of(outsider, push_server)

    comment_create(
        access=access_for(replier, community), thread=thread, body="@outsider 보세요"
    )

    assert len(arrived(push_server, browser)) == 1


def test_a_thread_author_banned_from_the_community_hears_nothing(push_server):
    from django.core import mail

    from community.models import Notification

    owner, replier, community, _thread = forum()
    banned = member_create(nickname="banned")
    community_join(access=access_for(banned, community))
    thread = thread_create(
        access=access_for(banned, community),
        board=community.boards.first(),
        tag="question",
        title="질문",
        body="본문",
    )
    browser = device_of(banned, push_server)
    sanction_impose(
        access=access_for(owner, community),
        member=banned,
        kind=SanctionKind.BAN,
        reason="규칙 위반",
        ends_at=None,
    )
    Notification.objects.filter(recipient=banned).delete()
    mail.outbox.clear()

    comment_create(access=access_for(replier, community), thread=thread, body="답")
    comment_create(
        access=access_for(replier, community), thread=thread, body="@banned 보세요"
    )

    assert not Notification.objects.filter(recipient=banned).exists()
    assert all(m.to != [banned.email] for m in mail.outbox)
    assert arrived(push_server, browser) == []


def test_push_switched_off_sends_nothing_but_the_rest_still_arrives(push_server):
    author, replier, community, thread = forum()
    browser = device_of(author, push_server)
    preferences_update(member=author, choices={("reply", "push"): False})

    comment_create(access=access_for(replier, community), thread=thread, body="답")

    assert arrived(push_server, browser) == []
    assert author.notifications.count() == 1


def test_every_device_of_the_member_gets_it(push_server):
    author, replier, community, thread = forum()
    phone, laptop = device_of(author, push_server), device_of(author, push_server)

    comment_create(access=access_for(replier, community), thread=thread, body="답")

    assert len(arrived(push_server, phone)) == len(arrived(push_server, laptop)) == 1


# --- Gatherings: offers, the link's release, the start ------------------------------


def test_a_seat_offer_is_pushed_urgently_without_the_video_link(push_server):
    gathering, _ = gathering_drawn(capacity=2, applicants=5)
    now = gathering.applications_close_at + timedelta(minutes=1)
    first, _, third, *_ = by_rank(gathering)
    browser = device_of(third.member, push_server)
    offer_confirm(member=first.member, gathering=gathering, now=now)

    application_withdraw(member=first.member, gathering=gathering, now=now)

    (payload,) = arrived(push_server, browser)
    assert gathering.title in payload["title"]
    assert payload["url"].endswith(f"/{gathering.pk}/")
    assert gathering.video_link not in json.dumps(payload)
    assert "/join/" not in json.dumps(payload)
    (record,) = [r for r in push_server.delivered() if r.subscription == browser.id]
    assert record.headers["urgency"] == "high"
    assert int(record.headers["ttl"]) == gathering.claim_window.total_seconds()


def test_the_link_release_push_never_holds_the_link_or_the_join_url(push_server):
    now = timezone.now()
    gathering, attendee = first_come_gathering(now, release_before=timedelta(hours=30))
    browser = device_of(attendee, push_server)

    gathering_advance(gathering_id=gathering.pk, now=gathering.link_release_at)

    (payload,) = arrived(push_server, browser)
    assert payload["title"] == "The join link for ‘Remind me’ is open"
    text = json.dumps(payload)
    assert MARKER not in text
    assert "/join/" not in text
    assert payload["url"].endswith(f"/{gathering.pk}/")
    # The day-before reminder pushes nothing more (the link's push went
    # already); in app it does carry the personal join URL: the push is the
    # one that must not.
    gathering_advance(gathering_id=gathering.pk, now=now + timedelta(days=1, hours=1))
    assert len(arrived(push_server, browser)) == 1
    assert any(
        "/join/" in str(n.params.get("join")) for n in attendee.notifications.all()
    )


def link_pushes(push_server, browser) -> list[dict]:
    return [p for p in arrived(push_server, browser) if "join link" in p["title"]]


def link_released_6h_before(push_server):
    """A first-come gathering whose link opens 6 h before its start, its
    attendee's device, and the lifecycle run up to the day-before reminder."""
    now = timezone.now()
    gathering, attendee = first_come_gathering(now, release_before=timedelta(hours=6))
    browser = device_of(attendee, push_server)
    gathering = gathering_advance(
        gathering_id=gathering.pk, now=gathering.starts_at - timedelta(hours=23)
    )
    return gathering, attendee, browser


def test_the_link_push_arrives_when_the_link_opens_six_hours_before(push_server):
    gathering, _attendee, browser = link_released_6h_before(push_server)
    assert arrived(push_server, browser) == []
    assert gathering.next_due_at == gathering.link_release_at

    gathering_advance(
        gathering_id=gathering.pk, now=gathering.link_release_at - timedelta(minutes=1)
    )
    assert arrived(push_server, browser) == []
    gathering = gathering_advance(gathering_id=gathering.pk, now=gathering.next_due_at)

    (payload,) = arrived(push_server, browser)
    assert payload["title"] == "The join link for ‘Remind me’ is open"
    assert MARKER not in json.dumps(payload)
    assert "/join/" not in json.dumps(payload)
    (record,) = push_server.delivered()
    remaining = gathering.starts_at - gathering.link_release_at
    assert int(record.headers["ttl"]) == remaining.total_seconds()


def test_the_link_push_goes_once_however_often_the_lifecycle_runs(push_server):
    gathering, _attendee, browser = link_released_6h_before(push_server)

    for minutes in (0, 0, 1, 90):
        gathering_advance(
            gathering_id=gathering.pk,
            now=gathering.link_release_at + timedelta(minutes=minutes),
        )

    assert len(arrived(push_server, browser)) == 1


def test_the_link_push_switched_off_sends_nothing_the_start_push_still_comes(
    push_server,
):
    gathering, attendee, browser = link_released_6h_before(push_server)
    preferences_update(member=attendee, choices={("link", "push"): False})

    gathering_advance(gathering_id=gathering.pk, now=gathering.link_release_at)
    assert arrived(push_server, browser) == []
    gathering_advance(
        gathering_id=gathering.pk, now=gathering.starts_at - timedelta(minutes=50)
    )

    (payload,) = arrived(push_server, browser)
    assert payload["title"] == "‘Remind me’ starts soon"


def test_no_link_push_after_the_start(push_server):
    gathering, _attendee, browser = link_released_6h_before(push_server)

    gathering_advance(
        gathering_id=gathering.pk, now=gathering.starts_at + timedelta(minutes=1)
    )

    assert arrived(push_server, browser) == []


def test_the_link_push_reaches_only_who_held_a_seat_when_the_link_opened(
    push_server,
):
    gathering, _ = gathering_drawn(
        capacity=3, applicants=6, link_release_before=timedelta(hours=6)
    )
    now = gathering.applications_close_at + timedelta(minutes=1)
    applications = by_rank(gathering)
    first, _offered, banned, *_waiting = applications
    browsers = {a.member.pk: device_of(a.member, push_server) for a in applications}
    for application in (first, banned):
        offer_confirm(member=application.member, gathering=gathering, now=now)
    moderator = member_create()
    Membership.objects.create(
        community=gathering.community, member=moderator, role=MembershipRole.MODERATOR
    )
    sanction_impose(
        access=access_for(moderator, gathering.community),
        member=banned.member,
        kind=SanctionKind.BAN,
        reason="규칙 위반",
        ends_at=None,
    )

    release = gathering.link_release_at
    gathering_advance(gathering_id=gathering.pk, now=release)
    pushed = {m for m, browser in browsers.items() if link_pushes(push_server, browser)}
    assert pushed == {first.member.pk}
    # Who confirms after the release finds the link on the page: no push.
    late = Application.objects.filter(
        gathering=gathering, status=ApplicationStatus.OFFERED
    ).first()
    offer_confirm(
        member=late.member, gathering=gathering, now=release + timedelta(minutes=1)
    )
    gathering_advance(gathering_id=gathering.pk, now=release + timedelta(minutes=5))
    assert link_pushes(push_server, browsers[late.member_id]) == []


def test_the_start_push_never_holds_the_link_or_the_join_url(push_server):
    now = timezone.now()
    gathering, attendee = first_come_gathering(now, release_before=timedelta(days=3))
    browser = device_of(attendee, push_server)
    preferences_update(member=attendee, choices={("link", "push"): False})

    gathering_advance(gathering_id=gathering.pk, now=now + timedelta(days=1, hours=1))
    assert arrived(push_server, browser) == []
    gathering_advance(
        gathering_id=gathering.pk, now=gathering.starts_at - timedelta(minutes=50)
    )

    (payload,) = arrived(push_server, browser)
    assert payload["title"] == "‘Remind me’ starts soon"
    assert MARKER not in json.dumps(payload)
    assert "/join/" not in json.dumps(payload)
    (record,) = push_server.delivered()
    assert record.headers["urgency"] == "high"


def test_no_link_push_before_the_link_is_released(push_server):
    now = timezone.now()
    gathering, attendee = first_come_gathering(now, release_before=timedelta(hours=2))
    browser = device_of(attendee, push_server)

    gathering_advance(gathering_id=gathering.pk, now=now + timedelta(days=1, hours=1))

    assert arrived(push_server, browser) == []


# --- The push service's answers -----------------------------------------------------


@pytest.mark.parametrize("status", [404, 410])
def test_a_subscription_the_push_service_forgot_is_deleted(push_server, status):
    author, replier, community, thread = forum()
    browser = device_of(author, push_server)
    other = device_of(author, push_server)
    push_server.answer(browser.id, status)

    comment_create(access=access_for(replier, community), thread=thread, body="답")

    assert not PushSubscription.objects.filter(endpoint=browser.endpoint).exists()
    assert PushSubscription.objects.filter(endpoint=other.endpoint).exists()


@pytest.mark.parametrize("status", [429, 500, 503])
def test_a_failure_the_service_may_get_over_is_queued_once_again(
    push_server, settings, status
):
    from django.tasks import default_task_backend
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    author = member_create()
    browser = device_of(author, push_server)
    subscription = PushSubscription.objects.get(endpoint=browser.endpoint)
    push_server.answer(browser.id, status)
    data = push.payload(title="t", body="b", path="/", tag="x")
    arguments = {
        "subscription_id": subscription.pk,
        "member_id": subscription.member_id,
        "data": data,
        "urgency": "normal",
        "ttl": 60,
        "topic": "x",
    }
    assert default_task_backend.supports_defer

    assert push_deliver.call(**arguments) == "retry"

    (queued,) = DBTaskResult.objects.all()
    assert queued.args_kwargs["kwargs"]["attempt"] == 2
    assert queued.run_after > timezone.now()
    assert push_server.delivered() == []
    # The queue runs it later: delivered once, nothing queued after it.
    assert push_deliver.call(**queued.args_kwargs["kwargs"]) == "sent"
    assert [r.payload for r in push_server.delivered()] == [json.loads(data)]
    assert DBTaskResult.objects.count() == 1


def test_the_last_attempt_gives_up(push_server, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    from django_tasks_db.models import DBTaskResult

    browser = device_of(member_create(), push_server)
    push_server.answer(browser.id, 500)
    subscription = PushSubscription.objects.get(endpoint=browser.endpoint)

    result = push_deliver.call(
        subscription_id=subscription.pk,
        member_id=subscription.member_id,
        data="{}",
        urgency="normal",
        ttl=60,
        topic="x",
        attempt=push.ATTEMPTS,
    )

    assert result == "failed"
    assert not DBTaskResult.objects.exists()
    assert PushSubscription.objects.filter(pk=subscription.pk).exists()


def test_a_push_signed_with_another_key_is_refused_by_the_service(push_server):
    member = member_create()
    browser = push_server.subscribe(server_key=push.key_generate()[1])
    push_services.subscription_add(
        member=member,
        endpoint=browser.endpoint,
        p256dh=browser.keys["p256dh"],
        auth=browser.keys["auth"],
    )
    subscription = PushSubscription.objects.get(endpoint=browser.endpoint)

    result = push_deliver.call(
        subscription_id=subscription.pk,
        member_id=subscription.member_id,
        data="{}",
        urgency="low",
        ttl=60,
        topic="x",
    )

    assert result == "failed"
    assert push_server.received[-1].status == 403


# --- Subscribing and unsubscribing --------------------------------------------------


def test_a_member_subscribes_a_device_and_sees_it_listed(client, push_server):
    member = member_create()
    client_sign_in(client, member)
    browser = push_server.subscribe()

    response = post(client, SUBSCRIBE, browser.json())

    assert response.status_code == 201
    subscription = PushSubscription.objects.get(member=member)
    assert subscription.endpoint == browser.endpoint
    page = client.get(reverse("notification_settings"))
    assert subscription.label in page.content.decode()
    assert push.vapid_key().public in page.content.decode()


def test_subscribing_needs_the_csrf_token(push_server):
    member = member_create()
    client = Client(enforce_csrf_checks=True)
    client_sign_in(client, member)

    response = post(client, SUBSCRIBE, push_server.subscribe().json())

    assert response.status_code == 403
    assert not PushSubscription.objects.exists()


def test_a_signed_out_visitor_cannot_subscribe(client, push_server):
    response = post(client, SUBSCRIBE, push_server.subscribe().json())

    assert response.status_code == 302
    assert not PushSubscription.objects.exists()


def bad_subscriptions(push_server):
    good = push_server.subscribe().json()
    keys = good["keys"]
    return {
        "plain http elsewhere": {**good, "endpoint": "http://push.example/x"},
        "javascript": {**good, "endpoint": "javascript:alert(1)"},
        "too long": {
            **good,
            "endpoint": "https://fcm.googleapis.com/" + "a" * 1100,
        },
        "cloud metadata": {
            **good,
            "endpoint": "https://169.254.169.254/latest/meta-data/",
        },
        "credentials": {**good, "endpoint": "https://u:p@push.example/x"},
        "no keys": {"endpoint": good["endpoint"]},
        "keys not a dict": {**good, "keys": "x"},
        "short auth": {**good, "keys": {**keys, "auth": "AAAA"}},
        "not a point": {**good, "keys": {**keys, "p256dh": "B" + "A" * 86}},
        "endpoint a number": {**good, "endpoint": 5},
        "a list": [good],
    }


def test_bad_subscriptions_are_refused_with_a_translated_sentence(client, push_server):
    client_sign_in(client, member_create())

    for name, data in bad_subscriptions(push_server).items():
        response = post(client, SUBSCRIBE, data)
        assert response.status_code == 400, name
        assert response.json()["error"], name
    for body in (b"not json", b"\xff\xfe", b"{" * 5000):
        response = client.post(SUBSCRIBE, body, content_type="application/json")
        assert response.status_code == 400
    assert not PushSubscription.objects.exists()


def test_plain_http_to_127_0_0_1_only_where_allowed(settings):
    settings.MOIM_PUSH_LOCAL_HTTP = False
    assert not push.endpoint_allowed("http://127.0.0.1:9/push/x")
    assert push.endpoint_allowed("https://fcm.googleapis.com/fcm/send/x")
    settings.MOIM_PUSH_LOCAL_HTTP = True
    assert push.endpoint_allowed("http://127.0.0.1:9/push/x")
    assert not push.endpoint_allowed("http://localhost:9/push/x")
    assert not push.endpoint_allowed("http://10.0.0.1/push/x")


def test_a_member_has_at_most_so_many_devices(client, push_server):
    member = member_create()
    client_sign_in(client, member)
    for _ in range(push.DEVICES_PER_MEMBER):
        device_of(member, push_server)

    response = post(client, SUBSCRIBE, push_server.subscribe().json())

    assert response.status_code == 400
    assert str(push.DEVICES_PER_MEMBER) in response.json()["error"]
    assert PushSubscription.objects.filter(member=member).count() == (
        push.DEVICES_PER_MEMBER
    )


def test_subscribing_is_rate_limited(client, push_server, settings):
    settings.ACCOUNT_RATE_LIMITS = {"push_subscription": "2/h/user"}
    client_sign_in(client, member_create())

    answers = [
        post(client, SUBSCRIBE, push_server.subscribe().json()).status_code
        for _ in range(3)
    ]

    assert answers == [201, 201, 429]


def test_the_same_browser_signed_in_as_another_member_moves_to_them(
    client, push_server
):
    first, second = member_create(), member_create()
    browser = device_of(first, push_server)
    client_sign_in(client, second)

    post(client, SUBSCRIBE, browser.json())

    assert PushSubscription.objects.get(endpoint=browser.endpoint).member == second


def test_a_member_removes_only_their_own_devices(client, push_server):
    member, other = member_create(), member_create()
    mine, theirs = device_of(member, push_server), device_of(other, push_server)
    client_sign_in(client, member)
    their_id = PushSubscription.objects.get(endpoint=theirs.endpoint).pk

    client.post(UNSUBSCRIBE, {"subscription": their_id})
    post(client, UNSUBSCRIBE, {"endpoint": theirs.endpoint})
    assert PushSubscription.objects.count() == 2

    my_id = PushSubscription.objects.get(endpoint=mine.endpoint).pk
    response = client.post(UNSUBSCRIBE, {"subscription": my_id})
    assert response.status_code == 302
    assert not PushSubscription.objects.filter(endpoint=mine.endpoint).exists()
    assert PushSubscription.objects.filter(endpoint=theirs.endpoint).exists()


def test_the_browser_unsubscribes_by_endpoint(client, push_server):
    member = member_create()
    browser = device_of(member, push_server)
    client_sign_in(client, member)

    response = post(client, UNSUBSCRIBE, {"endpoint": browser.endpoint})

    assert response.json() == {"removed": True}
    assert not PushSubscription.objects.exists()


def test_bad_unsubscribe_input_changes_nothing(client, push_server):
    member = member_create()
    device_of(member, push_server)
    client_sign_in(client, member)

    for data in ({"subscription": "x"}, {"subscription": "9" * 40}, {}):
        assert client.post(UNSUBSCRIBE, data).status_code == 302
    assert post(client, UNSUBSCRIBE, {"endpoint": 5}).status_code == 400
    assert PushSubscription.objects.count() == 1


def test_the_settings_page_has_the_push_column_on_by_default(client):
    member = member_create()
    client_sign_in(client, member)

    page = client.get(
        reverse("notification_settings"), headers={"Accept-Language": "en"}
    )

    html = page.content.decode()
    for topic in ("reply", "mention", "offer", "link", "start"):
        assert f'name="{topic}__push" id="id_{topic}__push" checked' in html or (
            f'name="{topic}__push"' in html
        )
    assert "Turn on notifications on this device" in html


# --- The app: service worker, manifest, keys ----------------------------------------


def test_the_service_worker_is_served_from_the_root_uncached(client):
    response = client.get("/sw.js")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"]
    body = response.content.decode()
    assert 'addEventListener("push"' in body
    assert 'addEventListener("notificationclick"' in body
    assert "/static/img/app/icon-192.png" in body


def test_the_manifest_names_moim_and_its_icons(client):
    response = client.get("/manifest.webmanifest")

    assert response["Content-Type"].startswith("application/manifest+json")
    data = json.loads(response.content)
    assert data["name"] == "모임"
    assert data["start_url"] == "/"
    assert data["theme_color"] == "#2f5bea"
    sizes = {(i["sizes"], i.get("purpose", "any")) for i in data["icons"]}
    assert sizes == {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")}
    for icon in data["icons"]:
        assert icon["src"].startswith("/static/")
    english = client.get("/manifest.webmanifest", headers={"Accept-Language": "en"})
    assert json.loads(english.content)["name"] in ("Moim", "모임")


def test_every_page_links_the_manifest_and_the_csp_allows_the_worker(client):
    response = client.get("/")

    assert (
        '<link rel="manifest" href="/manifest.webmanifest">'
        in response.content.decode()
    )
    policy = response["Content-Security-Policy"]
    assert "worker-src 'self'" in policy
    assert "manifest-src 'self'" in policy


def test_a_configured_key_pair_is_used_and_a_mismatched_one_refused(settings):
    private, public = push.key_generate()
    settings.MOIM_VAPID_PRIVATE_KEY, settings.MOIM_VAPID_PUBLIC_KEY = private, public
    assert push.vapid_key() == push.VapidKey(private, public, derived=False)
    assert check_vapid_keys(None) == []

    settings.MOIM_VAPID_PUBLIC_KEY = push.key_generate()[1]
    (error,) = check_vapid_keys(None)
    assert error.id == "moim.E010"


def test_unset_keys_are_derived_from_the_secret_and_warned_of_without_debug(settings):
    settings.MOIM_VAPID_PRIVATE_KEY = settings.MOIM_VAPID_PUBLIC_KEY = ""
    first = push.vapid_key()
    assert first.derived
    assert push.vapid_key() == first
    settings.DEBUG = False
    (warning,) = check_vapid_keys(None)
    assert warning.id == "moim.W010"
    settings.SECRET_KEY = "another-secret-" + "x" * 50
    assert push.vapid_key().public != first.public


def test_the_key_command_prints_a_pair_that_checks_out(capsys, settings):
    call_command("vapid_key")
    out = capsys.readouterr().out
    values = dict(line.split("=", 1) for line in out.split())
    settings.MOIM_VAPID_PRIVATE_KEY = values["MOIM_VAPID_PRIVATE_KEY"]
    settings.MOIM_VAPID_PUBLIC_KEY = values["MOIM_VAPID_PUBLIC_KEY"]

    assert not push.vapid_key().derived


def test_a_payload_leads_only_to_a_page_of_the_site():
    for path in ("https://evil.example/", "//evil.example/", "javascript:x"):
        with pytest.raises(ValueError):
            push.payload(title="t", body="b", path=path, tag="x")


def test_the_settings_page_asks_as_many_queries_for_one_device_as_for_ten(
    client, push_server
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    member = member_create()
    client_sign_in(client, member)
    client.get(reverse("notification_settings"))  # the session's first visit
    counts = []
    for devices in (1, push.DEVICES_PER_MEMBER):
        while PushSubscription.objects.filter(member=member).count() < devices:
            device_of(member, push_server)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("notification_settings")).status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1]


# --- Where the worker posts ---------------------------------------------------------


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://169.254.169.254/latest/meta-data/",
        "https://10.0.0.7/push/x",
        "https://localhost/push/x",
        "https://127.0.0.1:5432/push/x",
        "https://[::1]/push/x",
        "https://push.example/x",
        "https://fcm.googleapis.com.evil.example/x",
        "https://evilfcm.googleapis.com/x",
        "https://fcm.googleapis.com:8443/fcm/send/x",
        "https://push.apple.com/x",
    ],
)
def test_only_the_browsers_push_services_are_endpoints(settings, endpoint):
    settings.MOIM_PUSH_LOCAL_HTTP = True

    assert not push.endpoint_allowed(endpoint)


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://fcm.googleapis.com/fcm/send/x",
        "https://updates.push.services.mozilla.com/wpush/v2/x",
        "https://web.push.apple.com/QGx",
        "https://api.push.apple.com/3/device/x",
        "https://wns2-par02p.notify.windows.com/w/?token=x",
    ],
)
def test_the_browsers_push_services_are_endpoints(endpoint):
    assert push.endpoint_allowed(endpoint)


def test_more_push_hosts_may_be_configured(settings):
    settings.MOIM_PUSH_HOSTS = ["push.example", ".relay.example"]

    assert push.endpoint_allowed("https://push.example/x")
    assert push.endpoint_allowed("https://a.relay.example/x")
    assert not push.endpoint_allowed("https://relay.example/x")


def test_an_endpoint_no_longer_allowed_is_not_posted_to(push_server, settings):
    browser = device_of(member_create(), push_server)
    subscription = PushSubscription.objects.get(endpoint=browser.endpoint)
    settings.MOIM_PUSH_LOCAL_HTTP = False

    result = push_deliver.call(
        subscription_id=subscription.pk,
        member_id=subscription.member_id,
        data="{}",
        urgency="normal",
        ttl=60,
        topic="x",
    )

    assert result == "failed"
    assert push_server.received == []


def test_a_redirect_from_the_push_service_is_not_followed(push_server):
    browser = device_of(member_create(), push_server)
    subscription = PushSubscription.objects.get(endpoint=browser.endpoint)
    push_server.answer(browser.id, 307)

    result = push_deliver.call(
        subscription_id=subscription.pk,
        member_id=subscription.member_id,
        data=push.payload(title="t", body="b", path="/", tag="x"),
        urgency="normal",
        ttl=60,
        topic="x",
    )

    assert result == "failed"
    assert [r.status for r in push_server.received] == [307]
    assert push_server.delivered() == []


def test_local_http_pushes_are_refused_with_debug_off(settings):
    from community.checks import check_push_local_http

    settings.DEBUG = False
    settings.MOIM_PUSH_LOCAL_HTTP = True
    assert [e.id for e in check_push_local_http(None)] == ["moim.E011"]
    settings.MOIM_PUSH_LOCAL_HTTP = False
    assert check_push_local_http(None) == []


# --- Whose device, and for how long -------------------------------------------------


def test_a_push_queued_for_a_member_is_not_sent_once_the_device_is_anothers(
    push_server,
):
    first, second = member_create(), member_create()
    browser = device_of(first, push_server)
    subscription = PushSubscription.objects.get(endpoint=browser.endpoint)
    # Another member signs in on the same browser and turns push on: the
    # same endpoint is theirs now.
    push_services.subscription_add(
        member=second,
        endpoint=browser.endpoint,
        p256dh=browser.keys["p256dh"],
        auth=browser.keys["auth"],
    )

    result = push_deliver.call(
        subscription_id=subscription.pk,
        member_id=first.pk,
        data=push.payload(title="t", body="b", path="/", tag="x"),
        urgency="normal",
        ttl=60,
        topic="x",
    )

    assert result == "missing"
    assert push_server.received == []
    assert PushSubscription.objects.get(pk=subscription.pk).member_id == second.pk


def signed_in_with_password(member) -> Client:
    from tests.factories import PASSWORD

    client = Client()
    response = client.post(
        reverse("account_login"), {"login": member.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    return client


def test_signing_out_stops_the_pushes_to_the_devices_of_that_session(push_server):
    member = member_create()
    phone, laptop = signed_in_with_password(member), signed_in_with_password(member)
    on_phone, on_laptop = push_server.subscribe(), push_server.subscribe()
    assert post(phone, SUBSCRIBE, on_phone.json()).status_code == 201
    assert post(laptop, SUBSCRIBE, on_laptop.json()).status_code == 201
    session_key = phone.session.session_key
    assert PushSubscription.objects.get(
        endpoint=on_phone.endpoint
    ).session_digest == push.session_digest(session_key)
    assert session_key not in str(
        PushSubscription.objects.values_list("session_digest", flat=True)
    )

    phone.post(reverse("account_logout"))

    assert not PushSubscription.objects.filter(endpoint=on_phone.endpoint).exists()
    assert PushSubscription.objects.filter(endpoint=on_laptop.endpoint).exists()


def test_signing_out_other_devices_stops_their_pushes(push_server):
    member = member_create()
    phone, laptop = signed_in_with_password(member), signed_in_with_password(member)
    on_phone, on_laptop = push_server.subscribe(), push_server.subscribe()
    assert post(phone, SUBSCRIBE, on_phone.json()).status_code == 201
    assert post(laptop, SUBSCRIBE, on_laptop.json()).status_code == 201

    assert laptop.post(reverse("usersessions_list")).status_code == 302

    assert not PushSubscription.objects.filter(endpoint=on_phone.endpoint).exists()
    assert PushSubscription.objects.filter(endpoint=on_laptop.endpoint).exists()


def test_leaving_removes_every_device(push_server):
    from community.services.leaving import member_delete

    member = member_create()
    device_of(member, push_server)

    member_delete(member=member)

    assert not PushSubscription.objects.exists()
