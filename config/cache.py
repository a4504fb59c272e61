"""Django's Redis cache, with one client (and connection pool) per process.

Django keeps a cache backend per asgiref ``Local`` context, and under an ASGI
server every request runs in a context of its own: each request built a new
``RedisCache``, a new ``RedisCacheClient`` (importing its classes, building
driver info) and a new connection pool, i.e. a new TCP connection to Redis
for its first cache call. The client and its pools are thread-safe, so one
per configuration serves every request.

Django's client also builds a ``redis.Redis`` for every cache call, and
redis-py's constructor fills a table of a few hundred response callbacks
each time (≈ 3 % of a thread page's CPU). A ``redis.Redis`` holds no
connection of its own (each command borrows one from the pool), so one per
pool serves every call as well.
"""

import functools
import logging
import threading

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.utils.functional import cached_property
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# What a cache call raises when Redis is down or does not answer in time.
CACHE_UNAVAILABLE = (RedisConnectionError, RedisTimeoutError)


def cache_optional(function):
    """For work that only a cache makes cheaper or possible and that a page
    can do without (counters, hints): while Redis is down the call does
    nothing and returns None, and the page answers as usual. What the cache
    guards (login rate limits) must not use this: there a failure raises, and
    community.middleware.RedisUnavailableMiddleware answers 503
    (docs/deploy.md, "Cache and Redis failures")."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except CACHE_UNAVAILABLE:
            logger.warning("cache unavailable: %s skipped", function.__qualname__)
            return None

    return wrapper


class SharedRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # id(pool) -> redis.Redis; the pools live as long as this client.
        # Two threads racing build one twice, harmlessly.
        self._clients_by_pool: dict = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients_by_pool.get(id(pool))
        if client is None:
            client = self._clients_by_pool[id(pool)] = self._client(
                connection_pool=pool
            )
        return client


class SharedRedisCache(RedisCache):
    _clients: dict = {}
    _lock = threading.Lock()

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = SharedRedisCacheClient

    def redis_client(self):
        """The ``redis.Redis`` behind this cache, for what Django's cache API
        cannot say in one round trip (a pipeline); keys must go through
        ``make_and_validate_key``, and values stored as Django stores them
        (integers as plain integers)."""
        return self._cache.get_client(write=True)

    @cached_property
    def _cache(self):
        key = (tuple(self._servers), repr(sorted(self._options.items())))
        client = self._clients.get(key)
        if client is None:
            with self._lock:
                client = self._clients.get(key)
                if client is None:
                    client = self._clients[key] = self._class(
                        self._servers, **self._options
                    )
        return client
