"""Calendar files: a gathering's, a community's feed, and a member's personal
feed with the page that makes, replaces or removes its secret URL."""

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotFound
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.utils.log import log_response
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from community.access import Access
from community.decorators import community_view
from events import calendar
from events.log_masking import mask_feed_tokens
from events.models import Gathering
from events.services import feeds

logger = logging.getLogger("events.calendar")

CONTENT_TYPE = "text/calendar; charset=utf-8"


def _ics(body: bytes, *, filename: str, attachment: bool) -> HttpResponse:
    response = HttpResponse(body, content_type=CONTENT_TYPE)
    disposition = "attachment" if attachment else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


def _public_cache(response: HttpResponse, access: Access) -> HttpResponse:
    """Shared caches may keep a public community's calendar a little while;
    a members-only one is for the reader alone."""
    if access.community.public_read:
        patch_cache_control(response, public=True, max_age=300)
    else:
        patch_cache_control(response, private=True, max_age=300)
    return response


@require_safe
@community_view
def gathering_ics(request: HttpRequest, *, access: Access, pk: int) -> HttpResponse:
    gathering = (
        Gathering.objects.select_related("community")
        .filter(community=access.community, pk=pk, published_at__isnull=False)
        .first()
    )
    if gathering is None:
        raise Http404
    response = _ics(
        calendar.gathering_calendar(gathering),
        filename=f"moim-{access.community.slug}-{gathering.pk}.ics",
        attachment=True,
    )
    return _public_cache(response, access)


@require_safe
@community_view
def community_calendar(request: HttpRequest, *, access: Access) -> HttpResponse:
    response = _ics(
        calendar.community_calendar(access.community),
        filename=f"moim-{access.community.slug}.ics",
        attachment=False,
    )
    return _public_cache(response, access)


@require_safe
def personal_calendar(request: HttpRequest, token: str) -> HttpResponse:
    """The feed behind a secret URL; no session, since calendar clients have
    none. The path is the secret, so every refusal or failure is logged here
    with the token masked, and the response is marked as logged so that
    ``django.request`` does not log the real path again (which is why this
    view returns its 404 rather than raising Http404)."""
    masked = mask_feed_tokens(request.path)
    try:
        member = feeds.feed_resolve(token=token)
        if member is None:
            response = HttpResponseNotFound(
                _("No calendar feed at this address."),
                content_type="text/plain; charset=utf-8",
            )
        else:
            response = _ics(
                calendar.personal_calendar(member),
                filename="moim.ics",
                attachment=False,
            )
    except Exception:
        logger.exception("Personal calendar feed failed: %s", masked)
        response = HttpResponse(status=500, content_type="text/plain; charset=utf-8")
    patch_cache_control(response, private=True, no_store=True)
    response["X-Robots-Tag"] = "noindex"
    if response.status_code >= 400:
        # request=None: the request object would carry the real path into
        # any handler that formats it (an error email, for one).
        log_response(
            "%s: %s", response.reason_phrase, masked, response=response, request=None
        )
    return response


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def calendar_feed(request: HttpRequest) -> HttpResponse:
    """The member's feed page. "create" makes a new secret URL (replacing
    any earlier one) and shows it this once: only its hash is stored, so
    it cannot be shown again. "delete" removes the feed."""
    member = request.user
    feed_url = ""
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "create":
            token = feeds.feed_create(member=member)
            feed_url = settings.SITE_URL + feeds.feed_path(token)
        elif action == "delete":
            if feeds.feed_delete(member=member):
                messages.success(request, _("Your calendar feed was removed."))
            return redirect("calendar_feed")
        else:
            # Only a hand-made request sends another action.
            raise BadRequest(action)
    response = render(
        request,
        "events/calendar_feed.html",
        {
            "feed": feeds.feed_get(member=member),
            "feed_url": feed_url,
            "webcal_url": feed_url.replace("https://", "webcal://", 1).replace(
                "http://", "webcal://", 1
            ),
        },
    )
    # The page may hold the secret URL: no cache, including the browser's
    # back-forward one, may keep it.
    patch_cache_control(response, private=True, no_store=True)
    return response
