"""A member's path: the page (each item as its owner chose to show it), the
owner's choice of visibility per item, and the owner's exports (JSON, and an
.ics of the past gatherings)."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from community.ids import id_parse
from community.models import Member
from events import calendar, selectors
from events.errors import EventsError
from events.models import PathVisibility
from events.selectors import credentials as credential_selectors
from events.services import path
from events.views.calendars import CONTENT_TYPE


@require_safe
def member_path(request: HttpRequest, public_id: str) -> HttpResponse:
    member = get_object_or_404(Member, public_id=public_id, is_active=True)
    viewer = request.user if request.user.is_authenticated else None
    is_owner = viewer is not None and viewer.pk == member.pk
    response = render(
        request,
        "events/member_path.html",
        {
            "member": member,
            "is_owner": is_owner,
            "items": selectors.member_path(member=member, viewer=viewer),
            "visibilities": PathVisibility.choices,
            # The owner's credentials, and the items they may issue one for.
            "credentials": (
                credential_selectors.member_credentials(member=member)
                if is_owner
                else []
            ),
            "issuable": (
                credential_selectors.credentials_issuable(member=member)
                if is_owner
                else set()
            ),
        },
    )
    # What a reader sees depends on who they are.
    patch_cache_control(response, private=True)
    return response


@login_required
@require_POST
def path_visibility(request: HttpRequest) -> HttpResponse:
    raw_id = request.POST.get("object_id", "")
    try:
        object_id = id_parse(raw_id)
        if object_id is None:
            raise EventsError("path_item_unknown")
        path.path_visibility_set(
            member=request.user,
            kind=request.POST.get("kind", ""),
            object_id=object_id,
            visibility=request.POST.get("visibility", ""),
        )
    except EventsError as error:
        messages.error(request, error.message)
        return redirect("member_path", public_id=request.user.public_id)
    messages.success(request, _("Saved: who can see this item."))
    # The anchor is built from the checked kind and id only: the raw values
    # may hold what no header can carry (a newline, Hangul).
    target = redirect("member_path", public_id=request.user.public_id)
    target["Location"] += f"#item-{request.POST['kind']}-{object_id}"
    return target


@login_required
@require_safe
def path_json(request: HttpRequest) -> HttpResponse:
    data = selectors.path_export(member=request.user)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="moim-path.json"'
    patch_cache_control(response, private=True, no_store=True)
    return response


@login_required
@require_safe
def path_ics(request: HttpRequest) -> HttpResponse:
    gatherings = selectors.path_past_gatherings(member=request.user)
    response = HttpResponse(
        calendar.path_calendar(request.user, gatherings), content_type=CONTENT_TYPE
    )
    response["Content-Disposition"] = 'attachment; filename="moim-path.ics"'
    patch_cache_control(response, private=True, no_store=True)
    return response
