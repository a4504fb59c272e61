"""Hypothesis sends hostile frames of every type the consumers accept
(SECURITY.md, "Bad input"): the consumer answers each with a frame of the
protocol, in the socket's language (Korean by default, English when the
browser asks for it), keeps the socket open, stores nothing from a refused
frame, and never fails on its own account (a ``server_error`` frame is an
exception the consumer caught). A hostile room key in the URL is refused
with a close code, never a crash.

``FRAMES`` has a strategy for every frame type RoomConsumer handles; a test
fails when a handler has none."""

import json
from urllib.parse import quote

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from hypothesis import example, given
from hypothesis import strategies as st

from realtime.consumers import FRAME_LIMIT, NotificationConsumer, RoomConsumer
from realtime.models import Message, Room, RoomMute
from tests import hostile
from tests.realtime.conftest import (
    connect,
    frames_until,
    joined,
    moderator_of,
    next_of,
)

pytestmark = pytest.mark.django_db(transaction=True)

REPLIES = {
    "message",
    "error",
    "history",
    "pinned",
    "typing",
    "deleted",
    "presence",
    "presence_join",
    "presence_leave",
    "sync",
    "state",
}

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=50),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=10,
)
# What a field of a frame may hold: anything JSON carries, numbers at and
# past every limit, and hostile text.
numbers = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, 1, 2, 2**31, 2**63 - 1, 2**63, -1, 7 * 24 * 60 + 1]),
    st.floats(allow_nan=False),
    st.booleans(),
    hostile.number_strings,
)
field = st.one_of(json_values, numbers, hostile.text)
client_ids = st.one_of(st.text(min_size=1, max_size=64), field)


def frame(kind: str, **fields) -> st.SearchStrategy:
    """Frames of type ``kind``: each field from its strategy or missing,
    sometimes with a field no frame has."""
    return st.builds(
        lambda chosen, extra: {"type": kind, **chosen, **extra},
        st.fixed_dictionaries({}, optional=fields),
        st.dictionaries(st.sampled_from(["room", "member", "x"]), field, max_size=1),
    )


def others(scene) -> list[str]:
    """Public ids of other members: in the room, its organiser, strangers."""
    members = (scene.attendees[1], scene.organiser, scene.outsider, scene.member)
    return [member.public_id for member in members]


def frames_for(members: list[str]) -> dict[str, st.SearchStrategy]:
    """A strategy per frame type; member ids include ``members``, seqs the
    room's own and others'."""
    member_ids = st.one_of(st.sampled_from(members), field)
    seqs = st.one_of(st.integers(min_value=0, max_value=12), numbers, field)
    return {
        "send": frame(
            "send",
            id=client_ids,
            body=st.one_of(hostile.text, st.just("가" * 2001), field),
        ),
        "history": frame("history", before=seqs, after=seqs),
        "typing": frame("typing"),
        "delete": frame("delete", seq=seqs),
        "pin": frame("pin", seq=seqs),
        "mute": frame(
            "mute",
            member=member_ids,
            minutes=st.one_of(st.integers(min_value=-5, max_value=10_081), numbers),
        ),
    }


def raw_frames(scene) -> st.SearchStrategy:
    """Any frame: one of a known type, of an unknown type, or no JSON."""
    typed = st.one_of(*frames_for(others(scene)).values())
    return st.one_of(
        typed.map(lambda f: json.dumps(f, ensure_ascii=False)),
        # (WebsocketCommunicator cannot send an empty frame.)
        st.text(min_size=1, max_size=300),
        st.builds(
            lambda kind, extra: json.dumps({"type": kind, **extra}),
            st.one_of(field, st.text(max_size=20)),
            st.dictionaries(st.text(max_size=8), field, max_size=3),
        ),
        st.sampled_from(["[]", "null", '"send"', "{", "x" * (FRAME_LIMIT + 1)]),
    )


