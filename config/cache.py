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

import threading

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.utils.functional import cached_property


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

    # The counters of community.caching, each in one round trip (Django's
    # cache API needs four): values are stored as Django stores integers,
    # so that get() and incr() read them alike.

    def counter_add(self, key: str, *, window: int) -> tuple[int, bool]:
        pipe = self._cache.get_client(write=True).pipeline(transaction=False)
        # INCR creates a missing key at 0.
        pipe.incr(self.make_and_validate_key(key))
        pipe.set(self.make_and_validate_key(f"{key}:window"), 1, nx=True, ex=window)
        count, started = pipe.execute()
        return int(count), bool(started)

    def counter_take(self, key: str) -> int:
        # Read and reset in one transaction: two callers never take the same
        # counts.
        pipe = self._cache.get_client(write=True).pipeline(transaction=True)
        pipe.get(self.make_and_validate_key(key))
        pipe.delete(self.make_and_validate_key(key))
        taken, _deleted = pipe.execute()
        return int(taken or 0)

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
