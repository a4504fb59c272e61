"""A gathering's host under a community sanction (SECURITY.md, "Sanctions"):
a ban closes their sockets and keeps them out of the room; a mute leaves
them reading it, neither writing nor moderating."""

import pytest
from asgiref.sync import sync_to_async

from community.access import access_for
from community.models import SanctionKind
from community.services.moderation import sanction_impose
from realtime.errors import RealtimeError
from realtime.models import Message
from realtime.services import message_delete, message_send
from tests.events.factories import member_joined
from tests.realtime.conftest import connect, joined, next_of, refusal

pytestmark = pytest.mark.django_db(transaction=True)

db = sync_to_async


def _host_of(scene):
    host = member_joined(scene.community)
    scene.gathering.hosts.add(host)
    return host


def _sanction(scene, member, kind) -> None:
    sanction_impose(
        access=access_for(scene.organiser, scene.community),
        member=member,
        kind=kind,
        reason="규칙 위반",
        ends_at=None,
    )


async def _closed_with(communicator) -> int:
    while True:
        output = await communicator.receive_output(timeout=3)
        if output["type"] == "websocket.close":
            return output["code"]


def _bodies(scene) -> list[tuple[str, bool]]:
    """Each message of the room, and whether it still stands."""
    return [
        (body, deleted_at is None)
        for body, deleted_at in Message.objects.filter(room__gathering=scene.gathering)
        .order_by("seq")
        .values_list("body", "deleted_at")
    ]


async def test_a_banned_host_is_closed_out_and_moderates_nothing(scene):
    host = await db(_host_of)(scene)
    socket = await joined(host, scene.room)
    await db(message_send)(
        member=scene.attendees[0], key=scene.room, body="참석자의 말", client_id="a"
    )

    await db(_sanction)(scene, host, SanctionKind.BAN)

    assert await _closed_with(socket) == 4000
    again, _connected, _ = await connect(host, scene.room)
    error, code = await refusal(again)
    assert (error["code"], code) == ("banned", 4403)
    with pytest.raises(RealtimeError):
        await db(message_delete)(member=host, key=scene.room, seq=1)
    assert await db(_bodies)(scene) == [("참석자의 말", True)]


async def test_a_muted_host_reads_the_room_but_neither_writes_nor_moderates(scene):
    host = await db(_host_of)(scene)
    await db(message_send)(
        member=scene.attendees[0], key=scene.room, body="참석자의 말", client_id="a"
    )
    await db(_sanction)(scene, host, SanctionKind.MUTE)

    communicator, connected, _ = await connect(
        host, scene.room, extra_headers=[(b"accept-language", b"en")]
    )
    assert connected
    hello = await next_of(communicator, "hello")
    assert (hello["can_write"], hello["can_moderate"]) == (False, False)
    assert "muted" in hello["write_refusal"]

    await communicator.send_json_to({"type": "send", "id": "h1", "body": "호스트"})
    assert (await next_of(communicator, "error"))["code"] == "cannot_post"
    await communicator.send_json_to({"type": "delete", "seq": 1})
    assert (await next_of(communicator, "error"))["code"] == "moderator_only"
    assert await db(_bodies)(scene) == [("참석자의 말", True)]
    await communicator.disconnect()