def test_every_frame_type_has_a_strategy():
    assert set(frames_for(["x"])) == set(RoomConsumer.HANDLERS)
    # The notification socket takes no frame: every one is answered with an
    # error (test_the_notification_socket_refuses_every_frame).
    assert "receive" in NotificationConsumer.__dict__
    assert not hasattr(NotificationConsumer, "HANDLERS")


def _stored(room_key: str):
    """What a refused frame must leave as it was."""
    room = Room.objects.get(gathering_id=int(room_key.removeprefix("gathering-")))
    return (
        room.last_seq,
        room.pinned_id,
        list(Message.objects.order_by("pk").values_list("pk", "body", "deleted_at")),
        list(RoomMute.objects.order_by("pk").values_list("pk", "until")),
    )


def _echoed(raw: str) -> list[str]:
    """Values of the frame that an error may quote (the unknown type)."""
    try:
        parsed = json.loads(raw)
    except ValueError:
        return [raw]
    if isinstance(parsed, dict):
        return [str(parsed.get("type"))[:40]]
    return []


async def _play(socket, room: str, raw: str, language: str) -> list[dict]:
    """Send ``raw``, then a history request as a probe; every frame up to
    the probe's answer, checked."""
    stored = database_sync_to_async(_stored)
    before = await stored(room)
    await socket.send_to(text_data=raw)
    await socket.send_json_to({"type": "history", "before": 1})
    replies = await frames_until(socket, "history", limit=200)
    errors = [f for f in replies if f["type"] == "error"]
    for reply in replies:
        assert reply["type"] in REPLIES, reply
    for error in errors:
        assert error["code"] != "server_error", (raw, error)
        problem = hostile.message_problem(
            error["detail"], language or "ko", _echoed(raw)
        )
        assert problem is None, (raw, problem)
    if errors:
        assert await stored(room) == before, ("a refused frame stored", raw)
    return replies


# None: a browser that names no language, which gets Korean.
LANGUAGES = st.sampled_from(["ko", "en", None])


def _headers(language: str | None) -> list:
    return [(b"accept-language", language.encode())] if language else []


@hostile.fuzz_settings(10)
@given(data=st.data(), language=LANGUAGES)
def test_no_frame_crashes_the_consumer(scene, data, language):
    """As an attendee (who may write, not moderate) and as a moderator
    (who may pin, delete and mute), batches of hostile frames."""
    batch = data.draw(st.lists(raw_frames(scene), min_size=1, max_size=4))
    as_moderator = data.draw(st.booleans())
    if "moderator" not in scene.extra:
        scene.extra["moderator"] = moderator_of(scene.community)
    member = scene.extra["moderator"] if as_moderator else scene.attendees[0]

    async def play():
        socket = await joined(member, scene.room, extra_headers=_headers(language))
        for raw in batch:
            await _play(socket, scene.room, raw, language)
        await socket.disconnect()

    async_to_sync(play)()
    for message in Message.objects.all():
        assert message.body.strip()
        assert len(message.body) <= 2000


def test_each_frame_type_survives_hostile_fields(scene):
    """Every frame type on its own, so that none is left to chance."""
    moderator = moderator_of(scene.community)

    @hostile.fuzz_settings(6)
    @given(data=st.data(), language=LANGUAGES)
    def attempt(kind, data, language):
        frame = data.draw(frames_for(others(scene))[kind], label=kind)

        async def play():
            socket = await joined(
                moderator, scene.room, extra_headers=_headers(language)
            )
            await _play(
                socket, scene.room, json.dumps(frame, ensure_ascii=False), language
            )
            await socket.disconnect()

        async_to_sync(play)()

    for kind in sorted(RoomConsumer.HANDLERS):
        attempt(kind)


@hostile.fuzz_settings(6)
@given(raw=st.one_of(hostile.text.filter(bool), st.text(min_size=1)))
def test_the_notification_socket_refuses_every_frame(scene, raw):
    async def play():
        socket, connected, _code = await connect(scene.attendees[0], "", path="/ws/me/")
        assert connected
        await socket.send_to(text_data=raw)
        error = await next_of(socket, "error")
        assert error["code"] == "unknown_type"
        assert hostile.message_problem(error["detail"], "ko") is None
        await socket.disconnect()

    async_to_sync(play)()


