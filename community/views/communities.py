"""The directory, community pages, and joining or leaving a community.

``community_view`` is the one door every forum page goes through: it finds
the community, reads the member's access once, refuses a reader who may not
read, and turns a refused action (CommunityError) into a page that says why.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from community import fragments, page_cache
from community.access import Access, access_for
from community.errors import CommunityError
from community.models import Community
from community.selectors import communities as selectors
from community.selectors.threads import thread_recent
from community.services import communities as services
from community.services.threads import post_refusal
from events.selectors import community_satisfaction_trend, gatherings_upcoming

# Refusals that are about who the member is rather than what they sent.
FORBIDDEN_CODES = {
    "login_required",
    "banned",
    "not_member",
    "muted",
    "muted_indefinitely",
    "role_mismatch",
    "work_unverified",
    "not_author",
    "moderator_only",
    "not_readable",
}


def refusal_status(error: CommunityError) -> int:
    return 403 if error.code in FORBIDDEN_CODES else 400


def refused(
    request: HttpRequest, error: CommunityError, access: Access
) -> HttpResponse:
    """A page that says why, with the status the refusal deserves. To an
    htmx request, only the sentence, as plain text: htmx swaps nothing on an
    error status, and static/js/moim.js shows that text in the page's alert
    region instead."""
    if request.headers.get("HX-Request") == "true":
        return HttpResponse(
            error.message,
            status=refusal_status(error),
            content_type="text/plain; charset=utf-8",
        )
    return render(
        request,
        "community/forbidden.html",
        {"community": access.community, "access": access, "error": error.message},
        status=refusal_status(error),
    )


def safe_next(request: HttpRequest, url: str | None, fallback: str) -> str:
    """``url`` when it stays on this site, else ``fallback``: a ``next``
    parameter must never send a member elsewhere. Only a path is taken: a
    bare word would reach ``redirect()`` as a URL name to reverse."""
    if (
        url
        and url.startswith("/")
        and url_has_allowed_host_and_scheme(
            url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return url
    return fallback


def community_view(view=None, *, readable: bool = True):
    """Resolve ``slug`` into (community, access) for ``view``; answer 403 to
    a reader who may not read (unless ``readable`` is False, as for joining a
    members-only community) and to any CommunityError the view lets through."""

    def decorate(view):
        @wraps(view)
        def wrapper(request: HttpRequest, slug: str, **kwargs) -> HttpResponse:
            community = get_object_or_404(Community, slug=slug)
            access = access_for(request.user, community)
            if readable and not access.can_read:
                code = "banned" if access.banned is not None else "not_readable"
                return refused(request, CommunityError(code), access)
            try:
                return view(request, access=access, **kwargs)
            except CommunityError as error:
                return refused(request, error, access)

        return wrapper

    return decorate(view) if view is not None else decorate


def home(request: HttpRequest) -> HttpResponse:
    mine, groups = selectors.community_directory(request.user)
    return render(request, "community/directory.html", {"mine": mine, "groups": groups})


@community_view
def community_detail(request: HttpRequest, *, access: Access) -> HttpResponse:
    return page_cache.anonymous_page(
        request, lambda: _community_page(request, access=access)
    )


def _community_page(request: HttpRequest, *, access: Access) -> HttpResponse:
    community = access.community
    refusal = post_refusal(access=access)
    recent = thread_recent(community=community, limit=10)
    context = {
        "community": community,
        "access": access,
        "post_refusal": refusal.message if refusal else "",
        "boards": list(community.boards.all()),
        "recent_threads": recent,
        "moderators": selectors.community_moderators(community),
        "upcoming": gatherings_upcoming(community=community, now=timezone.now()),
        "trend": community_satisfaction_trend(community=community),
    }
    if request.user.is_authenticated:
        context["recent_rows"] = fragments.thread_rows(recent, community=community)
        context["body_html"] = None
    else:
        # Nothing here is an anonymous reader's own: one cached rendering
        # serves them all (see community.fragments).
        context["body_html"] = fragments.anonymous_community(
            request=request, context=context
        )
    return render(request, "community/community_detail.html", context)


@require_POST
@login_required
@community_view(readable=False)
def community_join(request: HttpRequest, *, access: Access) -> HttpResponse:
    try:
        services.community_join(access=access)
    except CommunityError as error:
        if refusal_status(error) == 403:
            raise
        messages.info(request, error.message)
    else:
        messages.success(
            request,
            _("Welcome to %(community)s.") % {"community": access.community.name},
        )
    return redirect(
        safe_next(
            request,
            request.POST.get("next"),
            reverse("community_detail", args=[access.community.slug]),
        )
    )


@require_POST
@login_required
@community_view(readable=False)
def community_leave(request: HttpRequest, *, access: Access) -> HttpResponse:
    try:
        services.community_leave(access=access)
    except CommunityError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("You left %(community)s.") % {"community": access.community.name},
        )
    return redirect("community_detail", slug=access.community.slug)
