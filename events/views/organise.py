"""Pages for a gathering's organisers (community moderators, staff and the
gathering's hosts): create, edit, publish, cancel, the dashboard with the
applications, the draw button, revoking a join URL, and check-in.

Every view checks on the server: an anonymous visitor is sent to sign in, a
gathering id from another community answers 404, anyone who does not
organise the gathering gets 403. The services decide; refusals
(EventsError) become form errors or messages.
"""

from typing import NamedTuple

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from community.access import Access
from community.decorators import community_view
from community.display import display_name
from community.errors import CommunityError
from community.exports import csv_response, xlsx_response
from community.fields import SEOUL
from community.forms import PictureForm
from community.ids import id_parse
from community.images import upload_rate_check
from community.models import Community
from community.selectors.members import two_factor_prompt_due
from events import checkin_tokens, selectors
from events.access import (
    amend_refusal,
    cancel_refusal,
    checkin_refusal,
    checkin_window,
    draw_refusal,
    edit_refusal,
    frozen_fields,
    organiser_write_refusal,
    publish_refusal,
    repeat_refusal,
    self_checkin_settings_refusal,
)
from events.applicant_list import (
    ALWAYS_SHOWN,
    ListOrder,
    ListStatus,
    applicant_export_rows,
    applicant_query_parse,
)
from events.decorators import organiser_view
from events.errors import EventsError
from events.fairness import policy_of_community
from events.forms_organise import (
    ADVANCED_DEFAULTS,
    AmendForm,
    CancelForm,
    CheckinForm,
    CheckinScanForm,
    FairnessOptionsForm,
    GatheringForm,
    SelfCheckinSettingsForm,
    time_problem_field,
)
from events.models import (
    ApplicationStatus,
    Gathering,
    GatheringFormat,
    GatheringStatus,
    SelectionMode,
)
from events.services import attendance, fairness, gatherings, lifecycle, terms
from events.terms import terms_in_force


@login_required
@community_view(owner=True, sign_in=True)
def community_fairness(request: HttpRequest, *, access: Access) -> HttpResponse:
    """The community's draw options, for its owners: overbooking by
    measured attendance (events.services.terms fixes it in each gathering's
    terms at opening)."""
    policy = policy_of_community(access.community)
    # An unticked box posts nothing: an empty POST is still a submission.
    posted = request.method == "POST"
    form = FairnessOptionsForm(
        request.POST if posted else None, initial={"overbooking": policy.overbooking}
    )
    if posted and form.is_valid():
        fairness.fairness_policy_update(
            access=access, overbooking=form.cleaned_data["overbooking"]
        )
        messages.success(request, _("The draw options are saved."))
        return redirect("community_fairness", slug=access.community.slug)
    return render(
        request,
        "events/community_fairness.html",
        {"community": access.community, "access": access, "form": form},
        status=400 if form.errors else 200,
    )


def _manage_url(gathering: Gathering) -> str:
    return reverse("gathering_manage", args=[gathering.community.slug, gathering.pk])


def _frozen_fields(gathering: Gathering, writes: bool = True) -> list[str]:
    """The settings the lifecycle has fixed (``frozen_fields``); all of them
    once the gathering can no longer be edited, or by this organiser
    (``writes`` false: muted)."""
    if edit_refusal(gathering) is not None or not writes:
        return [name for name in GatheringForm.base_fields if name != "hosts"]
    return frozen_fields(gathering)


def _refusal_to_form(form: GatheringForm, error: EventsError) -> None:
    field = time_problem_field(error) if error.code == "invalid_times" else None
    form.add_error(field, error.message)


def _host_lookup(community: Community):
    def lookup(names: list[str]):
        return selectors.organise_hosts_resolve(community=community, names=names)

    return lookup


class HostChip(NamedTuple):
    public_id: str
    name: str


def _host_chips(form: GatheringForm, hosts, community: Community) -> list[HostChip]:
    """The hosts the picker shows as chosen: those the posted form named
    and found, else the gathering's."""
    if form.is_bound:
        hosts = getattr(form, "host_members", [])
    return [HostChip(m.public_id, display_name(m, community)) for m in hosts]


def _form_context(form: GatheringForm, community: Community, hosts=()) -> dict:
    return {
        "host_chips": _host_chips(form, hosts, community),
        "advanced_defaults": ADVANCED_DEFAULTS,
    }


