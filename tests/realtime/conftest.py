"""Rooms in every state, and members in every relation to them, for the chat
tests. The consumers run in this process through config.asgi's whole stack
(origin check, session authentication), so the data must be committed:
these tests use the transactional database."""

import uuid
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator
from django.test import Client

from community.models import Community, Member, Membership, MembershipRole
from events.models import ApplicationStatus, Gathering, GatheringStatus
from events.services.offers import offer_confirm
from tests.events.factories import (
    advance,
    gathering_drawn,
    member_joined,
    organiser_of,
    with_status,
)
from tests.factories import community_create, member_create

ORIGIN = "http://localhost"
TIMEOUT = 3


@dataclass
class Scene:
    gathering: Gathering
    community: Community
    organiser: Member
    attendees: list[Member]
    waitlisted: list[Member]
    member: Member  # of the community, not an applicant
    outsider: Member  # verified, of no community
    extra: dict = field(default_factory=dict)

    @property
    def room(self) -> str:
        return f"gathering-{self.gathering.pk}"

    @property
    def lounge(self) -> str:
        return f"lounge-{self.community.slug}"

    def at(self, status: str) -> "Scene":
        """Advance the gathering to ``status`` (lobby, live or ended)."""
        moment = {
            GatheringStatus.LOBBY: self.gathering.lobby_at,
            GatheringStatus.LIVE: self.gathering.starts_at,
            GatheringStatus.ENDED: self.gathering.ends_at,
        }[status]
        self.gathering = advance(self.gathering, moment)
        return self


def scene_make(status: str = GatheringStatus.LOBBY) -> Scene:
    community = community_create()
    organiser = organiser_of(community)
    gathering, _applicants = gathering_drawn(
        capacity=2, applicants=4, community=community, organiser=organiser
    )
    confirm_at = gathering.applications_close_at + timedelta(minutes=1)
    attendees = []
    for application in with_status(gathering, ApplicationStatus.OFFERED):
        offer_confirm(member=application.member, gathering=gathering, now=confirm_at)
        attendees.append(application.member)
    waitlisted = [
        a.member for a in with_status(gathering, ApplicationStatus.WAITLISTED)
    ]
    scene = Scene(
        gathering=gathering,
        community=community,
        organiser=organiser,
        attendees=attendees,
        waitlisted=waitlisted,
        member=member_joined(community),
        outsider=member_create(language="en"),
    )
    if status != GatheringStatus.DRAWN:
        scene.at(GatheringStatus.LOBBY)
        if status in (GatheringStatus.LIVE, GatheringStatus.ENDED):
            scene.at(GatheringStatus.LIVE)
        if status == GatheringStatus.ENDED:
            scene.at(GatheringStatus.ENDED)
    return scene


@pytest.fixture(autouse=True)
def _channel_layer_of_its_own(settings):
    """A fresh channel layer for each test (a Redis layer's locks belong to
    the event loop that made them, and each async test has its own loop),
    and on Redis a key prefix of its own, so that parallel test workers,
    whose rooms share ids, never hear each other."""
    layer = settings.CHANNEL_LAYERS["default"]
    if "CONFIG" in layer:
        config = {**layer["CONFIG"], "prefix": f"moim-test-{uuid.uuid4().hex[:8]}"}
        settings.CHANNEL_LAYERS = {"default": {**layer, "CONFIG": config}}
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture
def scene(transactional_db) -> Scene:
    """A gathering in its lobby: two confirmed attendees, two waitlisted."""
    return scene_make()


def moderator_of(community: Community) -> Member:
    moderator = member_create(language="en")
    Membership.objects.create(
        community=community, member=moderator, role=MembershipRole.MODERATOR
    )
    return moderator


def session_cookie(member: Member) -> str:
    client = Client()
    client.force_login(member)
    return client.cookies["sessionid"].value


async def connect(
    member: Member | None,
    room: str,
    *,
    after: int | None = None,
    origin: str | None = ORIGIN,
    host: str = "localhost",
    path: str | None = None,
    extra_headers: list[tuple[bytes, bytes]] = (),
) -> tuple[WebsocketCommunicator, bool, int | None]:
    """A socket to ``room`` through the whole ASGI stack, as ``member``."""
    from config.asgi import application

    headers = [(b"host", host.encode())]
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    cookies = [value for name, value in extra_headers if name == b"cookie"]
    headers.extend((n, v) for n, v in extra_headers if n != b"cookie")
    if member is not None:
        cookie = await sync_to_async(session_cookie)(member)
        cookies.append(f"sessionid={cookie}".encode())
    if cookies:
        headers.append((b"cookie", b"; ".join(cookies)))
    path = path or f"/ws/rooms/{room}/" + (f"?after={after}" if after else "")
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, code = await communicator.connect(timeout=TIMEOUT)
    return communicator, connected, code


async def frames_until(communicator, kind: str, limit: int = 20) -> list[dict]:
    """Frames received up to and including the first of type ``kind``."""
    frames = []
    for _ in range(limit):
        frame = await communicator.receive_json_from(timeout=TIMEOUT)
        frames.append(frame)
        if frame["type"] == kind:
            return frames
    raise AssertionError(f"no {kind} frame in {frames}")


async def joined(member: Member, room: str, **kwargs) -> WebsocketCommunicator:
    """Connected and past the opening frames (hello, history, pinned,
    presence)."""
    communicator, connected, _code = await connect(member, room, **kwargs)
    assert connected
    await frames_until(communicator, "hello")
    await frames_until(communicator, "history")
    await frames_until(communicator, "pinned")
    await frames_until(communicator, "presence")
    return communicator


async def refusal(communicator) -> tuple[dict, int]:
    """The error frame and close code of a refused socket."""
    error = await communicator.receive_json_from(timeout=TIMEOUT)
    closed = await communicator.receive_output(timeout=TIMEOUT)
    assert closed["type"] == "websocket.close", closed
    return error, closed["code"]


async def drain(communicator, kind: str | None = None) -> list[dict]:
    """Everything already sent to the socket (of type ``kind``, if given)."""
    frames = []
    while not await communicator.receive_nothing(timeout=0.2):
        frame = await communicator.receive_json_from(timeout=TIMEOUT)
        if kind is None or frame["type"] == kind:
            frames.append(frame)
    return frames


async def next_of(communicator, kind: str) -> dict:
    """The next frame of type ``kind`` (skipping others)."""
    return (await frames_until(communicator, kind))[-1]


async def collect(communicator, kind: str, count: int) -> list[dict]:
    """The next ``count`` frames of type ``kind``."""
    return [await next_of(communicator, kind) for _ in range(count)]
