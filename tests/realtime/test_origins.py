"""The websocket Origin rule (realtime.origins, docs/realtime.md "Origin"):
the page that opens a socket must be one of the site's, by scheme, host and
port, as SITE_URL and CSRF_TRUSTED_ORIGINS name them; on the loopback
interface, also the address the handshake was sent to. Tried through
config.asgi's whole stack."""

import pytest

from tests.realtime.conftest import connect

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def deployed(settings):
    settings.SITE_URL = "https://moim.example"
    settings.CSRF_TRUSTED_ORIGINS = [
        "https://admin.moim.example",
        "https://*.events.example:8443",
    ]
    settings.ALLOWED_HOSTS = ["moim.example", ".moim.example"]


async def opens(scene, origin, host="moim.example") -> bool:
    communicator, connected, _code = await connect(
        scene.attendees[0], scene.room, origin=origin, host=host
    )
    await communicator.disconnect()
    return connected


@pytest.mark.parametrize(
    "origin",
    [
        "https://moim.example",
        "https://MOIM.example:443",
        "https://admin.moim.example",
        "https://events.example:8443",
        "https://seoul.events.example:8443",
    ],
)
async def test_the_sites_own_origins_open_a_socket(scene, deployed, origin):
    assert await opens(scene, origin)


@pytest.mark.parametrize(
    "origin",
    [
        "http://moim.example",  # the site is https
        "https://moim.example:8443",  # another port of its host
        "http://moim.example:443",
        "https://www.moim.example",  # a host ALLOWED_HOSTS names, no origin
        "https://seoul.events.example",  # the trusted origin's port is 8443
        "https://moim.example.evil.example",
        "https://evil.example",
        "null",
        "",
        "https://*.events.example:8443",
    ],
)
async def test_any_other_origin_is_refused(scene, deployed, origin):
    assert not await opens(scene, origin)


async def test_the_handshakes_own_address_counts_only_on_loopback(scene, deployed):
    # A proxy passing the site's host: http://moim.example is not the site.
    assert not await opens(scene, "http://moim.example", host="moim.example")


@pytest.mark.parametrize(
    ("host", "origin", "allowed"),
    [
        # A development server on any port serves its own pages ...
        ("127.0.0.1:8000", "http://127.0.0.1:8000", True),
        ("127.0.0.1:45123", "http://127.0.0.1:45123", True),
        ("localhost:9000", "http://localhost:9000", True),
        ("[::1]:8000", "http://[::1]:8000", True),
        # ... and no page of another program on the same machine.
        ("127.0.0.1:8000", "http://127.0.0.1:9999", False),
        ("127.0.0.1:8000", "http://localhost:8000", False),
        ("127.0.0.1:8000", "https://127.0.0.1:8000", False),
        ("127.0.0.1", "http://127.0.0.1:8080", False),
    ],
)
async def test_a_loopback_server_accepts_its_own_pages_only(
    scene, settings, host, origin, allowed
):
    settings.SITE_URL = "http://127.0.0.1:8000"
    settings.CSRF_TRUSTED_ORIGINS = []

    assert await opens(scene, origin, host=host) is allowed
