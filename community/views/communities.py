"""The directory, community pages, and joining or leaving a community.
Every page on a community goes through community.decorators.community_view.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from community import fragments, page_cache, unread_layer
from community.access import Access
from community.decorators import community_view
from community.errors import CommunityError
from community.selectors import communities as selectors
from community.selectors import unread
from community.selectors.community_page import community_page_content
from community.selectors.home import home_threads
from community.services import communities as services
from community.services.threads import post_refusal
from community.views.follow_control import follow_control
from events.selectors import home_gatherings


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


def home(request: HttpRequest) -> HttpResponse:
    """The directory for a visitor; for a member, what is happening for them
    first (their next gathering, offers waiting for an answer, open
    gatherings, threads of their communities, questions of their role), then
    their communities and the others. A fixed number of queries, whatever the
    number of communities or gatherings."""
    mine, groups = selectors.community_directory(request.user)
    context = {"mine": mine, "groups": groups}
    if request.user.is_authenticated:
        ids = [community.pk for community in mine]
        context["gatherings"] = home_gatherings(
            member=request.user, community_ids=ids, now=timezone.now()
        )
        context["threads"] = home_threads(member=request.user, community_ids=ids)
    return render(request, "community/directory.html", context)


@community_view
def community_detail(request: HttpRequest, *, access: Access) -> HttpResponse:
    return page_cache.anonymous_page(
        request, lambda: _community_page(request, access=access)
    )


def _community_page(request: HttpRequest, *, access: Access) -> HttpResponse:
    community = access.community
    refusal = post_refusal(access=access)
    # Boards, moderators, upcoming gatherings, the trend and the latest
    # threads: the shared content, read in one statement.
    content = community_page_content(community=community, now=timezone.now())
    recent = content.recent
    context = {
        "community": community,
        "access": access,
        "post_refusal": refusal.message if refusal else "",
        "boards": content.boards,
        "recent_threads": recent,
        "moderators": content.moderators,
        "upcoming": content.upcoming,
        "trend": content.trend,
    }
    # What the body shows is the same for every reader of the same
    # standing: one cached rendering serves them all (community.fragments),
    # the reader's CSRF token filled in.
    context["body_html"] = fragments.community_body(request=request, context=context)
    # The member's unread marks over it (none for signed-out readers), and
    # their follow level of the community in the same statement.
    marks = unread.list_marks(access=access, thread_ids=[row.pk for row in recent])
    # The member's own, outside the shared body.
    context["follow"] = follow_control(access, level=marks.level)
    for name in ("body_html", "recent_rows"):
        if context.get(name) is not None:
            context[name] = unread_layer.apply(
                context[name], community=community, marks=marks
            )
    return render(request, "community/community_detail.html", context)


@require_POST
@login_required
@community_view(readable=False)
def community_join(request: HttpRequest, *, access: Access) -> HttpResponse:
    try:
        services.community_join(access=access)
    except CommunityError as error:
        if error.status == 403:
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
