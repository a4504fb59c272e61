"""Web push (RFC 8030) to members' devices: the site's VAPID key (RFC 8292),
what a subscription may be, and the payloads queued for each device.

Keys come from ``MOIM_VAPID_PRIVATE_KEY`` (the P-256 private scalar, 32
bytes, base64url) and ``MOIM_VAPID_PUBLIC_KEY`` (its public point, 65 bytes
uncompressed, base64url: what browsers are given as
``applicationServerKey``), made by ``manage.py vapid_key`` (docs/deploy.md,
"Web push"). Unset, the key is derived from ``SECRET_KEY`` (the same in
every process, never stored; a system check warns when DEBUG is off,
because a new ``SECRET_KEY`` then silences every device until its member
turns notifications on again).

A payload holds a short title and body in the member's language, a tag
(a newer push of the same thing replaces the older on the device) and a URL
of a page of the site. Never the video link nor a personal join URL: the
page shows them to whoever may see them (community.push.payload refuses
any URL that is not a page of the site)."""

import base64
import functools
import hashlib
import json
from dataclasses import dataclass
from email.utils import parseaddr
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings

# A member's devices: a phone, a tablet, a laptop or two, and room to spare.
DEVICES_PER_MEMBER = 10
ENDPOINT_MAX = 1024
# RFC 8030 urgencies, and how long a push service keeps an undelivered
# message (TTL, seconds) unless the sender says otherwise.
URGENCIES = ("very-low", "low", "normal", "high")
TTL_DEFAULT = 60 * 60 * 24
# Retryable failures (429, 5xx, no answer): tried this many times in all,
# the n-th retry RETRY_BASE * 4**(n-1) seconds after the failure.
ATTEMPTS = 4
RETRY_BASE = 30
TIMEOUT = 10
DEV_KEY_INFO = b"moim web push VAPID key (development)"
TITLE_MAX = 80
BODY_MAX = 160


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _public_raw(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)


