"""The room socket, as a client sees it: who may connect, every frame type,
every error, and the orders that close a member's sockets."""

from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from community.access import access_for
from community.facts import fact
from community.models import (
    AuditEntry,
    ModerationAction,
    Notification,
    NotificationKind,
    SanctionKind,
)
from community.services.moderation import sanction_impose
from community.services.notifications import notify
from events.models import GatheringStatus
from events.services.applications import application_withdraw
from realtime.access import room_access
from realtime.models import Message, Presence
from realtime.services import (
    message_delete,
    message_send,
    presence_enter,
    presence_frame,
)
from tests.factories import client_signed_in_with_two_factor, member_create
from tests.realtime.conftest import (
    collect,
    connect,
    drain,
    frames_until,
    joined,
    moderator_of,
    next_of,
    refusal,
    scene_make,
)

pytestmark = pytest.mark.django_db(transaction=True)

db = sync_to_async


def stored(room_key: str) -> list[tuple[int, str]]:
    kind, _sep, ident = room_key.partition("-")
    rooms = {"gathering": "room__gathering_id", "lounge": "room__community__slug"}
    return list(
        Message.objects.filter(**{rooms[kind]: ident})
        .order_by("seq")
        .values_list("seq", "body")
    )


async def send(communicator, body: str, client_id: str = "c1") -> None:
    await communicator.send_json_to({"type": "send", "id": client_id, "body": body})


# --- Who may connect ------------------------------------------------------------


async def test_an_attendee_enters_the_lobby_and_may_write(scene):
    communicator, connected, _ = await connect(scene.attendees[0], scene.room)
    assert connected
    hello = await communicator.receive_json_from()

    assert hello["type"] == "hello"
    assert hello["state"] == "lobby"
    assert hello["can_write"] is True
    assert hello["can_moderate"] is False
    assert hello["me"]["id"] == scene.attendees[0].public_id
    await communicator.disconnect()


async def test_an_organiser_may_moderate(scene):
    communicator, _connected, _ = await connect(scene.organiser, scene.room)
    hello = await communicator.receive_json_from()

    assert hello["can_moderate"] is True
    await communicator.disconnect()


async def test_a_community_moderator_who_does_not_host_is_an_organiser(scene):
    moderator = await db(moderator_of)(scene.community)
    communicator, _connected, _ = await connect(moderator, scene.room)
    hello = await communicator.receive_json_from()

    assert hello["can_moderate"] is True
    await communicator.disconnect()


@pytest.mark.parametrize(
    ("who", "code", "close"),
    [
        ("anonymous", "login_required", 4401),
        ("outsider", "forbidden", 4403),
        ("member", "forbidden", 4403),
        ("waitlisted", "forbidden", 4403),
    ],
)
async def test_anyone_but_attendees_and_organisers_is_refused(scene, who, code, close):
    member = {
        "anonymous": None,
        "outsider": scene.outsider,
        "member": scene.member,
        "waitlisted": scene.waitlisted[0],
    }[who]
    communicator, _connected, _ = await connect(member, scene.room)

    error, closed = await refusal(communicator)

    assert error["type"] == "error"
    assert error["code"] == code
    assert error["detail"]
    assert closed == close


async def test_the_room_is_closed_before_the_lobby_opens(transactional_db):
    scene = await db(scene_make)(GatheringStatus.DRAWN)
    communicator, _connected, _ = await connect(scene.attendees[0], scene.room)

    error, closed = await refusal(communicator)

    assert error["code"] == "not_open_yet"
    assert closed == 4403


async def test_after_the_end_the_room_is_a_read_only_archive(transactional_db):
    scene = await db(scene_make)(GatheringStatus.LIVE)
    await db(message_send)(
        member=scene.attendees[0], key=scene.room, body="고마웠어요", client_id="x"
    )
    await db(scene.at)(GatheringStatus.ENDED)
    communicator, _connected, _ = await connect(scene.attendees[1], scene.room)

    hello = await communicator.receive_json_from()
    history = await communicator.receive_json_from()
    assert hello["state"] == "archive"
    assert hello["can_write"] is False
    assert hello["write_refusal"]
    assert [m["body"] for m in history["messages"]] == ["고마웠어요"]

    await send(communicator, "아직 있나요?")
    error = await next_of(communicator, "error")
    assert error["code"] == "read_only"
    assert await db(stored)(scene.room) == [(1, "고마웠어요")]
    await communicator.disconnect()


