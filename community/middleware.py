import logging

from django.shortcuts import render
from django.utils.deprecation import MiddlewareMixin
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)


class RedisUnavailableMiddleware(MiddlewareMixin):
    """Answer a request that needed Redis while it is down with a clear 503
    page ("try again in a moment") instead of a server error. Only views that
    touch the cache or the channel layer (login rate limits, live pushes) get
    here; every other page keeps answering."""

    def process_exception(self, request, exception):
        if not isinstance(exception, RedisConnectionError | RedisTimeoutError):
            return None
        logger.warning("Redis unavailable for %s %s", request.method, request.path)
        response = render(request, "503.html", status=503)
        response["Retry-After"] = "30"
        return response
