"""Django's Redis cache, with one client (and connection pool) per process.

Django keeps a cache backend per asgiref ``Local`` context, and under an ASGI
server every request runs in a context of its own: each request built a new
``RedisCache``, a new ``RedisCacheClient`` (importing its classes, building
driver info) and a new connection pool, i.e. a new TCP connection to Redis
for its first cache call. The client and its pools are thread-safe, so one
per configuration serves every request.
"""

import threading

from django.core.cache.backends.redis import RedisCache
from django.utils.functional import cached_property


class SharedRedisCache(RedisCache):
    _clients: dict = {}
    _lock = threading.Lock()

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
