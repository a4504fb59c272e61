"""Chat across real server processes and a real Redis: two daphne processes
share a room through channels_redis, and a Redis restart loses nothing that
was stored.

The scale-out test uses the machine's Redis (REDIS_URL) when the suite runs
against it, and otherwise a Redis server of its own. The fault test always
starts its own redis-server on a free port: restarting the shared one would
disturb the other test workers. Either way it is the machine's real Redis
binary, never a mock; without redis-server on the PATH these tests fail.
"""

import asyncio
import json
import shutil
import subprocess
import urllib.request
from contextlib import contextmanager

import pytest
import websockets
from django.conf import settings
from django.urls import reverse

from realtime import consumers
from realtime.services import message_send
from tests.realtime.client import ChatClient
from tests.realtime.conftest import session_cookie
from tests.servers import (
    daphne_start,
    daphne_stop,
    daphnes,
    private_redis,
    redis_settings,
    redis_start,
)

pytestmark = pytest.mark.django_db(transaction=True)


@contextmanager
def redis_for_scale_out():
    if settings.REDIS_URL:
        yield settings.REDIS_URL
    else:
        with private_redis() as port:
            yield f"redis://127.0.0.1:{port}/0"


async def clients_connected(
    room: str, ports: list[int], cookies: list[str]
) -> list[ChatClient]:
    """One started client per (port, session), each past its hello."""
    clients = [
        ChatClient(port, room, c) for port, c in zip(ports, cookies, strict=True)
    ]
    for client in clients:
        client.start()
        await asyncio.wait_for(client.connected.wait(), 30)
    return clients


def get(port: int, path: str) -> int:
    try:
        with urllib.request.urlopen(
            f"http://127.0.0.1:{port}{path}", timeout=10
        ) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_two_processes_share_a_room_in_order_and_once(scene, django_db_blocker):
    cookies = [session_cookie(member) for member in scene.attendees]
    with redis_for_scale_out() as url, redis_settings(url), daphnes(2) as servers:
        first, second = (server.port.value for server in servers)

        async def play():
            alice, bob = await clients_connected(scene.room, [first, second], cookies)
            for number in range(5):
                await alice.send(f"a{number}", f"1번 프로세스에서 {number}")
            for number in range(5):
                await bob.send(f"b{number}", f"2번 프로세스에서 {number}")
            for client in (alice, bob):
                await client.wait_for(set(range(1, 11)), timeout=20)
            await asyncio.sleep(0.5)  # time for a duplicate to show up
            for client in (alice, bob):
                await client.stop()
            return alice, bob

        alice, bob = asyncio.run(play())

    for client in (alice, bob):
        # Every message, each live exactly once. Broadcasts from the two
        # processes may overtake each other (each is sent when its own
        # transaction commits); a client orders by sequence number and asks
        # for a gap, as static/js/live.js does.
        assert sorted(client.messages) == list(range(1, 11))
        assert sorted(client.live_counts) == list(range(1, 11))
        assert set(client.live_counts.values()) == {1}
    # What one member sent arrives at the other process in the order sent.
    heard_by_bob = [bob.messages[seq] for seq in bob.order]
    assert [body for body in heard_by_bob if body.startswith("1번")] == [
        f"1번 프로세스에서 {n}" for n in range(5)
    ]
    heard_by_alice = [alice.messages[seq] for seq in alice.order]
    assert [body for body in heard_by_alice if body.startswith("2번")] == [
        f"2번 프로세스에서 {n}" for n in range(5)
    ]


