"""Signing out of the admin is allauth's sign-out (config/admin.py), so it
closes the member's open sockets like every other way out (SECURITY.md,
"Authorisation": a session that ended must not keep listening)."""

from asgiref.sync import sync_to_async
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from tests.factories import client_signed_in_with_two_factor
from tests.realtime.conftest import joined


async def closed_with(communicator) -> int:
    while True:
        output = await communicator.receive_output(timeout=3)
        if output["type"] == "websocket.close":
            return output["code"]


async def test_signing_out_of_the_admin_closes_the_staff_members_sockets(scene):
    staff = scene.organiser
    staff.is_staff = True
    await sync_to_async(staff.save)(update_fields=["is_staff"])
    socket = await joined(staff, scene.room)

    def sign_out() -> Client:
        client = client_signed_in_with_two_factor(Client(), staff)
        response = client.post(reverse("admin:logout"))
        assert response.status_code == 302
        return client

    client = await sync_to_async(sign_out)()

    assert SESSION_KEY not in client.session
    assert await closed_with(socket) == 4000
