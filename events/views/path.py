"""A member's path: the page (each item as its owner chose to show it, and
for anyone else a career page to share or print), the owner's experiences
(add, change, delete), the owner's choice of visibility per item, and the
owner's exports (JSON, and an .ics of the past gatherings)."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from community.ids import id_parse
from community.models import Member
from community.roles import ROLE_FAMILY
from events import calendar, selectors
from events.errors import EventsError
from events.forms import ExperienceForm
from events.models import PATH_EXPERIENCE, Experience, PathVisibility
from events.selectors import credentials as credential_selectors
from events.services import experiences, path
from events.sharing import path_card
from events.skills import skills_by_family
from events.views.calendars import CONTENT_TYPE


def path_item_redirect(member: Member, kind: str, object_id: int) -> HttpResponse:
    """Back to ``member``'s path, at one item (``#item-<kind>-<id>``). The
    anchor is built from a checked kind and id only: raw request values may
    hold what no header can carry (a newline, Hangul)."""
    target = redirect("member_path", public_id=member.public_id)
    target["Location"] += f"#item-{kind}-{object_id}"
    return target


@require_safe
def member_path(request: HttpRequest, public_id: str) -> HttpResponse:
    """The path: for its member, every item with who may see it, and the
    form to add an experience; for anyone else the items they may see, as a
    career page (newest first, the skills over time, a print layout), with
    the card of what a signed-out visitor sees."""
    member = get_object_or_404(Member, public_id=public_id, is_active=True)
    viewer = request.user if request.user.is_authenticated else None
    is_owner = viewer is not None and viewer.pk == member.pk
    page = selectors.path_page(member=member, viewer=viewer)
    response = render(
        request,
        "events/member_path.html",
        {
            "member": member,
            "is_owner": is_owner,
            "page": page,
            "items": page.items,
            "visibilities": PathVisibility.choices,
            "card": path_card(
                member,
                page.public_items,
                selectors.skills_over_time(page.public_items),
            ),
            **(_experience_form_context(ExperienceForm(), member) if is_owner else {}),
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
    # What a reader sees depends on who they are; the owner's page holds
    # what only they may see (private items, their follow-up answers, their
    # signed credentials), which no browser or proxy keeps.
    if is_owner:
        patch_cache_control(response, private=True, no_store=True)
    else:
        patch_cache_control(response, private=True)
    return response


def _experience_form_context(form: ExperienceForm, member: Member) -> dict:
    chosen = set(form["skills"].value() or [])
    role_family = ROLE_FAMILY.get(member.role, "")
    return {
        "form": form,
        "skill_families": [
            (
                value,
                label,
                skills,
                value == role_family or chosen & {s.slug for s in skills},
            )
            for value, label, skills in skills_by_family()
        ],
        "chosen_skills": chosen,
    }


def _experience_save(
    request: HttpRequest, experience: Experience | None
) -> HttpResponse:
    """The experience form: shown, or sent and saved (a new experience when
    ``experience`` is None)."""
    initial = None
    if experience is not None:
        initial = {
            "kind": experience.kind,
            "title": experience.title,
            "organisation": experience.organisation,
            "started_on": experience.started_on,
            "ended_on": experience.ended_on,
            "learned": experience.learned,
            "skills": experience.skills,
            "tags": ", ".join(experience.tags),
            "visibility": experience.visibility,
        }
    form = ExperienceForm(
        request.POST if request.method == "POST" else None, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            if experience is None:
                saved = experiences.experience_create(
                    member=request.user, **form.cleaned_data
                )
            else:
                saved = experiences.experience_update(
                    member=request.user,
                    experience_id=experience.pk,
                    **form.cleaned_data,
                )
        except EventsError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Saved on your path."))
            return path_item_redirect(request.user, PATH_EXPERIENCE, saved.pk)
    return render(
        request,
        "events/experience_form.html",
        {
            "member": request.user,
            "experience": experience,
            **_experience_form_context(form, request.user),
        },
        status=400 if form.errors else 200,
    )


@login_required
def experience_create(request: HttpRequest) -> HttpResponse:
    return _experience_save(request, None)


def _own_experience(request: HttpRequest, experience_id: int) -> Experience:
    experience = selectors.experience_own(
        member=request.user, experience_id=experience_id
    )
    if experience is None:
        # Another member's experience is not there, as far as anyone knows.
        raise Http404(EventsError("experience_unknown").message)
    return experience


@login_required
def experience_edit(request: HttpRequest, experience_id: int) -> HttpResponse:
    return _experience_save(request, _own_experience(request, experience_id))


@login_required
@require_POST
def experience_delete(request: HttpRequest, experience_id: int) -> HttpResponse:
    try:
        experiences.experience_delete(member=request.user, experience_id=experience_id)
    except EventsError as error:
        raise Http404(error.message) from None
    messages.success(request, _("The experience is deleted from your path."))
    return redirect("member_path", public_id=request.user.public_id)


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
    return path_item_redirect(request.user, request.POST["kind"], object_id)


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