def test_a_redis_restart_loses_no_stored_message(scene, django_db_blocker, monkeypatch):
    cookies = [session_cookie(member) for member in scene.attendees]
    community_page = reverse("community_detail", args=[scene.community.slug])
    with private_redis() as redis_port:
        url = f"redis://127.0.0.1:{redis_port}/0"
        # The server tells each socket the room's newest sequence number every
        # second instead of every 30: how a client in a quiet room learns that
        # a broadcast was lost while Redis was away.
        monkeypatch.setattr(consumers, "HEARTBEAT", 1.0)
        with redis_settings(url):
            server = daphne_start()
        port = server.port.value
        redis = {"process": None}
        try:

            async def play():
                alice, bob = await clients_connected(scene.room, [port, port], cookies)
                for number in range(3):
                    await alice.send(f"before{number}", f"재시작 전 {number}")
                for client in (alice, bob):
                    await client.wait_for({1, 2, 3})

                # Redis goes away (the private server is found by its port).
                subprocess.run(
                    [
                        shutil.which("redis-cli"),
                        "-p",
                        str(redis_port),
                        "shutdown",
                        "nosave",
                    ],
                    check=False,
                    capture_output=True,
                )
                await asyncio.sleep(1)
                statuses = await asyncio.to_thread(
                    lambda: [get(port, "/"), get(port, community_page)]
                )
                # A message stored while Redis is down: its broadcast fails.
                await asyncio.to_thread(
                    message_send,
                    member=scene.organiser,
                    key=scene.room,
                    body="레디스가 멈춘 동안",
                    client_id="during",
                )
                await asyncio.sleep(1)
                redis["process"] = await asyncio.to_thread(redis_start, redis_port)
                for client in (alice, bob):
                    await client.wait_for({1, 2, 3, 4}, timeout=30)
                    await asyncio.wait_for(client.connected.wait(), 30)
                await bob.send("after", "재시작 후")
                for client in (alice, bob):
                    await client.wait_for({1, 2, 3, 4, 5}, timeout=20)
                for client in (alice, bob):
                    await client.stop()
                return statuses, alice, bob

            with django_db_blocker.unblock():
                statuses, alice, bob = asyncio.run(play())
        finally:
            daphne_stop(server)
            if redis["process"] is not None:
                redis["process"].kill()
                redis["process"].wait()

    assert statuses == [200, 200]
    for client in (alice, bob):
        assert sorted(client.messages) == [1, 2, 3, 4, 5]
        assert client.messages[4] == "레디스가 멈춘 동안"
        assert all(count == 1 for count in client.live_counts.values())


@pytest.mark.postgres
def test_the_socket_cap_holds_across_processes(scene):
    """One member's sockets count together on every server process: 20 held
    across two processes (rooms and the unread count), the 21st is refused
    on either, and a place freed on one is taken on the other. Needs
    PostgreSQL (two processes write presence at once) and Redis (the
    cache the processes share)."""
    member = scene.attendees[0]
    cookie = session_cookie(member)
    with redis_for_scale_out() as url, redis_settings(url), daphnes(2) as servers:
        ports = [server.port.value for server in servers]

        def open_socket(port: int, path: str):
            return websockets.connect(
                f"ws://127.0.0.1:{port}{path}",
                origin=f"http://127.0.0.1:{port}",
                additional_headers={"Cookie": f"sessionid={cookie}"},
                open_timeout=10,
            )

        async def first_frame(socket) -> dict:
            return json.loads(await asyncio.wait_for(socket.recv(), 10))

        async def held_open(port: int, path: str):
            """A socket whose connect has run to its end on the server."""
            socket = await open_socket(port, path)
            if path == "/ws/me/":
                # Frames are handled after the connect: the answer to one
                # means the place is taken.
                await socket.send("{}")
            frame = await first_frame(socket)
            assert frame["type"] in ("hello", "error"), frame
            assert frame.get("code") != "too_many_sockets", frame
            return socket

        async def refused(port: int, path: str) -> tuple[dict, int]:
            socket = await open_socket(port, path)
            frame = await first_frame(socket)
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await asyncio.wait_for(socket.recv(), 10)
            return frame, closed.value.rcvd.code

        async def play():
            room = f"/ws/rooms/{scene.room}/"
            held = []
            for number in range(20):
                path = room if number % 4 < 2 else "/ws/me/"
                held.append(await held_open(ports[number % 2], path))
            refusals = [await refused(port, room) for port in ports]
            refusals.append(await refused(ports[1], "/ws/me/"))

            await held[0].close()  # on the first process
            for _attempt in range(50):
                socket = await open_socket(ports[1], room)
                frame = await first_frame(socket)
                if frame["type"] == "hello":
                    break
                await socket.close()
                await asyncio.sleep(0.1)
            held.append(socket)
            for socket in held:
                await socket.close()
            return refusals, frame

        refusals, frame = asyncio.run(play())

    for error, code in refusals:
        assert error["code"] == "too_many_sockets"
        assert code == 4429
    assert frame["type"] == "hello"
