"""Uploaded pictures served by the ASGI app in the embedded setup
(config/media.py): the files under MEDIA_ROOT, as images, cached for good,
and nothing outside it."""

from pathlib import Path

import pytest
from asgiref.testing import ApplicationCommunicator
from django.core.handlers.asgi import ASGIHandler

from config.media import ASGIMediaFilesHandler


async def _get(app, path: str) -> tuple[int, dict[bytes, bytes], bytes]:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(b"host", b"localhost")],
        "server": ("localhost", 80),
    }
    communicator = ApplicationCommunicator(app, scope)
    await communicator.send_input({"type": "http.request", "body": b""})
    start = await communicator.receive_output(5)
    body = b""
    while True:
        message = await communicator.receive_output(5)
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    return start["status"], dict(start["headers"]), body


@pytest.fixture
def media(settings, tmp_path) -> Path:
    root = tmp_path / "media"
    (root / "avatars").mkdir(parents=True)
    (root / "avatars" / "abc-96.webp").write_bytes(b"RIFF0000WEBPVP8 ")
    (tmp_path / "secret.txt").write_text("not for the web")
    settings.MEDIA_ROOT = str(root)
    return root


async def test_a_stored_picture_is_served_as_an_image_cached_for_good(media):
    status, headers, body = await _get(
        ASGIMediaFilesHandler(ASGIHandler()), "/media/avatars/abc-96.webp"
    )
    assert status == 200
    assert headers[b"Content-Type"] == b"image/webp"
    assert headers[b"X-Content-Type-Options"] == b"nosniff"
    assert b"immutable" in headers[b"Cache-Control"]
    assert body.startswith(b"RIFF")


@pytest.mark.parametrize(
    "path",
    ["/media/../secret.txt", "/media/%2e%2e/secret.txt", "/media/avatars/none.webp"],
)
async def test_nothing_outside_the_stored_pictures_is_served(media, path):
    status, _, body = await _get(ASGIMediaFilesHandler(ASGIHandler()), path)
    assert status == 404
    assert b"not for the web" not in body