ROOM_KEYS = st.one_of(
    hostile.text,
    hostile.number_strings.map(lambda n: f"gathering-{n}"),
    st.sampled_from(["gathering-²", "gathering-١٢", "lounge-\x00", "lounge-가"]),
    hostile.text.map(lambda t: f"lounge-{t}"),
)


@hostile.fuzz_settings(8)
@given(key=ROOM_KEYS, language=LANGUAGES)
# Once a crash: '²' passed str.isdigit() and failed int().
@example(key="gathering-²", language="ko")
@example(key="lounge-\x00", language="en")
def test_a_hostile_room_key_is_refused_with_a_code(scene, key, language):
    """The route takes 1 to 120 characters other than '/'; whatever they
    are, the socket is refused in words and closed with a code (or, for a
    key the route does not match, never accepted)."""
    path = f"/ws/rooms/{quote(key, safe='')}/"
    routed = 0 < len(key) <= 120 and "/" not in key

    async def play():
        socket, connected, code = await connect(
            scene.attendees[0],
            scene.room,
            path=path,
            extra_headers=_headers(language),
        )
        assert connected, code
        first = await socket.receive_json_from()
        if first["type"] == "hello":  # the key names the scene's own room
            assert first["room"] == scene.room
            await socket.disconnect()
            return
        closed = await socket.receive_output()
        assert closed["type"] == "websocket.close", closed
        assert closed["code"] in (4403, 4404), (key, closed)
        assert hostile.message_problem(first["detail"], language or "ko") is None

    if routed:
        async_to_sync(play)()
    else:
        with pytest.raises(ValueError, match="No route found"):
            async_to_sync(play)()


def test_a_mute_of_a_public_id_with_a_nul_is_refused_in_words(scene):
    """PostgreSQL refuses NUL in a text parameter: it was a server_error."""
    moderator = moderator_of(scene.community)

    async def play():
        socket = await joined(moderator, scene.room)
        await socket.send_json_to(
            {"type": "mute", "member": "a\x00b", "minutes": 5, "id": "m"}
        )
        error = await next_of(socket, "error")
        await socket.disconnect()
        return error

    assert async_to_sync(play)()["code"] == "member_not_found"


def test_a_nul_in_a_message_is_dropped_and_in_its_id_refused(scene):
    """PostgreSQL refuses NUL in text: both were a server_error (found by
    the hunt profile on PostgreSQL)."""

    async def play():
        socket = await joined(scene.attendees[0], scene.room)
        await socket.send_json_to({"type": "send", "id": "a", "body": "가\x00나"})
        stored = await next_of(socket, "message")
        await socket.send_json_to({"type": "send", "id": "b", "body": "\x00"})
        empty = await next_of(socket, "error")
        await socket.send_json_to({"type": "send", "id": "c\x00", "body": "x"})
        bad_id = await next_of(socket, "error")
        await socket.disconnect()
        return stored, empty, bad_id

    stored, empty, bad_id = async_to_sync(play)()
    assert stored["body"] == "가나"
    assert empty["code"] == "empty"
    assert bad_id["code"] == "bad_field"
    assert list(Message.objects.values_list("body", flat=True)) == ["가나"]


def test_stored_text_comes_back_as_text_not_markup(scene):
    async def play():
        socket = await joined(scene.attendees[0], scene.room)
        await socket.send_json_to(
            {"type": "send", "id": "x", "body": "<img src=x onerror=alert(1)>"}
        )
        message = await next_of(socket, "message")
        await socket.disconnect()
        return message

    message = async_to_sync(play)()

    # The server keeps the text as written; the client sets it with
    # textContent (static/js/live.js), so it is shown, never parsed.
    assert message["body"] == "<img src=x onerror=alert(1)>"
