"""Whole pages as signed-out readers get them, kept for a few seconds.

A thread linked from elsewhere can be read by many signed-out visitors at
once; each of them gets the same page, so it is rendered once every
``MOIM_ANONYMOUS_PAGE_SECONDS`` (10 by default) instead of once per visitor,
as Discourse does for anonymous readers. What a kept page shows may be that
many seconds old; members always get a fresh page.

- Access is never cached: the views call ``anonymous_page`` after their own
  checks (the community readable by anonymous visitors, the thread not
  hidden or deleted), so closing a community or hiding a thread shows at
  once.
- A page is kept only when it is the same for every signed-out reader of
  its address (scheme, host, path and query), language and time zone: a
  200 HTML answer to a GET that sets no cookie and shows no message. The
  CSRF token in its forms is rendered as a placeholder and filled in for
  each request. The placeholder is drawn afresh for every rendering and
  kept beside the page: text in members' content that looks like one is
  never a token field, so it is never filled in.
- An address is kept only once it was asked for twice within the period, so
  made-up query strings cost a marker of a few bytes, not a page.
- When the cache is unavailable the page is rendered every time.
"""

import hashlib
import logging
import secrets
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.translation import get_language

from community.caching import CACHE_UNAVAILABLE, optional

logger = logging.getLogger(__name__)

# Rendered where the page's CSRF token goes, followed by a secret drawn for
# that rendering; never a valid token (those are 64 letters and digits). A
# fixed placeholder would be filled in wherever it appears, members' comments
# included: every signed-out reader would see their own token there.
CSRF_PLACEHOLDER = "moim-csrf-token-of-this-request"
_RENDERING = "_moim_page_cache_placeholder"


def _placeholder_new() -> str:
    return f"{CSRF_PLACEHOLDER}-{secrets.token_hex(16)}"


def csrf_placeholder(request: HttpRequest) -> dict:
    """Context processor: while a page is rendered to be kept, its CSRF
    token is this rendering's placeholder (this processor runs after
    Django's own)."""
    placeholder = getattr(request, _RENDERING, None)
    if placeholder is not None:
        return {"csrf_token": placeholder}
    return {}


def _keys(request: HttpRequest) -> tuple[str, str]:
    digest = hashlib.blake2b(
        repr(
            (
                # Absolute links a page makes are built from these.
                request.scheme,
                request.get_host(),
                request.get_full_path(),
                get_language(),
                timezone.get_current_timezone_name(),
            )
        ).encode(),
        digest_size=16,
    ).hexdigest()
    return f"page:{digest}", f"page-seen:{digest}"


def _keepable(request: HttpRequest) -> bool:
    return (
        settings.MOIM_ANONYMOUS_PAGE_SECONDS > 0
        and request.method == "GET"
        # htmx asks for parts of pages at the same addresses.
        and "HX-Request" not in request.headers
        and not request.user.is_authenticated
        # A message waiting to be shown (a sign-out's, say) belongs to this
        # visitor; len() reads the storage without using the messages up.
        and not len(messages.get_messages(request))
    )


def _with_token(request: HttpRequest, html: bytes, placeholder: str) -> bytes:
    """``html`` with this request's CSRF token where the rendering's own
    placeholder is (get_token also sets the CSRF cookie the token goes
    with)."""
    mark = placeholder.encode()
    if mark not in html:
        return html
    return html.replace(mark, get_token(request).encode())


def _keep(page_key: str, seen_key: str, kept: tuple) -> None:
    # The first request of a period leaves a marker; the second keeps the
    # page.
    seconds = settings.MOIM_ANONYMOUS_PAGE_SECONDS
    if not cache.add(seen_key, 1, timeout=seconds):
        cache.set(page_key, kept, timeout=seconds)


def anonymous_page(
    request: HttpRequest, render: Callable[[], HttpResponse]
) -> HttpResponse:
    """``render()``'s page, or for a signed-out reader the one kept for
    this address, language and time zone. Call it after every access check
    of the view."""
    if not _keepable(request):
        return render()
    page_key, seen_key = _keys(request)
    try:
        kept = cache.get(page_key)
    except CACHE_UNAVAILABLE:  # the cache is an optimisation only
        logger.warning("page cache unavailable", exc_info=True)
        return render()
    if isinstance(kept, tuple):
        placeholder, html = kept
        return HttpResponse(_with_token(request, html, placeholder))

    placeholder = _placeholder_new()
    setattr(request, _RENDERING, placeholder)
    try:
        response = render()
    finally:
        delattr(request, _RENDERING)
    if response.streaming:
        return response
    if (
        response.status_code == 200
        and not response.cookies
        and response.get("Content-Type", "").startswith("text/html")
        # Something besides the templates' csrf_token asked for a real
        # token: the page holds it, so it is this visitor's alone.
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
    ):
        optional(
            lambda: _keep(page_key, seen_key, (placeholder, response.content)),
            what="page cache",
        )
    response.content = _with_token(request, response.content, placeholder)
    return response
