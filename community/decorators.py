"""The door of every page on a community, as django.contrib.auth.decorators
is the door of the site's pages: ``community_view`` finds the community,
reads the member's access once, refuses a visitor who may not use the page,
and turns a refused action (a KeyedError of any app) into a page that says
why, with the status the error declares. The events app builds its doors on
this one (events.decorators)."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from community.access import Access, community_access
from community.errors import CommunityError, KeyedError


def refused(request: HttpRequest, error: KeyedError, access: Access) -> HttpResponse:
    """A page that says why, with the status the refusal declares. To an
    htmx request, only the sentence, as plain text: htmx swaps nothing on an
    error status, and static/js/moim.js shows that text in the page's alert
    region instead."""
    if request.headers.get("HX-Request") == "true":
        return HttpResponse(
            error.message,
            status=error.status,
            content_type="text/plain; charset=utf-8",
        )
    return render(
        request,
        "community/forbidden.html",
        {"community": access.community, "access": access, "error": error.message},
        status=error.status,
    )


def door_refusal(
    access: Access, *, readable: bool, moderator: bool, owner: bool
) -> CommunityError | None:
    """Why ``access`` may not open a page with these demands, or None."""
    if readable and not access.can_read:
        return CommunityError("banned" if access.banned is not None else "not_readable")
    if moderator and not access.is_moderator:
        return CommunityError("moderator_only")
    if owner and not access.may_set_roles:
        return CommunityError("owner_only")
    return None


def community_view(
    view=None,
    *,
    readable: bool = True,
    moderator: bool = False,
    owner: bool = False,
    sign_in: bool = False,
):
    """Resolve ``slug`` into the community (404 when there is none) and
    call ``view(request, access=..., **kwargs)``. Refused first, with a page
    that says why: a reader who may not read (unless ``readable`` is False,
    as for joining a members-only community), a member who is not a
    moderator when ``moderator``, one who may not give roles (an owner or
    staff) when ``owner``. With ``sign_in``, an anonymous visitor who is
    refused is sent to sign in instead. A KeyedError the view lets through
    becomes the same page."""

    def decorate(view):
        @wraps(view)
        def wrapper(request: HttpRequest, slug: str, **kwargs) -> HttpResponse:
            # The community and the reader's membership and sanctions in
            # it, in one query.
            access = community_access(slug=slug, member=request.user)
            if access is None:
                raise Http404
            refusal = door_refusal(
                access, readable=readable, moderator=moderator, owner=owner
            )
            if refusal is not None:
                if sign_in and not request.user.is_authenticated:
                    return redirect_to_login(request.get_full_path())
                return refused(request, refusal, access)
            try:
                return view(request, access=access, **kwargs)
            except KeyedError as error:
                return refused(request, error, access)

        return wrapper

    return decorate(view) if view is not None else decorate