@login_required
@community_view(readable=False, moderator=True)
def gathering_create(request: HttpRequest, *, access: Access) -> HttpResponse:
    community = access.community
    form = GatheringForm(request.POST or None, host_lookup=_host_lookup(community))
    if request.method == "POST" and form.is_valid():
        try:
            gathering = gatherings.gathering_create(
                community=community,
                created_by=request.user,
                hosts=form.cleaned_data["hosts"] or None,
                **form.service_fields(),
            )
        except EventsError as error:
            _refusal_to_form(form, error)
        else:
            messages.success(
                request,
                _("The draft is saved. Publish it when it is ready."),
            )
            return redirect(_manage_url(gathering))
    return render(
        request,
        "events/gathering_form.html",
        {
            "community": community,
            "access": access,
            "form": form,
            "gathering": None,
            **_form_context(form, community),
        },
        status=400 if form.errors else 200,
    )


@organiser_view(writes=True)
def gathering_edit(
    request: HttpRequest, *, gathering: Gathering, access: Access
) -> HttpResponse:
    gathering = lifecycle.gathering_advance_if_due(gathering)
    community = gathering.community
    hosts = selectors.organise_hosts(gathering=gathering)
    initial = GatheringForm.initial_from(gathering, [m.public_id for m in hosts])
    write_refusal = organiser_write_refusal(access)
    frozen = _frozen_fields(gathering, write_refusal is None)
    form = GatheringForm(
        request.POST or None,
        initial=initial,
        frozen=frozen,
        host_lookup=_host_lookup(community),
        creating=False,
    )
    editable = edit_refusal(gathering) is None and write_refusal is None
    if request.method == "POST" and form.is_valid():
        try:
            gatherings.gathering_update(
                gathering=gathering,
                access=access,
                hosts=form.cleaned_data["hosts"],
                **form.service_fields(),
            )
        except EventsError as error:
            _refusal_to_form(form, error)
        else:
            messages.success(request, _("The gathering is updated."))
            return redirect(_manage_url(gathering))
    return render(
        request,
        "events/gathering_form.html",
        {
            "community": community,
            "access": access,
            "form": form,
            "gathering": gathering,
            "editable": editable,
            "frozen": bool(frozen) and editable,
            "write_refusal": write_refusal,
            **_form_context(form, community, hosts),
        },
        status=400 if form.errors else 200,
    )


@organiser_view(writes=True)
def gathering_cover(
    request: HttpRequest, *, gathering: Gathering, access: Access
) -> HttpResponse:
    """The gathering's cover: upload one (checked and re-encoded by the
    service) or go back to the drawn default. A refused picture, or a muted
    organiser, answers 400 with the reason and changes nothing."""
    # An empty POST is a refusal too (nothing chosen), not a fresh form.
    posted = request.method == "POST"
    form = PictureForm(request.POST if posted else None, request.FILES or None)
    if posted and form.is_valid():
        try:
            if form.cleaned_data["picture"]:
                upload_rate_check(request)
            gatherings.gathering_cover_set(
                gathering=gathering,
                access=access,
                upload=form.cleaned_data["picture"] or None,
            )
        except (EventsError, CommunityError) as error:
            form.add_error("picture", error.message)
        else:
            messages.success(request, _("The cover is saved."))
            return redirect(_manage_url(gathering))
    return render(
        request,
        "events/gathering_cover.html",
        {"community": gathering.community, "gathering": gathering, "form": form},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@organiser_view(writes=True)
def gathering_publish(
    request: HttpRequest, *, gathering: Gathering, access: Access
) -> HttpResponse:
    """GET: what publishing does, and the button; POST: publish, then on to
    the share page. A refusal (not a draft, a muted organiser) is said on
    the confirmation page, or as a message on the dashboard after a POST."""
    if request.method != "POST":
        gathering = lifecycle.gathering_advance_if_due(gathering)
        return render(
            request,
            "events/gathering_publish.html",
            {
                "community": gathering.community,
                "access": access,
                "gathering": gathering,
                "refusal": organiser_write_refusal(access)
                or publish_refusal(gathering),
            },
        )
    try:
        gathering = gatherings.gathering_publish(gathering=gathering, access=access)
    except EventsError as error:
        messages.error(request, error.message)
        return redirect(_manage_url(gathering))
    if gathering.status == GatheringStatus.OPEN:
        messages.success(request, _("Published. Applications are open now."))
    else:
        messages.success(
            request,
            _("Published. Applications open at the opening time."),
        )
    return redirect("gathering_share", slug=gathering.community.slug, pk=gathering.pk)


@organiser_view(writes=True)
def gathering_amend(
    request: HttpRequest, *, gathering: Gathering, access: Access
) -> HttpResponse:
    """A numbered amendment of the committed terms, with its reason, while
    applications are open (``amend_refusal``)."""
    gathering = lifecycle.gathering_advance_if_due(gathering)
    refusal = amend_refusal(gathering) or organiser_write_refusal(access)
    initial = AmendForm.initial_from(terms_in_force(gathering)) if not refusal else {}
    form = AmendForm(request.POST or None, initial=initial)
    if request.method == "POST" and refusal is None and form.is_valid():
        try:
            amendment = terms.terms_amend(
                gathering=gathering,
                changes=form.changes(),
                reason=form.cleaned_data["reason"],
                access=access,
            )
        except EventsError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("Amendment %(number)s is published.") % {"number": amendment.number},
            )
            return redirect(_manage_url(gathering))
    return render(
        request,
        "events/gathering_amend.html",
        {
            "community": gathering.community,
            "access": access,
            "gathering": gathering,
            "form": form,
            "refusal": refusal,
        },
        status=400 if form.errors or (request.method == "POST" and refusal) else 200,
    )


