"""A member's signed-in devices (allauth.usersessions), as Moim keeps them.

allauth records a device when a member signs in; with its activity tracking
on it would also write the device's row on every request a member makes.
Here the row is written at most once per ``MOIM_SESSION_LAST_SEEN_SECONDS``
per session, a cache entry standing for "seen lately", and only for sessions
that allauth's sign-in recorded (a session marked at sign-in, so that the
check costs no query). ``device_label`` turns a browser's user agent into
the few words the devices page shows.
"""

import logging
import re
from contextlib import suppress
from hashlib import sha256

from allauth.account.adapter import get_adapter as get_account_adapter
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone

logger = logging.getLogger(__name__)

# The session key under which a session is marked as one allauth recorded.
TRACKED = "moim_device"


def _seen_key(session_key: str) -> str:
    # A session key is a bearer secret: the cache holds only its digest.
    return "device-seen:" + sha256(session_key.encode()).hexdigest()[:32]


def _seen_lately(session_key: str) -> bool:
    """True when the device was seen lately, and marks it seen now. A cache
    that cannot answer counts as "seen": a missed update is harmless, and a
    request must not fail or write because Redis is away."""
    try:
        return not cache.add(
            _seen_key(session_key), 1, settings.MOIM_SESSION_LAST_SEEN_SECONDS
        )
    except Exception:
        logger.warning("Device last-seen cache unavailable", exc_info=True)
        return True


def session_mark_tracked(*, request: HttpRequest) -> None:
    """Called when a member has just signed in (allauth records the device
    in the same request, with the time and address): later requests of this
    session refresh the record."""
    request.session[TRACKED] = True
    if request.session.session_key:
        _seen_lately(request.session.session_key)


class LastSeenMiddleware:
    """Refreshes the signed-in device's last-seen time and address, at most
    once per few minutes, with one UPDATE."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        # Cheapest first: a visitor without a session cookie costs nothing.
        if (
            session is not None
            and session.session_key
            and session.get(TRACKED)
            and user is not None
            and user.is_authenticated
            and not _seen_lately(session.session_key)
        ):
            self._touch(request, session.session_key)
        return self.get_response(request)

    @staticmethod
    def _touch(request: HttpRequest, session_key: str) -> None:
        from allauth.usersessions.models import UserSession

        changes = {"last_seen_at": timezone.now()}
        with suppress(PermissionDenied):
            changes["ip"] = get_account_adapter(request).get_client_ip(request)
        UserSession.objects.filter(
            session_key=session_key, user_id=request.user.pk
        ).update(**changes)


# (pattern, name): the first that matches names the browser. Edge and Opera
# say "Chrome" too, and Chrome says "Safari", so they come first.
BROWSERS = (
    (r"Edg(e|A|iOS)?/", "Edge"),
    (r"OPR/|Opera", "Opera"),
    (r"SamsungBrowser/", "Samsung Internet"),
    (r"Whale/", "Whale"),
    (r"KAKAOTALK", "KakaoTalk"),
    (r"NAVER\(inapp", "NAVER"),
    (r"Firefox/|FxiOS/", "Firefox"),
    (r"Chrome/|CriOS/|Chromium/", "Chrome"),
    (r"Safari/", "Safari"),
)
SYSTEMS = (
    (r"iPhone|iPad|iPod", "iOS"),
    (r"Android", "Android"),
    (r"Windows", "Windows"),
    (r"Mac OS X|Macintosh", "macOS"),
    (r"CrOS", "ChromeOS"),
    (r"Linux", "Linux"),
)


def device_label(user_agent: str) -> str:
    """The browser and system, e.g. "Chrome · Windows", from a user agent;
    the raw text (shortened) when neither is known."""
    browser = next((n for p, n in BROWSERS if re.search(p, user_agent)), "")
    system = next((n for p, n in SYSTEMS if re.search(p, user_agent)), "")
    if browser or system:
        return " · ".join(part for part in (browser, system) if part)
    return user_agent[:60]
