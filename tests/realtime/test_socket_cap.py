"""A member holds at most SOCKET_LIMIT open sockets (realtime.services,
docs/realtime.md "Sockets per member"), rooms and the notification socket
together: one more is accepted only to be told why, in the page's language,
and when the slots of a dead process will have freed themselves, and closed
with 4429, which the client retries once, after that time. Through config.asgi's
whole stack, in this process; tests/realtime/test_cross_process.py checks
the cap across two server processes."""

import pytest
from asgiref.sync import sync_to_async

from realtime import services
from realtime.broadcast import member_sockets_close
from tests.browser.steps import korean
from tests.realtime.conftest import connect, frames_until, joined, refusal

pytestmark = pytest.mark.django_db(transaction=True)

TOO_MANY = (
    "You have too many pages open at once (at most %(limit)s live connections). "
    "Close some and reload this page."
)


@pytest.fixture
def small_cap(monkeypatch):
    """A cap of 4, for the tests about what happens at the cap (one test
    fills the real one)."""
    monkeypatch.setattr(services, "SOCKET_LIMIT", 4, raising=False)
    return 4


async def notifications(member):
    communicator, connected, _code = await connect(member, "", path="/ws/me/")
    assert connected
    return communicator


async def sockets_up_to_the_cap(scene, member, cap: int) -> list:
    """``cap`` sockets of ``member``: half in the room, half for the unread
    count."""
    held = []
    for number in range(cap):
        if number % 2:
            held.append(await joined(member, scene.room))
        else:
            held.append(await notifications(member))
    return held


async def close_all(communicators) -> None:
    for communicator in communicators:
        await communicator.disconnect()


@pytest.mark.parametrize("path", ["room", "/ws/me/"])
async def test_one_socket_over_the_cap_of_20_is_refused_in_words(scene, path):
    member = scene.attendees[0]
    held = await sockets_up_to_the_cap(scene, member, 20)

    communicator, connected, _code = await connect(
        member, scene.room, path=None if path == "room" else path
    )
    error, code = await refusal(communicator)

    assert connected
    assert error["code"] == "too_many_sockets"
    assert error["detail"] == korean(TOO_MANY) % {"limit": 20}
    assert code == 4429
    await close_all(held)


async def test_the_refusal_says_when_a_dead_process_slots_are_free(scene, small_cap):
    # A server process killed without closing its sockets keeps their slots
    # until they expire: the refusal tells the client how long that is, and
    # static/js/live.js tries once more after it.
    member = scene.attendees[0]
    held = await sockets_up_to_the_cap(scene, member, small_cap)

    communicator, _connected, _code = await connect(member, scene.room)
    error, code = await refusal(communicator)

    assert code == 4429
    assert error["retry_after"] == services.SOCKET_TTL.total_seconds() == 90
    await close_all(held)


async def test_the_cap_is_each_members_own(scene, small_cap):
    held = await sockets_up_to_the_cap(scene, scene.attendees[0], small_cap)

    other = await joined(scene.attendees[1], scene.room)

    await close_all([*held, other])


async def test_a_closed_socket_frees_its_place(scene, small_cap):
    member = scene.attendees[0]
    held = await sockets_up_to_the_cap(scene, member, small_cap)
    await held.pop().disconnect()

    again = await joined(member, scene.room)

    await close_all([*held, again])


async def test_sockets_the_server_closes_free_their_places_for_the_reconnect(
    scene, small_cap
):
    # A sanction or a sign-out closes every socket of the member (4000, the
    # client reconnects at once): the reconnections must all find a place.
    member = scene.attendees[0]
    held = await sockets_up_to_the_cap(scene, member, small_cap)

    await sync_to_async(member_sockets_close)(member_id=member.pk)
    for communicator in held:
        closed = await communicator.receive_output(timeout=3)
        while closed["type"] != "websocket.close":
            closed = await communicator.receive_output(timeout=3)
        assert closed["code"] == 4000
    back = await sockets_up_to_the_cap(scene, member, small_cap)

    assert len(back) == small_cap
    await close_all([*held, *back])


async def test_the_refused_socket_gets_nothing_of_the_room(scene, small_cap):
    member = scene.attendees[0]
    held = await sockets_up_to_the_cap(scene, member, small_cap)

    communicator, _connected, _code = await connect(member, scene.room)
    frames = await frames_until(communicator, "error")

    assert [frame["type"] for frame in frames] == ["error"]
    await close_all(held)