@organiser_view(writes=True)
def gathering_cancel(
    request: HttpRequest, *, gathering: Gathering, access: Access
) -> HttpResponse:
    gathering = lifecycle.gathering_advance_if_due(gathering)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            gatherings.gathering_cancel(
                gathering=gathering, reason=form.cleaned_data["reason"], access=access
            )
        except EventsError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("The gathering is cancelled. Everyone who applied was told."),
            )
            return redirect(_manage_url(gathering))
    counts = selectors.organise_application_counts(gathering=gathering)
    affected = sum(counts.values()) - counts[ApplicationStatus.WITHDRAWN]
    write_refusal = organiser_write_refusal(access)
    return render(
        request,
        "events/gathering_cancel.html",
        {
            "community": gathering.community,
            "access": access,
            "gathering": gathering,
            "form": form,
            "affected": affected,
            "cancellable": cancel_refusal(gathering) is None and write_refusal is None,
            "write_refusal": write_refusal,
        },
        status=400 if form.errors else 200,
    )


@organiser_view
def gathering_manage(
    request: HttpRequest, *, gathering: Gathering, access: Access
) -> HttpResponse:
    now = timezone.now()
    gathering = lifecycle.gathering_advance_if_due(gathering, now)
    query, query_problems = applicant_query_parse(request.GET)
    winners = selectors.organise_draw_winners(gathering=gathering)
    has_draw = winners is not None
    counts = selectors.organise_applicant_counts(gathering=gathering, winners=winners)
    # A muted host keeps the dashboard but is offered no edit or cancel.
    writes = organiser_write_refusal(access) is None
    return render(
        request,
        "events/gathering_manage.html",
        {
            "community": gathering.community,
            "access": access,
            "gathering": gathering,
            "page": selectors.organise_application_page(
                gathering=gathering,
                page=request.GET.get("page", 1),
                query=query,
                winners=winners,
            ),
            "query": query,
            "query_problems": query_problems,
            "orders": ListOrder.choices,
            "chips": _status_chips(counts, has_draw, query.status),
            "counts": counts,
            "total": counts.total,
            "confirmed": counts.by_status[ListStatus.CONFIRMED],
            "hosts": selectors.organise_hosts(gathering=gathering),
            "two_factor_prompt": two_factor_prompt_due(
                member=request.user, session=request.session, organises=True
            ),
            "has_draw": has_draw,
            "can_draw": draw_refusal(gathering, now, drawn=has_draw) is None,
            "can_publish": publish_refusal(gathering) is None and writes,
            "can_edit": edit_refusal(gathering) is None and writes,
            "can_cancel": cancel_refusal(gathering) is None and writes,
            "can_repeat": repeat_refusal(access) is None,
            "can_checkin": checkin_refusal(gathering) is None,
            "now": now,
        },
    )


def _status_chips(counts, has_draw: bool, chosen: str) -> list[tuple[str, str, int]]:
    """(value, label, count) of each status filter to offer: the usual ones
    always, "won" once there is a draw, the others when some application
    has them (or they are the one chosen)."""
    return [
        (value, label, counts.by_status[value])
        for value, label in ListStatus.choices
        if value in ALWAYS_SHOWN
        or (value == ListStatus.WON and has_draw)
        or counts.by_status[value]
        or value == chosen
    ]