async def test_a_banned_attendee_is_refused(scene):
    await db(_ban)(scene, scene.attendees[0])
    communicator, _connected, _ = await connect(scene.attendees[0], scene.room)

    error, closed = await refusal(communicator)

    assert error["code"] == "banned"
    assert closed == 4403


@pytest.mark.parametrize("room", ["gathering-999999", "lounge-nowhere", "nonsense"])
async def test_an_unknown_room_is_not_found(scene, room):
    communicator, _connected, _ = await connect(scene.attendees[0], room)

    error, closed = await refusal(communicator)

    assert error["code"] == "not_found"
    assert closed == 4404


@pytest.mark.parametrize("origin", ["http://evil.example", None])
async def test_a_foreign_or_missing_origin_is_refused_before_accept(scene, origin):
    _communicator, connected, _ = await connect(
        scene.attendees[0], scene.room, origin=origin
    )

    assert connected is False


# --- The lounge -------------------------------------------------------------------


async def test_members_write_in_their_community_lounge(scene):
    communicator = await joined(scene.member, scene.lounge)
    await send(communicator, "라운지 첫 글")

    message = await next_of(communicator, "message")
    assert message["body"] == "라운지 첫 글"
    await communicator.disconnect()


async def test_the_lounge_is_for_members(scene):
    communicator, _connected, _ = await connect(scene.outsider, scene.lounge)

    error, closed = await refusal(communicator)

    assert error["code"] == "lounge_members_only"
    assert closed == 4403


async def test_a_member_muted_in_the_community_reads_the_lounge_but_cannot_write(
    scene,
):
    await db(_mute)(scene, scene.member)
    communicator, _connected, _ = await connect(
        scene.member, scene.lounge, extra_headers=[(b"accept-language", b"en")]
    )

    hello = await communicator.receive_json_from()

    assert hello["can_write"] is False
    assert "muted" in hello["write_refusal"]
    await communicator.disconnect()


# --- Messages ---------------------------------------------------------------------


async def test_a_message_is_stored_and_reaches_everyone_in_order(scene):
    alice = await joined(scene.attendees[0], scene.room)
    bob = await joined(scene.attendees[1], scene.room)

    for number in range(1, 4):
        await send(alice, f"안녕하세요 {number}", client_id=f"m{number}")
    for communicator in (alice, bob):
        messages = await collect(communicator, "message", 3)
        assert [m["seq"] for m in messages] == [1, 2, 3]
        assert messages[0]["body"] == "안녕하세요 1"
        assert messages[0]["id"] == "m1"
        assert messages[0]["author"]["id"] == scene.attendees[0].public_id
        assert messages[0]["author"]["name"]
        assert messages[0]["time"]
    assert len(await db(stored)(scene.room)) == 3
    await alice.disconnect()
    await bob.disconnect()


async def test_a_resent_message_is_stored_once_and_acknowledged_to_its_sender(scene):
    alice = await joined(scene.attendees[0], scene.room)
    bob = await joined(scene.attendees[1], scene.room)

    await send(alice, "한 번만", client_id="same")
    await send(alice, "한 번만", client_id="same")

    assert [m["seq"] for m in await collect(alice, "message", 2)] == [1, 1]
    assert [m["seq"] for m in await collect(bob, "message", 1)] == [1]
    assert await drain(bob, "message") == []
    assert await db(stored)(scene.room) == [(1, "한 번만")]
    await alice.disconnect()
    await bob.disconnect()


@pytest.mark.parametrize(
    ("body", "code"), [("", "empty"), ("   \n ", "empty"), ("가" * 2001, "too_long")]
)
async def test_an_empty_or_too_long_message_is_refused_and_not_stored(
    scene, body, code
):
    alice = await joined(scene.attendees[0], scene.room)

    await send(alice, body, client_id="bad")

    error = await next_of(alice, "error")
    assert error["code"] == code
    assert error["ref"] == "bad"
    assert await db(stored)(scene.room) == []
    await alice.disconnect()


