"""The follow-level control of the community, board and thread pages
(community.follows): one POST each, without JavaScript, back to the page
it came from (or the notification settings page, whose list of chosen
levels posts here too)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from community.access import Access
from community.decorators import community_view
from community.errors import CommunityError
from community.forms_notifications import FollowForm
from community.models import Board, FollowLevel
from community.selectors import threads as thread_selectors
from community.services import follows as services
from community.views.communities import safe_next

SAVED = {
    FollowLevel.WATCHING: gettext_lazy("You are watching it now."),
    FollowLevel.TRACKING: gettext_lazy("You are tracking it now."),
    FollowLevel.NORMAL: gettext_lazy("You follow it normally now."),
    FollowLevel.MUTED: gettext_lazy("You muted it."),
}


def _save(request: HttpRequest, access: Access, page: str, **target) -> HttpResponse:
    # Who may choose is asked before what they chose.
    refusal = services.follow_refusal(access)
    if refusal is not None:
        raise refusal
    form = FollowForm(request.POST)
    if not form.is_valid():
        raise CommunityError("follow_level_invalid")
    level = form.cleaned_data["level"]
    services.follow_set(access=access, level=level, **target)
    if level == services.DEFAULT:
        messages.success(request, _("It follows your default again."))
    else:
        messages.success(request, str(SAVED[level]))
    return redirect(safe_next(request, form.cleaned_data["next"], page))


@require_POST
@login_required
@community_view
def community_follow(request: HttpRequest, *, access: Access) -> HttpResponse:
    page = reverse("community_detail", args=[access.community.slug])
    return _save(request, access, page)


@require_POST
@login_required
@community_view
def board_follow(
    request: HttpRequest, *, access: Access, board_slug: str
) -> HttpResponse:
    board = get_object_or_404(Board, community=access.community, slug=board_slug)
    page = reverse("board_detail", args=[access.community.slug, board.slug])
    return _save(request, access, page, board=board)


@require_POST
@login_required
@community_view
def thread_follow(
    request: HttpRequest, *, access: Access, thread_id: int
) -> HttpResponse:
    thread = thread_selectors.thread_for_page(
        thread_id=thread_id,
        community=access.community,
        moderator=access.is_moderator,
    )
    if thread is None:
        raise Http404
    page = reverse("thread_detail", args=[access.community.slug, thread.pk])
    return _save(request, access, page, thread=thread)