@require_safe
@organiser_view
def gathering_applicants_export(
    request: HttpRequest, *, gathering: Gathering, access: Access, fmt: str
) -> HttpResponse:
    """The applicants the manage page lists (its search and status filter,
    its order; a bad parameter is set aside as there), with their answers,
    as CSV or .xlsx. Every cell goes through ``cell_safe``; the video link
    is no column of it."""
    query, _problems = applicant_query_parse(request.GET)
    winners = selectors.organise_draw_winners(gathering=gathering)
    applications = selectors.organise_applicant_rows(
        gathering=gathering, query=query, winners=winners
    )
    today = timezone.localdate(timezone=SEOUL).strftime("%Y%m%d")
    filename = f"moim-gathering-{gathering.pk}-applicants-{today}.{fmt}"
    rows = applicant_export_rows(
        gathering=gathering, applications=applications, has_draw=winners is not None
    )
    if fmt == "xlsx":
        return xlsx_response(filename=filename, rows=rows, sheet_title=_("Applicants"))
    return csv_response(filename=filename, rows=rows)


@require_POST
@organiser_view
def gathering_draw(
    request: HttpRequest, *, gathering: Gathering, access: Access
) -> HttpResponse:
    """The draw button: the same transition the clock would apply at close,
    recorded as run by this organiser. The database stores one draw per
    gathering, so a second press (or a race with the scheduled job) cannot
    draw again."""
    now = timezone.now()
    refusal = draw_refusal(
        gathering,
        now,
        drawn=gathering.selection_mode == SelectionMode.LOTTERY
        and selectors.organise_has_draw(gathering=gathering),
    )
    if refusal is None:
        try:
            lifecycle.gathering_advance(
                gathering_id=gathering.pk, now=now, drawn_by=request.user
            )
        except EventsError as error:
            refusal = error
    if refusal is None and not selectors.organise_has_draw(gathering=gathering):
        refusal = EventsError("not_closed")
    if refusal is not None:
        messages.error(request, refusal.message)
    else:
        messages.success(
            request,
            _("The draw has run. Winners have a seat offer; everyone is told."),
        )
    return redirect(_manage_url(gathering))


@require_POST
@organiser_view
def gathering_join_revoke(
    request: HttpRequest, *, gathering: Gathering, access: Access
) -> HttpResponse:
    application_id = id_parse(request.POST.get("application", ""))
    if application_id is None:
        raise Http404
    application = selectors.organise_application_get(
        gathering=gathering, application_id=application_id
    )
    if application is None:
        raise Http404
    attendance.join_revoke(application=application)
    messages.success(
        request,
        _("%(name)s's join URL no longer works.")
        % {"name": display_name(application.member, gathering.community)},
    )
    return redirect(f"{_manage_url(gathering)}#application-{application.pk}")


@organiser_view
def gathering_checkin(
    request: HttpRequest, *, gathering: Gathering, access: Access
) -> HttpResponse:
    gathering = lifecycle.gathering_advance_if_due(gathering)
    rows = selectors.organise_checkin_rows(gathering=gathering)
    form = CheckinForm(request.POST or None, attendees=rows)
    if request.method == "POST" and form.is_valid():
        attendance.checkin_record(gathering=gathering, attended=form.attended())
        messages.success(request, _("Attendance is saved."))
        return redirect(
            "gathering_checkin", slug=gathering.community.slug, pk=gathering.pk
        )
    at_venue = self_checkin_settings_refusal(gathering) is None
    # The door's tools, for a gathering at a venue only (two queries).
    count = self_checkin = None
    if gathering.format == GatheringFormat.OFFLINE:
        count = selectors.organise_checkin_count(gathering=gathering)
        self_checkin = selectors.organise_self_checkin(gathering=gathering)
    return render(
        request,
        "events/checkin.html",
        {
            "community": gathering.community,
            "access": access,
            "gathering": gathering,
            "form": form,
            "scan_form": CheckinScanForm(),
            "count": count,
            "at_venue": at_venue,
            "self_checkin_on": self_checkin is not None and self_checkin.enabled,
            "started": timezone.now() >= gathering.starts_at,
        },
        status=400 if form.errors else 200,
    )


