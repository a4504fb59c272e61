"""The composer's helpers on a community: the live preview of a draft and
the @mention suggestions. Both only enhance the thread and comment forms,
which work without them (and without JavaScript)."""

from allauth.core.internal import ratelimit
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from community.access import Access
from community.decorators import community_view
from community.errors import CommunityError
from community.forms_forum import PreviewForm
from community.selectors.mentions import mention_suggestions
from community.services import threads as services


def _rate_check(request: HttpRequest, action: str) -> None:
    """Counted per member in the cache with allauth's own limits
    (ACCOUNT_RATE_LIMITS), GET requests included."""
    if not ratelimit.consume(
        request,
        app="allauth.account",
        action=action,
        user=request.user,
        limit_get=True,
    ):
        raise CommunityError("compose_rate_limited")


def _may_write(access: Access) -> None:
    refusal = services.post_refusal(access=access)
    if refusal is not None:
        raise refusal


@require_POST
@login_required
@community_view
def compose_preview(request: HttpRequest, *, access: Access) -> HttpResponse:
    """A draft as it would be posted: the same renderer and sanitiser, the
    same mention links; nothing is stored."""
    _may_write(access)
    _rate_check(request, "compose_preview")
    form = PreviewForm(request.POST)
    if not form.is_valid() or not form.cleaned_data["body"].strip():
        raise CommunityError("preview_invalid")
    html, _mentioned = services.post_render(form.cleaned_data["body"].strip())
    return render(request, "community/partials/compose_preview.html", {"html": html})


@require_GET
@login_required
@community_view
def mention_suggest(request: HttpRequest, *, access: Access) -> HttpResponse:
    """Members of the community to mention, by the start of their nickname
    or of the name the community shows (``?q=``), as JSON."""
    _may_write(access)
    _rate_check(request, "mention_suggest")
    # What follows the "@" typed so far: a nickname is at most 20 long.
    prefix = request.GET.get("q", "")
    if not 1 <= len(prefix) <= 20:
        raise CommunityError("mention_query_invalid")
    found = mention_suggestions(
        community=access.community, reader=request.user, prefix=prefix
    )
    return JsonResponse(
        {"members": [{"name": s.name, "mention": s.mention} for s in found]}
    )
