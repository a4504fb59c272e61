"""Which pages may open Moim's websockets: the browser names the page in the
handshake's ``Origin`` header, and a handshake from any other page is
refused before a consumer sees it (docs/realtime.md, "Origin").

An origin is a scheme, a host and a port, and all three must match one of
the site's own (as Django's CSRF check compares them for form posts):

- ``SITE_URL``, the site's public address;
- each of ``CSRF_TRUSTED_ORIGINS`` (``https://*.example.com`` stands for
  the domain and its subdomains, as it does for Django);
- on the loopback interface only (``make run``, the tests' servers), the
  address the handshake itself was sent to: its scheme and its ``Host``,
  when that host is a loopback name in ``ALLOWED_HOSTS``. A development
  server on another port serves its own pages, while a page of another
  program on the same machine, on another port, is refused.

``http://`` where the site is ``https://``, another port of the site's host,
a missing ``Origin`` and ``null`` are all refused.
"""

import ipaddress
from typing import NamedTuple
from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import is_same_domain, split_domain_port, validate_host

DEFAULT_PORTS = {"http": 80, "https": 443}
LOOPBACK_NAMES = {"localhost"}


class Origin(NamedTuple):
    scheme: str
    host: str  # lower case; a leading "." stands for the domain's subdomains
    port: int


def origin_parse(text: str) -> Origin | None:
    """The scheme, host and port of ``text`` (an Origin header or a setting),
    with the scheme's default port filled in; None when it is not one."""
    try:
        parts = urlsplit(text.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if scheme not in DEFAULT_PORTS or not host:
        return None
    if host.startswith("*."):
        host = host[1:]
    return Origin(scheme, host, port or DEFAULT_PORTS[scheme])


def site_origins() -> list[Origin]:
    """The origins of SITE_URL and of CSRF_TRUSTED_ORIGINS."""
    found = [origin_parse(settings.SITE_URL)]
    found += [origin_parse(text) for text in settings.CSRF_TRUSTED_ORIGINS]
    return [origin for origin in found if origin is not None]


def _matches(origin: Origin, allowed: Origin) -> bool:
    if (origin.scheme, origin.port) != (allowed.scheme, allowed.port):
        return False
    if allowed.host.startswith("."):
        return is_same_domain(origin.host, allowed.host)
    return origin.host == allowed.host


def _is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _own_loopback_origin(scope: dict) -> Origin | None:
    """The origin of the page a handshake sent to this loopback server came
    from, when it came from this server itself."""
    domain, port = split_domain_port(_header(scope, b"host") or "")
    if not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
        return None
    if not _is_loopback(domain):
        return None
    scheme = "https" if scope.get("scheme") == "wss" else "http"
    try:
        number = int(port) if port else DEFAULT_PORTS[scheme]
    except ValueError:
        return None
    # An Origin names an IPv6 host without its brackets.
    return Origin(scheme, domain.strip("[]"), number)


def _header(scope: dict, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return None


def origin_allowed(scope: dict) -> bool:
    """Whether the handshake in ``scope`` comes from one of the site's own
    pages."""
    text = _header(scope, b"origin")
    origin = origin_parse(text) if text else None
    if origin is None or origin.host.startswith("."):
        return False
    allowed = site_origins()
    own = _own_loopback_origin(scope)
    if own is not None:
        allowed.append(own)
    return any(_matches(origin, candidate) for candidate in allowed)


class SiteOriginValidator:
    """ASGI middleware: a websocket handshake whose Origin is not one of the
    site's is refused before the application behind it runs."""

    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket" and not origin_allowed(scope):
            return await WebsocketDenier()(scope, receive, send)
        return await self.application(scope, receive, send)