async def test_a_message_of_exactly_2000_characters_is_accepted(scene):
    alice = await joined(scene.attendees[0], scene.room)

    await send(alice, "가" * 2000)

    assert len((await next_of(alice, "message"))["body"]) == 2000
    await alice.disconnect()


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("not json", "malformed"),
        ("[1, 2]", "malformed"),
        ('"send"', "malformed"),
        ('{"type": "shout"}', "unknown_type"),
        ('{"body": "no type"}', "unknown_type"),
        ('{"type": "send", "id": 5, "body": "x"}', "bad_field"),
        ('{"type": "send", "id": "", "body": "x"}', "bad_field"),
        ('{"type": "send", "id": "a", "body": null}', "bad_field"),
        ('{"type": "history", "before": "12"}', "bad_field"),
        ('{"type": "history", "after": -1}', "bad_field"),
        ('{"type": "history", "after": true}', "bad_field"),
        ('{"type": "delete", "seq": 1e3}', "bad_field"),
        ('{"type": "mute", "member": "x", "minutes": 99999999}', "bad_duration"),
        ("x" * 20000, "frame_too_large"),
    ],
)
async def test_a_bad_frame_gets_an_error_and_the_socket_lives_on(scene, raw, code):
    alice = await joined(scene.attendees[0], scene.room)

    await alice.send_to(text_data=raw)
    error = await next_of(alice, "error")
    await send(alice, "still here")

    assert error["code"] == code
    assert error["detail"]
    assert (await next_of(alice, "message"))["body"] == "still here"
    await alice.disconnect()


async def test_a_binary_frame_gets_an_error(scene):
    alice = await joined(scene.attendees[0], scene.room)

    await alice.send_to(bytes_data=b"\x00\x01")

    assert (await next_of(alice, "error"))["code"] == "malformed"
    await alice.disconnect()


async def test_errors_come_in_korean_by_default(scene):
    alice = await joined(scene.attendees[0], scene.room)

    await alice.send_to(text_data="not json")

    detail = (await next_of(alice, "error"))["detail"]
    assert "JSON" in detail
    assert any("\uac00" <= ch <= "\ud7a3" for ch in detail)
    await alice.disconnect()


@pytest.mark.parametrize(
    "header",
    [(b"cookie", b"django_language=en"), (b"accept-language", b"en-US,en;q=0.9")],
)
async def test_errors_come_in_the_pages_language(scene, header):
    alice = await joined(scene.attendees[0], scene.room, extra_headers=[header])

    await alice.send_to(text_data="not json")

    detail = (await next_of(alice, "error"))["detail"]
    assert detail == "This frame is not valid JSON of the chat protocol."
    await alice.disconnect()


async def test_the_sixth_message_within_five_seconds_is_refused_with_a_retry_time(
    scene,
):
    alice = await joined(scene.attendees[0], scene.room)

    for number in range(6):
        await send(alice, f"빨리 {number}", client_id=f"r{number}")
    # The refusal is sent straight back, while the broadcasts of the five
    # stored messages may still be on their way through the channel layer.
    frames = []
    while len(frames) < 6:
        frame = await alice.receive_json_from(timeout=3)
        if frame["type"] in ("message", "error"):
            frames.append(frame)

    assert len([f for f in frames if f["type"] == "message"]) == 5
    error = next(f for f in frames if f["type"] == "error")
    assert error["code"] == "rate_limited"
    assert 1 <= error["retry_after"] <= 5
    assert len(await db(stored)(scene.room)) == 5
    await alice.disconnect()


# --- History and resync ------------------------------------------------------------


def _messages_add(scene, count: int) -> None:
    author = scene.attendees[0]
    for number in range(count):
        message, _created = message_send(
            member=author, key=scene.room, body=f"m{number + 1}", client_id=f"h{number}"
        )
        # Old enough not to count against the rate limit.
        Message.objects.filter(pk=message.pk).update(
            created_at=message.created_at - timedelta(minutes=10)
        )


async def test_on_connect_the_newest_page_arrives_and_older_pages_on_request(scene):
    await db(_messages_add)(scene, 60)
    communicator, _connected, _ = await connect(scene.attendees[1], scene.room)

    history = (await frames_until(communicator, "history"))[-1]
    assert [m["seq"] for m in history["messages"]] == list(range(11, 61))
    assert history["more"] is True

    await communicator.send_json_to({"type": "history", "before": 11})
    older = await next_of(communicator, "history")
    assert [m["seq"] for m in older["messages"]] == list(range(1, 11))
    assert older["more"] is False
    await communicator.disconnect()


