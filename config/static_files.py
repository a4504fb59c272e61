"""Static files whose URLs change when they do.

A browser, or the reverse proxy of docs/deploy.md (``expires 30d``), keeps
a stylesheet or a script for weeks; after a release that changes one, the
page would be served with the old copy: markup styled by rules that are
gone, a script looking for elements that are no longer there. Each URL
carries a digest of the file's content (``/static/css/moim.css?v=…``), so a
changed file is a new address and an unchanged one stays cached. The file
keeps its name, so the ASGI application (``SERVE_STATIC``) and the proxy
serve it as before, whatever the query string.

The digest is read once per file and process: a release restarts the
processes. In DEBUG it is read again whenever the file changes on disk, so
editing a stylesheet shows on the next reload.
"""

import functools
import hashlib
import os

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import StaticFilesStorage


def _digest(path: str) -> str:
    with open(path, "rb") as file:
        return hashlib.blake2b(file.read(), digest_size=6).hexdigest()


@functools.lru_cache(maxsize=512)
def _version(name: str, mtime_ns: int) -> str:
    path = finders.find(name)
    return _digest(path) if path else ""


def version(name: str) -> str:
    """The digest of static file ``name``'s content, "" when there is no
    such file."""
    path = finders.find(name) if settings.DEBUG else None
    mtime_ns = os.stat(path).st_mtime_ns if path else 0
    return _version(name, mtime_ns)


class VersionedStaticFilesStorage(StaticFilesStorage):
    def url(self, name):
        url = super().url(name)
        found = version(name)
        return f"{url}?v={found}" if found else url
