"""Hypothesis sends hostile frames of every type: the consumer answers each
with a frame of the protocol, keeps the socket open, and stores only what a
valid send carried."""

import json

import pytest
from asgiref.sync import async_to_sync
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from realtime.models import Message
from tests.realtime.conftest import frames_until, joined, next_of

pytestmark = pytest.mark.django_db(transaction=True)

TYPES = ["send", "history", "typing", "delete", "pin", "mute"]
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
hostile_text = st.one_of(
    st.text(max_size=2100),
    st.sampled_from(
        [
            "<script>alert(1)</script>",
            "**굵게** [링크](javascript:alert(1))",
            "\x00\x07\u202e\ufeff",
            "한국어 English 日本語 العربية",
            "가" * 2001,
            "",
        ]
    ),
)
frames = st.one_of(
    # (WebsocketCommunicator cannot send an empty frame.)
    st.text(min_size=1, max_size=300),
    st.builds(
        lambda kind, extra: json.dumps({"type": kind, **extra}),
        st.sampled_from(TYPES) | st.text(max_size=20),
        st.dictionaries(
            st.sampled_from(["id", "body", "before", "after", "seq", "member"])
            | st.text(max_size=8),
            json_values,
            max_size=4,
        ),
    ),
    st.builds(
        lambda client_id, body: json.dumps(
            {"type": "send", "id": client_id, "body": body}
        ),
        st.text(max_size=80),
        hostile_text,
    ),
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(batch=st.lists(frames, min_size=1, max_size=6))
def test_no_frame_crashes_the_consumer(scene, batch):
    async def play():
        socket = await joined(scene.attendees[0], scene.room)
        for raw in batch:
            await socket.send_to(text_data=raw)
        # The socket still answers: a history request gets its page.
        await socket.send_json_to({"type": "history", "before": 1})
        replies = await frames_until(socket, "history", limit=200)
        for frame in replies:
            assert frame["type"] in REPLIES, frame
            if frame["type"] == "error":
                assert frame["code"] and frame["detail"]
        await socket.disconnect()

    async_to_sync(play)()
    for message in Message.objects.all():
        assert message.body.strip()
        assert len(message.body) <= 2000


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