async def test_a_reconnecting_client_receives_everything_after_its_last_seq(scene):
    await db(_messages_add)(scene, 8)

    communicator, _connected, _ = await connect(scene.attendees[1], scene.room, after=5)

    history = (await frames_until(communicator, "history"))[-1]
    assert history["direction"] == "after"
    assert [m["seq"] for m in history["messages"]] == [6, 7, 8]
    await communicator.disconnect()


async def test_a_resync_asks_again_while_more_remain(scene):
    await db(_messages_add)(scene, 70)
    communicator = await joined(scene.attendees[1], scene.room)

    await communicator.send_json_to({"type": "history", "after": 0})
    first = await next_of(communicator, "history")
    await communicator.send_json_to({"type": "history", "after": 50})
    second = await next_of(communicator, "history")

    assert [m["seq"] for m in first["messages"]] == list(range(1, 51))
    assert first["more"] is True
    assert [m["seq"] for m in second["messages"]] == list(range(51, 71))
    assert second["more"] is False
    await communicator.disconnect()


# --- Typing and presence ---------------------------------------------------------


async def test_typing_reaches_the_others(scene):
    alice = await joined(scene.attendees[0], scene.room)
    bob = await joined(scene.attendees[1], scene.room)

    await alice.send_json_to({"type": "typing"})

    typing = await next_of(bob, "typing")
    assert typing["member"]["id"] == scene.attendees[0].public_id
    await alice.disconnect()
    await bob.disconnect()


async def arrival_of(communicator, member) -> dict:
    """The presence_join frame about ``member`` (a socket also hears its own
    arrival, after the list of who is here)."""
    while True:
        frame = await next_of(communicator, "presence_join")
        if frame["member"]["id"] == member.public_id:
            return frame


async def test_a_newcomer_hears_who_is_here_and_the_others_hear_the_newcomer(scene):
    alice = await joined(scene.attendees[0], scene.room)
    bob, _connected, _ = await connect(scene.attendees[1], scene.room)

    listed = await next_of(bob, "presence")
    joined_frame = await arrival_of(alice, scene.attendees[1])

    ids = sorted(m["id"] for m in listed["members"])
    assert ids == sorted(m.public_id for m in scene.attendees)
    assert joined_frame["member"]["id"] == scene.attendees[1].public_id
    assert joined_frame["member"]["name"]

    await bob.disconnect()
    left = await next_of(alice, "presence_leave")
    assert left["member"] == {"id": scene.attendees[1].public_id}
    await alice.disconnect()


async def test_a_second_tab_of_a_member_changes_nothing_for_the_others(scene):
    bob = await joined(scene.attendees[1], scene.room)
    alice = await joined(scene.attendees[0], scene.room)
    await arrival_of(bob, scene.attendees[0])

    alice_again = await joined(scene.attendees[0], scene.room)
    await alice_again.disconnect()

    frames = await drain(bob)
    about_alice = [
        f
        for f in frames
        if f["type"].startswith("presence_")
        and f["member"]["id"] == scene.attendees[0].public_id
    ]
    assert about_alice == []
    for communicator in (alice, bob):
        await communicator.disconnect()


# --- Moderation --------------------------------------------------------------------


async def test_an_organiser_deletes_a_message_for_everyone_and_the_audit_log_keeps_it(
    scene,
):
    alice = await joined(scene.attendees[0], scene.room)
    organiser = await joined(scene.organiser, scene.room)
    await send(alice, "지울 메시지")
    await next_of(alice, "message")
    await next_of(organiser, "message")

    await organiser.send_json_to({"type": "delete", "seq": 1})

    for communicator in (alice, organiser):
        assert (await next_of(communicator, "deleted"))["seq"] == 1
    entry = await db(
        lambda: AuditEntry.objects.select_related("chat_message").get(
            action=ModerationAction.CHAT_DELETE
        )
    )()
    assert entry.chat_message.body == "지울 메시지"
    assert entry.moderator_id == scene.organiser.pk
    late = await joined(scene.attendees[1], scene.room)
    await late.send_json_to({"type": "history", "after": 0})
    history = await next_of(late, "history")
    assert history["messages"] == [{"type": "message", "seq": 1, "deleted": True}]
    for communicator in (alice, organiser, late):
        await communicator.disconnect()


