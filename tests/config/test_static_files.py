"""Static files' URLs change when the files do (config.static_files): a
browser or proxy that kept an earlier release's stylesheet or script asks
for the new one."""

import hashlib
import os

import pytest
from django.templatetags.static import static

from config import static_files

MOIM_CSS = static_files.finders.find("css/moim.css")


def test_a_static_url_carries_the_digest_of_the_files_content():
    with open(MOIM_CSS, "rb") as file:
        digest = hashlib.blake2b(file.read(), digest_size=6).hexdigest()
    assert static("css/moim.css") == f"/static/css/moim.css?v={digest}"


def test_a_name_with_no_file_keeps_its_plain_url():
    assert static("css/no-such-file.css") == "/static/css/no-such-file.css"


def test_in_debug_a_file_changed_on_disk_gets_a_new_url(settings, tmp_path):
    settings.DEBUG = True
    settings.STATICFILES_DIRS = [tmp_path]
    static_files.finders.get_finder.cache_clear()
    try:
        style = tmp_path / "changing.css"
        style.write_text("p { color: red }")
        first = static("changing.css")
        style.write_text("p { color: blue }")
        # A later modification time, as an editor's save gives.
        stat = style.stat()
        os.utime(style, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
        second = static("changing.css")
    finally:
        static_files.finders.get_finder.cache_clear()
    assert first.startswith("/static/changing.css?v=")
    assert second.startswith("/static/changing.css?v=")
    assert first != second


@pytest.mark.django_db
def test_pages_link_the_stylesheet_and_scripts_by_their_digest(client):
    html = client.get("/").content.decode()
    assert f'href="{static("css/moim.css")}"' in html
    assert "?v=" in static("js/moim.js")
    assert f'src="{static("js/moim.js")}"' in html
