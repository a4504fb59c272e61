"""Reports, the moderation queue, moderator actions, sanctions, moderator
roles and the audit log. Every view goes through community_view (the
moderators' own pages with ``moderator=True``, roles with ``owner=True``);
ids from another community answer 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from community.access import Access
from community.decorators import community_view
from community.errors import CommunityError
from community.forms_moderation import (
    ModerationActionForm,
    ReportForm,
    RoleForm,
    SanctionForm,
)
from community.models import Community, ModerationAction
from community.selectors import moderation as selectors
from community.selectors.communities import community_moderators
from community.selectors.members import (
    community_member_by_public_id,
    two_factor_prompt_due,
)
from community.services import moderation as services
from community.views.communities import safe_next

DONE = {
    ModerationAction.HIDE: gettext_lazy("Hidden. The author was told why."),
    ModerationAction.RESTORE: gettext_lazy("Restored. The author was told."),
    ModerationAction.LOCK: gettext_lazy("The thread is locked."),
    ModerationAction.UNLOCK: gettext_lazy("The thread is unlocked."),
    ModerationAction.PIN: gettext_lazy("The thread is pinned."),
    ModerationAction.UNPIN: gettext_lazy("The thread is unpinned."),
    ModerationAction.DISMISS: gettext_lazy("The report is dismissed."),
}


def _thread_url(community: Community, thread_id: int, comment_id=None) -> str:
    url = reverse("thread_detail", args=[community.slug, thread_id])
    return f"{url}#comment-{comment_id}" if comment_id else url


@require_POST
@login_required
@community_view
def report_create(request: HttpRequest, *, access: Access) -> HttpResponse:
    form = ReportForm(request.POST)
    # The report form lives on the thread page; without a valid target there
    # is no page to return to.
    has_target = form.is_valid() or any(
        form.cleaned_data.get(name) for name in ("thread", "comment")
    )
    if not has_target:
        raise Http404
    found = selectors.moderation_content(
        community=access.community,
        thread_id=form.cleaned_data.get("thread"),
        comment_id=form.cleaned_data.get("comment"),
        include_hidden=access.is_moderator,
    )
    if found is None:
        raise Http404
    thread, comment, _report = found
    thread_id = comment.thread_id if comment is not None else thread.pk
    back = _thread_url(access.community, thread_id, comment.pk if comment else None)
    if form.errors:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    try:
        services.report_create(
            access=access,
            reason=form.cleaned_data["reason"],
            thread=thread if comment is None else None,
            comment=comment,
        )
    except CommunityError as err:
        messages.error(request, err.message)
    else:
        messages.success(
            request, _("Thank you. The moderators will look at your report.")
        )
    return redirect(back)


@login_required
@community_view(moderator=True)
def moderation_queue(request: HttpRequest, *, access: Access) -> HttpResponse:
    page = selectors.report_queue(
        community=access.community, page=request.GET.get("page", 1)
    )
    return render(
        request,
        "community/moderation_queue.html",
        {
            "community": access.community,
            "access": access,
            "page": page,
            "two_factor_prompt": two_factor_prompt_due(
                member=request.user, session=request.session, organises=True
            ),
        },
    )


@require_POST
@login_required
@community_view(moderator=True)
def moderation_action(request: HttpRequest, *, access: Access) -> HttpResponse:
    queue = reverse("moderation_queue", args=[access.community.slug])
    form = ModerationActionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(queue)
    data = form.cleaned_data
    found = selectors.moderation_content(
        community=access.community,
        thread_id=data["thread"],
        comment_id=data["comment"],
        report_id=data["report"],
        include_hidden=True,
    )
    if found is None:
        raise Http404
    thread, comment, report = found
    try:
        services.moderation_act(
            access=access,
            action=data["action"],
            reason=data["reason"],
            thread=thread,
            comment=comment,
            report=report,
        )
    except CommunityError as err:
        messages.error(request, err.message)
    else:
        messages.success(request, DONE[data["action"]])
    return redirect(safe_next(request, data["next"], queue))


@login_required
@community_view(moderator=True)
def audit_log(request: HttpRequest, *, access: Access) -> HttpResponse:
    page = selectors.audit_log(
        community=access.community, page=request.GET.get("page", 1)
    )
    return render(
        request,
        "community/audit_log.html",
        {"community": access.community, "access": access, "page": page},
    )


@login_required
@community_view(moderator=True)
def sanctions(request: HttpRequest, *, access: Access) -> HttpResponse:
    community = access.community
    form = SanctionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        target = community_member_by_public_id(
            community=community, public_id=data["member"]
        )
        if target is None:
            form.add_error("member", CommunityError("member_not_found").message)
        else:
            try:
                services.sanction_impose(
                    access=access,
                    member=target,
                    kind=data["kind"],
                    reason=data["reason"],
                    ends_at=data["ends_at"],
                )
            except CommunityError as err:
                form.add_error(None, err.message)
            else:
                messages.success(request, _("The sanction is in force."))
                return redirect("sanctions", slug=community.slug)
    return render(
        request,
        "community/sanctions.html",
        {
            "community": community,
            "access": access,
            "form": form,
            "role_form": RoleForm() if access.may_set_roles else None,
            "sanctions": selectors.sanction_list_active(community=community),
            "moderators": community_moderators(community),
        },
        status=400 if form.errors else 200,
    )


@require_POST
@login_required
@community_view(moderator=True)
def sanction_lift(
    request: HttpRequest, *, access: Access, sanction_id: int
) -> HttpResponse:
    sanction = selectors.sanction_get(
        community=access.community, sanction_id=sanction_id
    )
    if sanction is None:
        raise Http404
    services.sanction_lift(access=access, sanction=sanction)
    messages.success(request, _("The sanction is lifted."))
    return redirect("sanctions", slug=access.community.slug)


@require_POST
@login_required
@community_view(owner=True)
def member_role(request: HttpRequest, *, access: Access) -> HttpResponse:
    form = RoleForm(request.POST)
    back = reverse("sanctions", args=[access.community.slug])
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    target = community_member_by_public_id(
        community=access.community, public_id=form.cleaned_data["member"]
    )
    if target is None:
        messages.error(request, CommunityError("member_not_found").message)
        return redirect(back)
    try:
        services.membership_role_set(
            access=access, member=target, role=form.cleaned_data["role"]
        )
    except CommunityError as err:
        messages.error(request, err.message)
    else:
        messages.success(request, _("The member's role is changed."))
    return redirect(back)