async def test_an_attendee_cannot_delete_pin_or_mute(scene):
    alice = await joined(scene.attendees[0], scene.room)
    await send(alice, "내 메시지")
    await next_of(alice, "message")

    for frame in (
        {"type": "delete", "seq": 1},
        {"type": "pin", "seq": 1},
        {"type": "mute", "member": scene.attendees[1].public_id, "minutes": 10},
    ):
        await alice.send_json_to(frame)
        assert (await next_of(alice, "error"))["code"] == "moderator_only"
    assert await db(stored)(scene.room) == [(1, "내 메시지")]
    await alice.disconnect()


async def test_a_pinned_announcement_is_shown_to_everyone_and_to_newcomers(scene):
    organiser = await joined(scene.organiser, scene.room)
    await send(organiser, "공지: 10분 뒤 시작합니다")
    await next_of(organiser, "message")

    await organiser.send_json_to({"type": "pin", "seq": 1})
    pinned = await next_of(organiser, "pinned")
    assert pinned["message"]["body"] == "공지: 10분 뒤 시작합니다"

    newcomer, _connected, _ = await connect(scene.attendees[0], scene.room)
    pinned = (await frames_until(newcomer, "pinned"))[-1]
    assert pinned["message"]["seq"] == 1

    await organiser.send_json_to({"type": "pin", "seq": None})
    assert (await next_of(organiser, "pinned"))["message"] is None
    await organiser.disconnect()
    await newcomer.disconnect()


async def test_a_muted_attendee_is_reconnected_read_only(scene):
    alice = await joined(scene.attendees[0], scene.room)
    organiser = await joined(scene.organiser, scene.room)

    await organiser.send_json_to(
        {"type": "mute", "member": scene.attendees[0].public_id, "minutes": 10}
    )

    closed = await alice.receive_output(timeout=3)
    while closed["type"] != "websocket.close":
        closed = await alice.receive_output(timeout=3)
    assert closed["code"] == 4000
    again, _connected, _ = await connect(scene.attendees[0], scene.room)
    hello = await again.receive_json_from()
    assert hello["can_write"] is False
    await frames_until(again, "presence")
    await send(again, "말할 수 있나요")
    assert (await next_of(again, "error"))["code"] == "muted"
    assert await db(stored)(scene.room) == []
    for communicator in (again, organiser):
        await communicator.disconnect()


async def test_organisers_cannot_be_muted(scene):
    moderator = await db(moderator_of)(scene.community)
    organiser = await joined(scene.organiser, scene.room)

    await organiser.send_json_to(
        {"type": "mute", "member": moderator.public_id, "minutes": 10}
    )

    assert (await next_of(organiser, "error"))["code"] == "cannot_mute_moderator"
    await organiser.disconnect()


# --- Orders that close a member's sockets ----------------------------------------


async def closed_with(communicator) -> int:
    while True:
        output = await communicator.receive_output(timeout=3)
        if output["type"] == "websocket.close":
            return output["code"]


def _ban(scene, member) -> None:
    sanction_impose(
        access=access_for(scene.organiser, scene.community),
        member=member,
        kind=SanctionKind.BAN,
        reason="스팸",
        ends_at=None,
    )


def _mute(scene, member) -> None:
    sanction_impose(
        access=access_for(scene.organiser, scene.community),
        member=member,
        kind=SanctionKind.MUTE,
        reason="도배",
        ends_at=None,
    )


async def test_a_ban_closes_the_members_sockets_and_they_cannot_return(scene):
    alice = await joined(scene.attendees[0], scene.room)

    await db(_ban)(scene, scene.attendees[0])

    assert await closed_with(alice) == 4000
    again, _connected, _ = await connect(scene.attendees[0], scene.room)
    error, code = await refusal(again)
    assert (error["code"], code) == ("banned", 4403)


async def test_losing_the_seat_closes_the_room(scene):
    alice = await joined(scene.attendees[0], scene.room)

    await db(application_withdraw)(member=scene.attendees[0], gathering=scene.gathering)

    assert await closed_with(alice) == 4000
    again, _connected, _ = await connect(scene.attendees[0], scene.room)
    error, _code = await refusal(again)
    assert error["code"] == "forbidden"