def _scalar(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_numbers().private_value.to_bytes(32, "big")


def development_key(secret: str) -> ec.EllipticCurvePrivateKey:
    """A P-256 key whose scalar is HKDF-SHA256 of the secret (reduced into
    the curve's order), so every process of one deployment derives it."""
    seed = HKDF(
        algorithm=hashes.SHA256(), length=48, salt=None, info=DEV_KEY_INFO
    ).derive(secret.encode())
    order = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
    return ec.derive_private_key(
        int.from_bytes(seed, "big") % (order - 1) + 1, ec.SECP256R1()
    )


def key_generate() -> tuple[str, str]:
    """A new key pair for ``manage.py vapid_key``: (private, public)."""
    key = ec.generate_private_key(ec.SECP256R1())
    return _b64url(_scalar(key)), _b64url(_public_raw(key))


@dataclass(frozen=True)
class VapidKey:
    private: str  # the scalar, base64url: what pywebpush's Vapid.from_raw takes
    public: str  # applicationServerKey, base64url
    derived: bool  # True: from SECRET_KEY, not configured


@functools.lru_cache(maxsize=4)
def _key_from(private: str, public: str, secret: str) -> VapidKey:
    private, public = private.strip(), public.strip()
    if not private and not public:
        key = development_key(secret)
        return VapidKey(_b64url(_scalar(key)), _b64url(_public_raw(key)), True)
    if not private or not public:
        raise ValueError(
            "MOIM_VAPID_PRIVATE_KEY and MOIM_VAPID_PUBLIC_KEY are set together"
        )
    scalar = _b64url_decode(private)
    if len(scalar) != 32:
        raise ValueError("MOIM_VAPID_PRIVATE_KEY is not a 32-byte P-256 key")
    key = ec.derive_private_key(int.from_bytes(scalar, "big"), ec.SECP256R1())
    if _b64url(_public_raw(key)) != public.rstrip("="):
        raise ValueError("MOIM_VAPID_PUBLIC_KEY is not the private key's public key")
    return VapidKey(_b64url(scalar), _b64url(_public_raw(key)), False)


def vapid_key() -> VapidKey:
    return _key_from(
        settings.MOIM_VAPID_PRIVATE_KEY,
        settings.MOIM_VAPID_PUBLIC_KEY,
        settings.SECRET_KEY,
    )


def vapid_contact() -> str:
    """The ``sub`` claim: how a push service's operator reaches us."""
    contact = settings.MOIM_VAPID_CONTACT.strip()
    if contact:
        return contact
    return "mailto:" + (parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or "admin@moim.local")


# --- Subscriptions ---------------------------------------------------------------


# The browsers' push services (Chrome/Edge/Android: FCM; Firefox: Mozilla's
# autopush; Safari: Apple's; legacy Edge: WNS). A leading "." is any
# subdomain. MOIM_PUSH_HOSTS adds to them. Nothing else: an endpoint is a
# URL a member hands us and the worker posts to, so any other host (the
# cloud's metadata address, a database on the private network) is refused.
PUSH_HOSTS = (
    "fcm.googleapis.com",
    "android.googleapis.com",
    "updates.push.services.mozilla.com",
    "web.push.apple.com",
    ".push.apple.com",
    ".notify.windows.com",
)


def _host_known(host: str) -> bool:
    host = host.lower().rstrip(".")
    for known in (*PUSH_HOSTS, *settings.MOIM_PUSH_HOSTS):
        known = known.strip().lower()
        if not known:
            continue
        if known.startswith("."):
            if host.endswith(known) and len(host) > len(known):
                return True
        elif host == known:
            return True
    return False


def endpoint_allowed(endpoint: str) -> bool:
    """An https URL of at most ENDPOINT_MAX characters on a known push
    service's host (PUSH_HOSTS, MOIM_PUSH_HOSTS), on the default port:
    where a browser's push service takes messages. Plain http only to
    127.0.0.1, and only where MOIM_PUSH_LOCAL_HTTP is on (DEBUG, and the
    tests' push server). Checked when a device subscribes and again before
    each push."""
    if not isinstance(endpoint, str) or not 0 < len(endpoint) <= ENDPOINT_MAX:
        return False
    if not endpoint.isascii() or not endpoint.isprintable() or " " in endpoint:
        return False
    try:
        parts = urlsplit(endpoint)
        parts.port  # noqa: B018 (raises on a bad port)
    except ValueError:
        return False
    if not parts.hostname or parts.username or parts.password:
        return False
    if parts.scheme == "https":
        return parts.port in (None, 443) and _host_known(parts.hostname)
    return (
        parts.scheme == "http"
        and parts.hostname == "127.0.0.1"
        and settings.MOIM_PUSH_LOCAL_HTTP
    )


def session_digest(session_key: str | None) -> str:
    """What a subscription keeps of the session that made it: the digest of
    its key, empty without one."""
    if not session_key:
        return ""
    return hashlib.sha256(session_key.encode()).hexdigest()


def key_valid(p256dh: str, auth: str) -> bool:
    """The browser's P-256 public point (65 bytes) and a 16-byte secret."""
    try:
        point = _b64url_decode(p256dh)
        secret = _b64url_decode(auth)
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except (ValueError, TypeError, base64.binascii.Error):
        return False
    return len(point) == 65 and len(secret) == 16


# --- Payloads --------------------------------------------------------------------


def _short(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def payload(*, title: str, body: str, path: str, tag: str) -> str:
    """The JSON a device's service worker shows (static/js/sw.js). ``path``:
    a page of the site, site-relative; the worker opens it on a click."""
    if not path.startswith("/") or path.startswith("//"):
        raise ValueError("a push leads to a page of the site")
    return json.dumps(
        {
            "title": _short(title, TITLE_MAX),
            "body": _short(body, BODY_MAX),
            "url": settings.SITE_URL.rstrip("/") + path,
            "tag": tag,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


def push_topic_header(tag: str) -> str:
    """RFC 8030 ``Topic``: a push service keeps only the newest undelivered
    message of a topic (at most 32 base64url characters)."""
    return _b64url(hashlib.sha256(tag.encode()).digest()[:24])