# What a scan or a typed code came to, in words (%(name)s: the attendee's
# name in the community), and the level of the message that says it.
CHECKIN_OUTCOMES = {
    attendance.CheckinOutcome.CHECKED_IN: (
        messages.SUCCESS,
        gettext_lazy("%(name)s is checked in."),
    ),
    attendance.CheckinOutcome.ALREADY: (
        messages.WARNING,
        gettext_lazy("%(name)s was already checked in. Nothing changed."),
    ),
    attendance.CheckinOutcome.OTHER_GATHERING: (
        messages.ERROR,
        gettext_lazy("This code is for another gathering."),
    ),
    attendance.CheckinOutcome.NOT_ATTENDEE: (
        messages.ERROR,
        gettext_lazy("%(name)s has no confirmed seat at this gathering."),
    ),
    attendance.CheckinOutcome.INVALID: (
        messages.ERROR,
        gettext_lazy(
            "This code is not valid. Ask the attendee to open their gathering "
            "page again, or type the six characters under their QR code."
        ),
    ),
    attendance.CheckinOutcome.AMBIGUOUS: (
        messages.ERROR,
        gettext_lazy(
            "Two attendees have this code. Please scan their QR code instead."
        ),
    ),
}


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@require_POST
@organiser_view
def gathering_checkin_scan(
    request: HttpRequest, *, gathering: Gathering, access: Access
) -> HttpResponse:
    """Check one attendee in from their QR code (the camera script posts
    what it read and shows the answer) or their short code (a plain form,
    answered with a message on the check-in page)."""
    form = CheckinScanForm(request.POST)
    checkin_url = (
        reverse("gathering_checkin", args=[gathering.community.slug, gathering.pk])
        + "#scan"
    )
    if not form.is_valid():
        text = " ".join(form.errors.get("value", [])) or _("Please try again.")
        if _wants_json(request):
            return JsonResponse({"outcome": "invalid", "message": text}, status=400)
        messages.error(request, text)
        return redirect(checkin_url)
    result = attendance.checkin_scan(
        gathering=gathering, value=form.cleaned_data["value"], by=request.user
    )
    level, text = CHECKIN_OUTCOMES[result.outcome]
    name = (
        display_name(result.application.member, gathering.community)
        if result.application is not None
        else ""
    )
    text = str(text) % {"name": name} if "%(name)s" in str(text) else str(text)
    if _wants_json(request):
        count = selectors.organise_checkin_count(gathering=gathering)
        attended = result.outcome in {
            attendance.CheckinOutcome.CHECKED_IN,
            attendance.CheckinOutcome.ALREADY,
        }
        return JsonResponse(
            {
                "outcome": result.outcome,
                "message": text,
                "name": name,
                # The row of the attendance list below, to tick in place.
                "application": result.application.pk if attended else None,
                "checked_in": count.checked_in,
                "confirmed": count.confirmed,
                "count_text": _("%(checked_in)s of %(confirmed)s checked in")
                % count._asdict(),
            }
        )
    messages.add_message(request, level, text)
    return redirect(checkin_url)


@never_cache
@organiser_view
def gathering_checkin_venue(
    request: HttpRequest, *, gathering: Gathering, access: Access
) -> HttpResponse:
    """The venue code, big, for a screen at the entrance: attendees type it
    (or scan its QR code, which opens their gathering page with the code
    filled in) to check themselves in. Organisers turn self check-in on or
    off and replace the code here."""
    refusal = self_checkin_settings_refusal(gathering)
    url = reverse(
        "gathering_checkin_venue", args=[gathering.community.slug, gathering.pk]
    )
    if request.method == "POST":
        form = SelfCheckinSettingsForm(request.POST)
        if refusal is not None:
            messages.error(request, refusal.message)
        elif not form.is_valid():
            messages.error(request, " ".join(form.errors.get("action", [])))
        else:
            action = form.cleaned_data["action"]
            attendance.self_checkin_set(
                gathering=gathering,
                enabled={"on": True, "off": False}.get(action),
                new_code=action == "new_code",
            )
            messages.success(
                request,
                {
                    "on": _("Self check-in is on."),
                    "off": _("Self check-in is off."),
                    "new_code": _(
                        "The venue has a new code; the old one no longer works."
                    ),
                }[action],
            )
        return redirect(url)
    self_checkin = selectors.organise_self_checkin(gathering=gathering)
    code = link = ""
    if refusal is None and self_checkin is not None and self_checkin.enabled:
        code = checkin_tokens.venue_code(self_checkin)
        # The site's public address, never the request's Host header.
        link = (
            settings.SITE_URL
            + reverse("gathering_detail", args=[gathering.community.slug, gathering.pk])
            + f"?venue={code}#self-checkin"
        )
    opens, closes = checkin_window(gathering)
    return render(
        request,
        "events/checkin_venue.html",
        {
            "community": gathering.community,
            "access": access,
            "gathering": gathering,
            "refusal": refusal,
            "enabled": self_checkin is not None and self_checkin.enabled,
            "code": code,
            "link": link,
            "opens": opens,
            "closes": closes,
        },
    )