async def test_signing_out_closes_the_members_sockets(scene):
    alice = await joined(scene.attendees[0], scene.room)

    def sign_out():
        client = Client()
        client.force_login(scene.attendees[0])
        client.post(reverse("account_logout"))

    await db(sign_out)()

    assert await closed_with(alice) == 4000


async def test_sockets_receive_nothing_after_the_close_order(scene):
    alice = await joined(scene.attendees[0], scene.room)
    bob = await joined(scene.attendees[1], scene.room)
    await db(_ban)(scene, scene.attendees[0])
    assert await closed_with(alice) == 4000

    await send(bob, "비밀 이야기")

    await next_of(bob, "message")
    leftover = []
    while not await alice.receive_nothing(timeout=0.3):
        leftover.append(await alice.receive_output())
    assert leftover == []
    await bob.disconnect()


# --- The gathering moves on --------------------------------------------------------


async def test_sockets_hear_the_room_go_live_and_then_read_only(scene):
    alice = await joined(scene.attendees[0], scene.room)

    await db(scene.at)(GatheringStatus.LIVE)
    state = await next_of(alice, "state")
    assert (state["state"], state["can_write"]) == ("live", True)

    await db(scene.at)(GatheringStatus.ENDED)
    state = await next_of(alice, "state")
    assert (state["state"], state["can_write"]) == ("archive", False)
    await alice.disconnect()


# --- Unread notifications ----------------------------------------------------------


async def test_the_unread_count_is_pushed_to_the_members_open_pages(scene):
    communicator, connected, _ = await connect(scene.attendees[0], "", path="/ws/me/")
    assert connected

    await db(notify)(
        recipients=[scene.attendees[0]],
        kind=NotificationKind.GATHERING,
        sentence=fact(
            "Reminder: ‘%(title)s’ starts in an hour, at %(start)s.",
            title="모임",
            start="19:00",
        ),
    )

    frame = await communicator.receive_json_from(timeout=3)
    unread = await db(
        Notification.objects.filter(recipient=scene.attendees[0], read_at=None).count
    )()
    assert unread >= 1
    assert frame == {"type": "unread", "count": unread}
    await communicator.disconnect()


async def test_the_unread_socket_is_for_members_only(scene):
    _communicator, connected, code = await connect(None, "", path="/ws/me/")

    assert connected is False
    assert code == 4401


def test_the_audit_log_shows_a_deleted_chat_message_to_moderators(scene, client):
    message, _created = message_send(
        member=scene.attendees[0],
        key=scene.room,
        body="<b>광고</b> 링크",
        client_id="a",
    )
    message_delete(member=scene.organiser, key=scene.room, seq=message.seq)
    client.force_login(scene.organiser)

    html = client.get(
        reverse("audit_log", args=[scene.community.slug]),
        headers={"accept-language": "en"},
    ).text

    assert "Deleted a chat message" in html
    assert "Chat message #1: &lt;b&gt;광고&lt;/b&gt; 링크" in html


def test_presence_forgets_a_socket_whose_server_died(scene):
    access = room_access(member=scene.attendees[0], key=scene.room)
    presence_enter(access=access, channel_name="specific.dead-process!1")
    Presence.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    frame = presence_frame(room_id=access.room.pk, community=scene.community)

    assert frame["members"] == []


async def test_deactivating_a_member_in_the_admin_closes_their_sockets(scene):
    alice = await joined(scene.attendees[0], scene.room)
    staff = await db(member_create)(is_staff=True, is_superuser=True)

    def deactivate():
        client = client_signed_in_with_two_factor(Client(), staff)
        url = reverse("admin:community_member_change", args=[scene.attendees[0].pk])
        page = client.get(url).context
        form = page["adminform"].form
        data = {
            name: value
            for name, value in form.initial.items()
            if value is not None and name not in {"password", "groups"}
        }
        for inline in page["inline_admin_formsets"]:
            management = inline.formset.management_form
            data.update(
                {f"{management.prefix}-{k}": v for k, v in management.initial.items()}
            )
        data["is_active"] = ""
        return client.post(url, data)

    response = await db(deactivate)()

    assert response.status_code == 302
    assert await closed_with(alice) == 4000
    again, _connected, _ = await connect(scene.attendees[0], scene.room)
    error, code = await refusal(again)
    assert (error["code"], code) == ("login_required", 4401)
