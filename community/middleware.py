import logging

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.utils.deprecation import MiddlewareMixin
from django.views.defaults import page_not_found

from community.caching import CACHE_UNAVAILABLE

logger = logging.getLogger(__name__)


class RedisUnavailableMiddleware(MiddlewareMixin):
    """Answer a request that needed Redis while it is down with a clear 503
    page ("try again in a moment") instead of a server error. Only views that
    touch the cache or the channel layer (login rate limits, live pushes) get
    here; every other page keeps answering."""

    def process_exception(self, request, exception):
        if not isinstance(exception, CACHE_UNAVAILABLE):
            return None
        logger.warning("Redis unavailable for %s %s", request.method, request.path)
        response = render(request, "503.html", status=503)
        response["Retry-After"] = "30"
        return response


class NotFoundPageMiddleware(MiddlewareMixin):
    """With DEBUG on (the embedded default, ``make run``), answer a missing
    page with Moim's own translated 404 page, as production does, instead of
    Django's technical page that lists every URL pattern: a newcomer trying
    the site should meet the site. ``DJANGO_DEBUG_404=1`` brings the
    technical page back for a developer who wants it. Innermost in
    MIDDLEWARE, so the page passes out through every other middleware."""

    def process_exception(self, request, exception):
        # A view's Http404 (get_object_or_404 and the like).
        if isinstance(exception, Http404) and self._replaces_technical_pages():
            return page_not_found(request, exception)
        return None

    def process_response(self, request, response):
        # A path that matched no URL pattern: Django answered with its
        # technical page before any view ran (no resolver match).
        if (
            response.status_code == 404
            and request.resolver_match is None
            and self._replaces_technical_pages()
        ):
            return page_not_found(request, Http404())
        return response

    @staticmethod
    def _replaces_technical_pages() -> bool:
        return settings.DEBUG and not settings.MOIM_DEBUG_404
