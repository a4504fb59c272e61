"""Signed-in devices (#18, allauth.usersessions): a member sees where they are
signed in and signs the other devices out; the sockets those devices opened
close too (SECURITY.md: a session that ended must not keep listening),
while the sockets of the device that asked stay open."""

import asyncio

import pytest
import websockets
from allauth.usersessions.models import UserSession
from asgiref.sync import sync_to_async
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD
from tests.realtime.conftest import connect, frames_until
from tests.realtime.test_cross_process import redis_for_scale_out
from tests.servers import daphnes, redis_settings

CHROME_ON_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)
SAFARI_ON_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)


def signed_in_device(member, user_agent: str, address: str) -> Client:
    """A browser that signed in through allauth's form (which records the
    device)."""
    client = Client(HTTP_USER_AGENT=user_agent, REMOTE_ADDR=address)
    response = client.post(
        reverse("account_login"), {"login": member.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    return client


async def socket_of(client: Client, room: str):
    cookie = client.cookies["sessionid"].value
    communicator, connected, _code = await connect(
        None, room, extra_headers=[(b"cookie", f"sessionid={cookie}".encode())]
    )
    assert connected
    await frames_until(communicator, "presence")
    return communicator


async def closed_with(communicator) -> int:
    while True:
        output = await communicator.receive_output(timeout=3)
        if output["type"] == "websocket.close":
            return output["code"]


async def still_open(communicator) -> bool:
    """Nothing but frames (presence, say) arrives: no close."""
    while not await communicator.receive_nothing(timeout=0.5):
        output = await communicator.receive_output(timeout=3)
        if output["type"] == "websocket.close":
            return False
    return True


async def test_signing_out_the_other_devices_closes_their_sockets(scene):
    member = scene.attendees[0]
    laptop = await sync_to_async(signed_in_device)(
        member, CHROME_ON_WINDOWS, "203.0.113.7"
    )
    phone = await sync_to_async(signed_in_device)(
        member, SAFARI_ON_IPHONE, "198.51.100.20"
    )
    laptop_socket = await socket_of(laptop, scene.room)
    phone_socket = await socket_of(phone, scene.room)

    response = await sync_to_async(laptop.post)(reverse("usersessions_list"))

    assert response.status_code == 302
    assert await closed_with(phone_socket) == 4000
    assert await still_open(laptop_socket)
    sessions = await sync_to_async(list)(
        UserSession.objects.filter(user=member).values_list("user_agent", flat=True)
    )
    assert sessions == [CHROME_ON_WINDOWS]
    assert not await sync_to_async(lambda: SESSION_KEY in phone.session)()
    # The phone's socket reconnects and is refused: its session is gone.
    again, connected, _code = await connect(
        None,
        scene.room,
        extra_headers=[
            (b"cookie", f"sessionid={phone.cookies['sessionid'].value}".encode())
        ],
    )
    assert connected
    error = await again.receive_json_from(timeout=3)
    assert error["code"] == "login_required"
    await laptop_socket.disconnect()


def test_the_devices_page_names_each_device_with_a_korean_date(member):
    laptop = signed_in_device(member, CHROME_ON_WINDOWS, "203.0.113.7")
    signed_in_device(member, SAFARI_ON_IPHONE, "198.51.100.20")

    html = laptop.get(
        reverse("usersessions_list"), headers={"accept-language": "ko"}
    ).content.decode()

    assert "Chrome · Windows" in html
    assert "Safari · iOS" in html
    assert "203.0.113.7" in html and "198.51.100.20" in html
    assert "이 기기" in html  # the device asking
    assert "년" in html and "월" in html and "일" in html
    assert "다른 기기 모두 로그아웃" in html


def test_the_devices_page_in_english(member):
    laptop = signed_in_device(member, CHROME_ON_WINDOWS, "203.0.113.7")

    html = laptop.get(
        reverse("usersessions_list"), headers={"accept-language": "en"}
    ).content.decode()

    assert "Signed-in devices" in html
    assert "This device" in html


def test_last_seen_is_written_at_most_every_few_minutes(
    member, django_assert_num_queries, settings
):
    laptop = signed_in_device(member, CHROME_ON_WINDOWS, "203.0.113.7")
    before = UserSession.objects.get(user=member).last_seen_at
    profile = reverse("profile_edit")

    laptop.get(profile)  # seen at sign-in, moments ago: nothing written
    assert UserSession.objects.get(user=member).last_seen_at == before

    from django.core.cache import cache

    cache.clear()  # as if the few minutes had passed
    laptop.get(profile, REMOTE_ADDR="203.0.113.99")

    device = UserSession.objects.get(user=member)
    assert device.last_seen_at > before
    assert device.ip == "203.0.113.99"


@pytest.mark.django_db(transaction=True)
def test_across_processes_the_other_devices_socket_closes(scene):
    """The socket is served by a daphne process of its own, the sign-out
    comes from this one: the order travels through Redis (the machine's when
    the suite runs on it, else a private redis-server)."""
    member = scene.attendees[0]
    with redis_for_scale_out() as url, redis_settings(url), daphnes(1) as servers:
        port = servers[0].port.value
        laptop = signed_in_device(member, CHROME_ON_WINDOWS, "203.0.113.7")
        phone = signed_in_device(member, SAFARI_ON_IPHONE, "198.51.100.20")

        async def play() -> int | None:
            async with websockets.connect(
                f"ws://127.0.0.1:{port}/ws/me/",
                origin=f"http://127.0.0.1:{port}",
                additional_headers={
                    "Cookie": f"sessionid={phone.cookies['sessionid'].value}"
                },
                open_timeout=10,
            ) as socket:
                await asyncio.sleep(0.5)  # joined its groups
                await sync_to_async(laptop.post)(reverse("usersessions_list"))
                try:
                    while True:
                        await asyncio.wait_for(socket.recv(), timeout=10)
                except websockets.ConnectionClosed as closed:
                    return closed.rcvd.code if closed.rcvd else None

        assert asyncio.run(play()) == 4000
