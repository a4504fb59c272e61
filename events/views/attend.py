"""Gathering pages for members: the gathering, applying and withdrawing,
answering a seat offer, the personal join URL, the draw record and "my
gatherings".

Every page on a gathering goes through ``gathering_view`` (the community's
read rules); a draft answers 404 to all but its organisers. Writes are POST
only and the services decide what is refused; a refusal becomes a message on
the gathering page, and nothing is stored.
"""

from allauth.core.internal import ratelimit
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from community.access import Access
from events import selectors
from events.decorators import gathering_view
from events.errors import EventsError
from events.forms import ApplicationForm, SelfCheckinForm
from events.models import ApplicationStatus, Gathering
from events.services import applications, attendance, lifecycle, offers
from events.services import series as series_services

# What a member is told once their application is stored, by its status.
APPLIED_MESSAGES = {
    ApplicationStatus.APPLIED: gettext_lazy("Your application is in."),
    ApplicationStatus.CONFIRMED: gettext_lazy("Your seat is confirmed. See you there!"),
    ApplicationStatus.WAITLISTED: gettext_lazy(
        "All seats are taken: you are on the waitlist."
    ),
}


def _member(request: HttpRequest):
    return request.user if request.user.is_authenticated else None


def _detail_url(gathering: Gathering) -> str:
    return reverse("gathering_detail", args=[gathering.community.slug, gathering.pk])


def _detail(
    request: HttpRequest,
    access: Access,
    gathering: Gathering,
    *,
    form: ApplicationForm | None = None,
    status: int = 200,
) -> HttpResponse:
    now = timezone.now()
    survey = selectors.survey_state(
        gathering=gathering, member=_member(request), now=now, access=access
    )
    page = selectors.gathering_page(
        gathering=gathering,
        member=_member(request),
        access=access,
        now=now,
        survey=survey,
    )
    if form is None and page.can_apply:
        form = ApplicationForm(gathering=gathering)
    self_checkin_form = None
    checkin = page.checkin
    if checkin is not None and checkin.self_open and not checkin.checked_in:
        # The venue's QR code opens this page with its code filled in.
        self_checkin_form = SelfCheckinForm(
            initial={"code": request.GET.get("venue", "")[:20]}
        )
    series = selectors.series_of_gathering(
        gathering=gathering, drafts=page.is_organiser
    )
    if series is not None and series.next_due_at and series.next_due_at <= now:
        # Pages apply what falls due, as they do a gathering's transitions.
        series_services.series_extend_if_due(
            series_id=series.series_id, next_due_at=series.next_due_at, now=now
        )
        series = selectors.series_of_gathering(
            gathering=gathering, drafts=page.is_organiser
        )
    response = render(
        request,
        "events/gathering_detail.html",
        {
            "community": access.community,
            "access": access,
            "gathering": gathering,
            "page": page,
            "draw_log": selectors.draw_log(gathering=gathering),
            "form": form,
            "self_checkin_form": self_checkin_form,
            "series": series,
            "survey": survey,
            "survey_shown": survey is not None
            and selectors.survey_summary_shown(survey.survey),
        },
        status=status,
    )
    if page.checkin is not None:
        # The attendee's check-in pass: for their browser only.
        patch_cache_control(response, private=True, no_store=True)
    return response


@require_safe
@gathering_view
def gathering_detail(
    request: HttpRequest, *, access: Access, gathering: Gathering
) -> HttpResponse:
    return _detail(request, access, gathering)


@login_required
@require_POST
@gathering_view
def gathering_apply(
    request: HttpRequest, *, access: Access, gathering: Gathering
) -> HttpResponse:
    form = ApplicationForm(request.POST, gathering=gathering)
    if not form.is_valid():
        return _detail(request, access, gathering, form=form, status=400)
    try:
        application = applications.application_submit(
            member=request.user,
            gathering=gathering,
            motivation=form.cleaned_data["motivation"],
            answers=form.answers(),
        )
    except EventsError as error:
        messages.error(request, error.message)
    else:
        # First come: the seat (or a waitlist place) is given at once.
        messages.success(request, APPLIED_MESSAGES[application.status])
    return redirect(_detail_url(gathering))


def _answer(request: HttpRequest, gathering: Gathering, action, done: str):
    """Run a member's action on their own application; a refusal becomes a
    message. Either way, back to the gathering page."""
    try:
        action(member=request.user, gathering=gathering)
    except EventsError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return redirect(_detail_url(gathering))


