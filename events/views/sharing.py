"""Organisers' pages around publishing: the host picker's suggestions, the
preview of a gathering's page as members will see it, and the share page
(the link, the Web Share button, the QR code and the link's preview card)
with the QR code itself.

Every one is for the gathering's organisers (``organiser_view``), or for
those who may name hosts in the community (``host_picker_refusal``); the
preview renders the members' page for a reader who is nobody in particular,
so nothing personal (and never the video link) is in it."""

from allauth.core.internal import ratelimit
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_safe

from community.access import Access
from community.decorators import community_view
from events import selectors
from events.access import host_picker_refusal, organiser_write_refusal
from events.decorators import organiser_view
from events.errors import EventsError
from events.models import Gathering
from events.services import lifecycle
from events.sharing import gathering_card, gathering_url, qr_svg

HOST_QUERY_LIMIT = 40


@require_GET
@login_required
@community_view(readable=False)
def gathering_host_suggest(request: HttpRequest, *, access: Access) -> HttpResponse:
    """Members of the community who may host, by a part of their nickname
    or of the name the community shows (``?q=``), as JSON: the gathering
    form's host picker. Rate-limited per member like the @mention
    suggestions (ACCOUNT_RATE_LIMITS["host_suggest"])."""
    refusal = host_picker_refusal(access)
    if refusal is not None:
        raise refusal
    if not ratelimit.consume(
        request,
        app="allauth.account",
        action="host_suggest",
        user=request.user,
        limit_get=True,
    ):
        raise EventsError("host_search_rate_limited")
    query = request.GET.get("q", "").strip()
    if not 1 <= len(query) <= HOST_QUERY_LIMIT:
        raise EventsError("host_query_invalid")
    found = selectors.organise_host_suggestions(community=access.community, query=query)
    return JsonResponse(
        {"members": [{"id": s.public_id, "name": s.name} for s in found]}
    )


@require_safe
@organiser_view
def gathering_preview(
    request: HttpRequest, *, gathering: Gathering, access: Access
) -> HttpResponse:
    """The gathering's page as a member of the community will see it, a
    draft included, marked as a preview, with nothing to press."""
    now = timezone.now()
    gathering = lifecycle.gathering_advance_if_due(gathering, now)
    reader = Access(access.community, None, None, None, None)
    page = selectors.gathering_page(
        gathering=gathering, member=None, access=reader, now=now
    )
    return render(
        request,
        "events/gathering_detail.html",
        {
            "community": access.community,
            "access": reader,
            "gathering": gathering,
            "page": page,
            "draw_log": selectors.draw_log(gathering=gathering),
            "form": None,
            "survey": None,
            "survey_shown": False,
            "preview": True,
            "organiser_access": access,
        },
    )


@require_safe
@organiser_view
def gathering_share(
    request: HttpRequest, *, gathering: Gathering, access: Access
) -> HttpResponse:
    """Where publishing lands: the gathering's address to copy or send, its
    QR code, and what a pasted link will show."""
    gathering = lifecycle.gathering_advance_if_due(gathering)
    return render(
        request,
        "events/gathering_share.html",
        {
            "community": access.community,
            "access": access,
            "gathering": gathering,
            "share_url": gathering_url(gathering),
            "card": gathering_card(gathering),
            "write_refusal": organiser_write_refusal(access),
        },
    )


@require_safe
@organiser_view
def gathering_qr(
    request: HttpRequest, *, gathering: Gathering, access: Access
) -> HttpResponse:
    """The QR code of the gathering's address, as an SVG picture (drawn
    here; the address is the public page's, nothing more)."""
    response = HttpResponse(
        qr_svg(gathering_url(gathering)), content_type="image/svg+xml"
    )
    response["Cache-Control"] = "private, max-age=300"
    if "download" in request.GET:
        response["Content-Disposition"] = (
            f'attachment; filename="moim-gathering-{gathering.pk}-qr.svg"'
        )
    return response
