"""Views that exist only while a benchmark runs the server (MOIM_BENCH=1):
bench/forum.py measures every page against them, on the same server and
through the same middleware. Never mounted in a deployment (config/urls.py).
"""

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse

from community.access import community_access

# A page's worth of bytes (a thread list is 19–24 KB), kept in the cache as a
# kept page is.
FLOOR_KEY = "bench:floor-page"
FLOOR_PAGE = b"<!doctype html><p>" + b"x" * 20_000


def bare(request: HttpRequest) -> HttpResponse:
    """Nothing but the middleware: the baseline every ratio is to."""
    return HttpResponse("ok")


def floor(request: HttpRequest, slug: str) -> HttpResponse:
    """The least a community page does for its reader: the door (the
    community and, for a member, their session, their row, their membership
    and sanctions) and a page read whole from the cache. No page of that
    community can be faster for that reader; the benchmark shows how far
    each page is from it."""
    if community_access(slug=slug, member=request.user) is None:
        raise Http404
    html = cache.get(FLOOR_KEY)
    if html is None:
        html = FLOOR_PAGE
        cache.set(FLOOR_KEY, html, timeout=None)
    return HttpResponse(html)
