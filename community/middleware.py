import logging
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.deprecation import MiddlewareMixin
from django.views.defaults import page_not_found

from community import legal
from community.caching import CACHE_UNAVAILABLE

logger = logging.getLogger(__name__)

# What a member who has not agreed to the documents in force may still open:
# the page that asks, the documents themselves, signing out and the
# language switch (to read them in the other language). Static files never
# reach Django's middleware.
CONSENT_EXEMPT = frozenset(
    {
        "consent_renew",
        "legal_terms",
        "legal_terms_version",
        "legal_privacy",
        "legal_privacy_version",
        "account_logout",
        "language_set",
        # Refusing a new version must not keep a member from leaving or
        # from taking their data with them (and confirming it is them).
        "member_leave",
        "data_export",
        "data_export_download",
        "account_reauthenticate",
        "account_request_reauthentication_code",
        "account_confirm_reauthentication_code",
    }
)


class ConsentRequiredMiddleware(MiddlewareMixin):
    """Send a signed-in member who has not agreed to the version in force of
    the terms or the privacy policy to the page that asks them
    (``consent_renew``), from any page but the exempt ones, and back where
    they were going afterwards. A new version thus asks at the next sign-in
    or the next request, whichever comes first. The check compares a column
    of the member row the request loads anyway (``Member.legal_agreed``) with
    the versions in force (community.legal): no query. An htmx request is
    told to load the page itself rather than swap it into a fragment."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.legal_agreed == legal.required_key():
            return None
        match = request.resolver_match
        if match is not None and match.url_name in CONSENT_EXEMPT:
            return None
        url = reverse("consent_renew")
        if request.method == "GET":
            url += "?" + urlencode({"next": request.get_full_path()})
        if request.headers.get("HX-Request") == "true":
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return HttpResponseRedirect(url, status=303)


class RedisUnavailableMiddleware(MiddlewareMixin):
    """Answer a request that needed Redis while it is down with a clear 503
    page ("try again in a moment") instead of a server error. Only views that
    touch the cache or the channel layer (login rate limits, live pushes) get
    here; every other page keeps answering. Signing out, signing out other
    devices and leaving Moim get here when the session could not be ended
    (community.sessions.SessionNotEnded): the page then says the member is
    still signed in."""

    def process_exception(self, request, exception):
        if not isinstance(exception, CACHE_UNAVAILABLE):
            return None
        logger.warning("Redis unavailable for %s %s", request.method, request.path)
        from community.sessions import SessionNotEnded

        response = render(
            request,
            "503.html",
            {"still_signed_in": isinstance(exception, SessionNotEnded)},
            status=503,
        )
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
