"""The doors of the gathering pages, built on community_view (the
community's read rules and its refusal page): ``gathering_view`` for the
pages members read, ``organiser_view`` for the gathering's organisers. A
refusal is an EventsError; the page that says why carries the status the
error declares."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse

from community.access import Access
from community.decorators import community_view
from events import selectors
from events.access import analytics_refusal, is_organiser, organiser_write_refusal
from events.errors import EventsError
from events.services import lifecycle


def gathering_view(view):
    """Resolve ``slug`` and ``pk`` into the community's access and the
    gathering as it stands now (due transitions applied), and call
    ``view(request, access=..., gathering=..., **kwargs)``. Readers only
    (community_view); a gathering of another community, or a draft the
    reader may not see, answers 404."""

    @community_view
    @wraps(view)
    def wrapper(
        request: HttpRequest, *, access: Access, pk: int, **kwargs
    ) -> HttpResponse:
        member = request.user if request.user.is_authenticated else None
        gathering = selectors.gathering_for_page(
            community=access.community, gathering_id=pk
        )
        if gathering is None or not selectors.gathering_visible(
            gathering, member, access
        ):
            raise Http404
        gathering = lifecycle.gathering_advance_if_due(gathering)
        return view(request, access=access, gathering=gathering, **kwargs)

    return wrapper


def organiser_view(view=None, *, writes: bool = False):
    """Resolve ``slug`` and ``pk`` into the gathering and the visitor's
    access, and let only its organisers through: an anonymous visitor is
    sent to sign in, a gathering of another community answers 404, anyone
    else who does not organise it is refused (``not_organiser``). With
    ``writes``, a POST writes what the gathering says to its members, which
    a muted organiser may not (``organiser_write_refusal``); the page itself
    stays open to read."""

    def decorate(view):
        @login_required
        @community_view(readable=False)
        @wraps(view)
        def wrapper(
            request: HttpRequest, *, access: Access, pk: int, **kwargs
        ) -> HttpResponse:
            gathering = selectors.gathering_for_page(
                community=access.community, gathering_id=pk
            )
            if gathering is None:
                raise Http404
            if not is_organiser(request.user, gathering, access):
                raise EventsError("not_organiser")
            if writes and request.method == "POST":
                refusal = organiser_write_refusal(access)
                if refusal is not None:
                    raise refusal
            return view(request, gathering=gathering, access=access, **kwargs)

        return wrapper

    return decorate(view) if view is not None else decorate


def moderator_view(view):
    """Let only the community's moderators and owners (and staff) through,
    as ``analytics_refusal`` says: an anonymous visitor is sent to sign in, a
    banned moderator is refused like any other banned member (a ban takes
    away every organiser's power), and a member who does not moderate is
    refused. Calls ``view(request, access=..., **kwargs)``."""

    @login_required
    @community_view(readable=False)
    @wraps(view)
    def wrapper(request: HttpRequest, *, access: Access, **kwargs) -> HttpResponse:
        refusal = analytics_refusal(access)
        if refusal is not None:
            raise refusal
        return view(request, access=access, **kwargs)

    return wrapper
