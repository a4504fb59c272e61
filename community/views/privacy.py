"""A member's own data: downloading it, and leaving Moim."""

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from community.errors import CommunityError
from community.forms import LeaveForm
from community.models import DataExport, DataExportStatus
from community.services import personal_data as services
from community.services.leaving import member_delete


@login_required
@never_cache
def data_export(request: HttpRequest) -> HttpResponse:
    """GET: the member's exports and their links (expired files go first);
    POST: ask for a new one."""
    member = request.user
    error = None
    if request.method == "POST":
        try:
            services.data_export_request(member=member)
        except CommunityError as err:
            error = err.message
        else:
            messages.success(
                request,
                _(
                    "We are preparing your data. It is usually ready within a "
                    "few minutes; the link appears on this page."
                ),
            )
            return redirect("data_export")
    services.data_exports_expire(member=member)
    exports = [
        (
            export,
            services.data_export_token(export)
            if export.status == DataExportStatus.READY and export.file_name
            else None,
        )
        for export in DataExport.objects.filter(member=member).select_related("member")[
            :5
        ]
    ]
    return render(
        request,
        "community/data_export.html",
        {"exports": exports, "error": error},
        status=400 if error else 200,
    )


@login_required
@require_GET
@never_cache
def data_export_download(request: HttpRequest, token: str) -> HttpResponse:
    """The ZIP, to the member it belongs to only; to anyone else the link
    is unknown (404), as an altered one is."""
    try:
        export, file = services.data_export_open(member=request.user, token=token)
    except CommunityError as err:
        return render(
            request,
            "community/data_export_refused.html",
            {"error": err.message},
            status=410 if err.code == "data_export_link_expired" else 404,
        )
    # Read whole (a member's archive is small) rather than streamed: the
    # suite reads every answer's body for planted secrets.
    with file:
        response = HttpResponse(file.read(), content_type="application/zip")
    stamp = timezone.localtime(export.ready_at).strftime("%Y%m%d")
    response["Content-Disposition"] = content_disposition_header(
        True, f"moim-data-{stamp}.zip"
    )
    return response


@login_required
def member_leave(request: HttpRequest) -> HttpResponse:
    """What leaving deletes and keeps, and the confirmation. A valid
    confirmation asks the member to confirm it is them (allauth's
    reauthentication, by password or a mailed code) unless they just did;
    allauth then replays the confirmation."""
    form = LeaveForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        return _leave_confirmed(request)
    return render(
        request,
        "community/leave.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@reauthentication_required
def _leave_confirmed(request: HttpRequest) -> HttpResponse:
    member_delete(member=request.user)
    logout(request)
    messages.success(
        request,
        _("Your account is deleted and your personal data destroyed. Goodbye."),
    )
    return redirect("home")
