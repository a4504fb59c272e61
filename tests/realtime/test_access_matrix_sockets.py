"""The access matrix's websocket rows (tests/access_matrix.py): each kind of
visitor against the rooms and /ws/me/, through the whole ASGI stack. The
consumers read committed data from other threads, so the world is built and
committed here, in a transactional test; its main gathering is in its lobby.
"""

import json
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async

from tests import access_matrix as m
from tests.events.factories import MARKER_LINK
from tests.realtime.conftest import TIMEOUT, connect


async def _socket_outcome(member, path: str) -> tuple[str, list[dict]]:
    """How the socket at ``path`` answered ``member`` (for a room, what its
    hello lets them do), and every frame it sent before going quiet."""
    communicator, connected, code = await connect(member, "", path=path)
    if not connected:
        return str(code), []
    frames = []
    # A room speaks first (its hello or an error): wait for that however slow
    # the machine, then take what follows until the socket goes quiet.
    first = path.startswith("/ws/rooms/")
    while first or not await communicator.receive_nothing(timeout=0.3):
        first = False
        output = await communicator.receive_output(timeout=TIMEOUT)
        if output["type"] == "websocket.close":
            assert frames and frames[-1]["type"] == "error", frames
            return str(output["code"]), frames
        frames.append(json.loads(output["text"]))
    await communicator.disconnect()
    hello = next((frame for frame in frames if frame["type"] == "hello"), None)
    if hello is not None and hello["can_moderate"]:
        return m.MODERATES, frames
    if hello is not None and not hello["can_write"]:
        return m.READ_ONLY, frames
    return m.ALLOWED, frames


@pytest.mark.django_db(transaction=True)
async def test_every_socket_row_holds_and_no_frame_carries_a_secret():
    """The consumers read committed data from other threads, so this world
    is built and committed here; its main gathering is in its lobby."""
    world = await sync_to_async(m.world_build)(starts_in=timedelta(minutes=10))
    wrong, leaks = [], []
    for row in m.SOCKET_ROWS:
        for kind, expected in row.expect.items():
            got, frames = await _socket_outcome(world.member(kind), row.path(world))
            if got != expected:
                wrong.append(f"{row.id} {kind}: expected {expected}, got {got}")
            text = json.dumps(frames, ensure_ascii=False)
            if MARKER_LINK in text or m.SURVEY_MARKER in text:
                leaks.append(f"{row.id} {kind}")
    assert not wrong, "\n".join(wrong)
    assert not leaks, f"a planted secret in a frame: {leaks}"