@login_required
@require_POST
@gathering_view
def gathering_withdraw(
    request: HttpRequest, *, access: Access, gathering: Gathering
) -> HttpResponse:
    return _answer(
        request,
        gathering,
        applications.application_withdraw,
        _("You withdrew your application."),
    )


@login_required
@require_POST
@gathering_view
def offer_confirm(
    request: HttpRequest, *, access: Access, gathering: Gathering
) -> HttpResponse:
    return _answer(
        request,
        gathering,
        offers.offer_confirm,
        _("Your seat is confirmed. See you there!"),
    )


@login_required
@require_POST
@gathering_view
def offer_decline(
    request: HttpRequest, *, access: Access, gathering: Gathering
) -> HttpResponse:
    return _answer(
        request,
        gathering,
        offers.offer_decline,
        _("You declined the seat; it passes to the next member."),
    )


@login_required
@require_POST
@gathering_view
def gathering_self_checkin(
    request: HttpRequest, *, access: Access, gathering: Gathering
) -> HttpResponse:
    """An attendee checks in with the code shown at the venue. Every try
    counts against ``ACCOUNT_RATE_LIMITS["self_checkin"]`` (a wrong code
    as much as a right one), so the code cannot be guessed."""
    back = _detail_url(gathering) + "#self-checkin"
    if not ratelimit.consume(
        request, app="allauth.account", action="self_checkin", user=request.user
    ):
        messages.error(request, EventsError("checkin_rate_limited").message)
        return redirect(back)
    form = SelfCheckinForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("code", [])))
        return redirect(back)
    try:
        checked_in = attendance.checkin_self(
            member=request.user, gathering=gathering, code=form.cleaned_data["code"]
        )
    except EventsError as error:
        messages.error(request, error.message)
        return redirect(back)
    messages.success(
        request,
        _("You are checked in. Enjoy the gathering!")
        if checked_in
        else _("You were already checked in."),
    )
    return redirect(back)


@login_required
@require_safe
def gathering_join(request: HttpRequest, token: str) -> HttpResponse:
    """The personal join URL. The video link goes out in the redirect's
    Location header and nowhere else: not in a body, not in a log line."""
    try:
        link = attendance.join_resolve(token=token, member=request.user)
        if not link:
            raise EventsError("join_no_link")
    except LookupError:
        raise Http404 from None
    except EventsError as error:
        return render(
            request,
            "events/partials/refusal_page.html",
            {"error": error.message},
            status=error.status,
        )
    response = HttpResponseRedirect(link)
    # Neither a cache nor the video service should keep the join URL.
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_safe
@gathering_view
def draw_record(
    request: HttpRequest, *, access: Access, gathering: Gathering
) -> HttpResponse:
    """The draw record, as published: anyone who may read the community can
    recompute the draw from it (``manage.py verify_draw``, docs/draw.md).
    Always the same bytes (``draw_record_bytes``), whose SHA-256 is the hash
    on the receipts."""
    record = selectors.draw_record_for_page(gathering=gathering)
    if record is None:
        raise Http404
    return HttpResponse(
        selectors.draw_record_bytes(record), content_type="application/json"
    )


@require_safe
@gathering_view
def draw_results(
    request: HttpRequest, *, access: Access, gathering: Gathering
) -> HttpResponse:
    """The draw's results in sentences, for whoever may read the gathering:
    seats, entries, the reader's own rank, weight and why; the record and
    the in-browser check one click away."""
    results = selectors.draw_results(gathering=gathering, member=_member(request))
    if results is None:
        raise Http404
    return render(
        request,
        "events/draw_results.html",
        {"community": access.community, "gathering": gathering, "results": results},
    )


@login_required
@require_safe
def my_gatherings(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    # Pages apply what fell due, so a stopped worker delays nothing shown.
    for gathering_id in selectors.member_gatherings_due(member=request.user, now=now):
        lifecycle.gathering_advance(gathering_id=gathering_id, now=now)
    rows = selectors.member_applications(member=request.user, now=now)
    applied = {row.gathering.pk for row in rows}
    # A gathering the member also holds a seat in shows once, with the seat.
    organised = [
        g
        for g in selectors.member_hosted_gatherings(member=request.user)
        if g.pk not in applied
    ]
    return render(
        request,
        "events/my_gatherings.html",
        {
            "rows": rows,
            # The next first; the past, the latest first.
            "upcoming_rows": [row for row in reversed(rows) if row.is_upcoming],
            "past_rows": [row for row in rows if not row.is_upcoming],
            "organised_upcoming": [
                g for g in reversed(organised) if g.status in selectors.COMING
            ],
            "organised_past": [
                g for g in organised if g.status not in selectors.COMING
            ],
        },
    )
