"""The cache may be down: what that means, said once for every app.

Two kinds of work use the cache. What it only makes cheaper or possible and
a page can do without (fragments, kept pages, view counters, socket slots)
goes through ``cache_optional`` or ``optional``: while the cache is down the
work is skipped with a warning and the page answers as usual. What the cache
guards (login rate limits) calls the cache directly: there a failure raises,
and community.middleware.RedisUnavailableMiddleware answers 503 for every
exception in CACHE_UNAVAILABLE (docs/deploy.md, "Cache and Redis failures").

Counters that must count in one round trip (a thread's views) go through
``counter_add`` and ``counter_take``: a cache backend that offers them in one
round trip (config.cache.SharedRedisCache) is used so, any other through
Django's cache API. Domain code never reaches for the backend's client.
"""

import functools
import logging
from collections.abc import Callable

from django.core.cache import cache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# What a cache call raises when its server is down, refuses or does not
# answer in time: redis-py's errors, and the socket errors of any other
# client.
CACHE_UNAVAILABLE = (RedisError, ConnectionError, TimeoutError)


def optional[T](call: Callable[[], T], *, what: str) -> T | None:
    """``call()``, or None (logged) while the cache is unavailable."""
    try:
        return call()
    except CACHE_UNAVAILABLE:
        logger.warning("cache unavailable: %s skipped", what, exc_info=True)
        return None


def cache_optional(function):
    """``function`` made optional work: while the cache is unavailable the
    call does nothing and returns None."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        return optional(lambda: function(*args, **kwargs), what=function.__qualname__)

    return wrapper


def counter_add(key: str, *, window: int) -> tuple[int, bool]:
    """Add one to the counter ``key``: (its value now, whether no window of
    ``window`` seconds was running, which starts one). Raises when the
    cache is unavailable; wrap the caller in ``cache_optional``."""
    native = getattr(cache, "counter_add", None)
    if native is not None:
        return native(key, window=window)
    cache.add(key, 0, timeout=None)
    try:
        pending = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=None)
        pending = 1
    return pending, cache.add(f"{key}:window", 1, timeout=window)


def counter_take(key: str) -> int:
    """Read the counter ``key`` and set it back to 0: what it held. Where
    the backend can, read and reset are one transaction, so that two
    callers never take the same counts."""
    native = getattr(cache, "counter_take", None)
    if native is not None:
        return native(key)
    taken = cache.get(key) or 0
    if taken:
        cache.decr(key, taken)
    return taken
