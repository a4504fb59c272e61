"""Repeating a gathering, for its organisers: "the next one from this"
(a copy with new dates, then its edit page) and a series (a rule, its
occurrences, stopping it). The doors are organiser_view's: a banned host
organises nothing, a muted one reads but may not write."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from community.access import Access
from events import selectors
from events.access import organiser_write_refusal, repeat_refusal
from events.decorators import organiser_view
from events.errors import EventsError
from events.forms_organise import time_problem_field
from events.forms_repeat import RepeatForm, SeriesForm
from events.models import Gathering
from events.services import series as series_services


def _host_lookup(gathering: Gathering):
    def lookup(names: list[str]):
        return selectors.organise_hosts_resolve(
            community=gathering.community, names=names
        )

    return lookup


@organiser_view(writes=True)
def gathering_repeat(
    request: HttpRequest, *, gathering: Gathering, access: Access
) -> HttpResponse:
    """A copy of this gathering as a new draft, with the proposed dates
    (one series step or a week later) editable; then its edit page."""
    if (refusal := repeat_refusal(access)) is not None:
        raise refusal
    view = selectors.series_of_gathering(gathering=gathering, drafts=True)
    # In a series, the next one comes after the last date the series made.
    proposed = series_services.next_schedule(
        source=gathering,
        rule=view.rule if view else None,
        now=timezone.now(),
        after=max(row.starts_at for row in view.occurrences) if view else None,
    )
    # An empty POST is a submission too (nothing sent), not a fresh form.
    posted = request.method == "POST"
    form = RepeatForm(request.POST if posted else None, initial=proposed)
    if posted and form.is_valid():
        hosts = series_services.hosts_eligible(gathering)
        if form.copy_check(
            source=gathering,
            host_ids=[host.public_id for host in hosts],
            host_lookup=_host_lookup(gathering),
        ):
            try:
                copy = series_services.gathering_copy(
                    source=gathering,
                    created_by=request.user,
                    schedule=form.schedule(),
                    access=access,
                )
            except EventsError as error:
                field = (
                    time_problem_field(error) if error.code == "invalid_times" else None
                )
                form.add_error(field, error.message)
            else:
                messages.success(
                    request,
                    _(
                        "A new draft is made from ‘%(title)s’. Check it, then "
                        "publish it."
                    )
                    % {"title": gathering.title},
                )
                return redirect("gathering_edit", slug=copy.community.slug, pk=copy.pk)
    return render(
        request,
        "events/gathering_repeat.html",
        {
            "community": gathering.community,
            "access": access,
            "gathering": gathering,
            "form": form,
            "write_refusal": organiser_write_refusal(access),
        },
        status=400 if form.errors else 200,
    )


@organiser_view(writes=True)
def gathering_series(
    request: HttpRequest, *, gathering: Gathering, access: Access
) -> HttpResponse:
    """Repeat this gathering weekly, every other week or monthly; once it
    repeats, its series: the occurrences made so far, and stopping it."""
    if (refusal := repeat_refusal(access)) is not None:
        raise refusal
    view = selectors.series_of_gathering(gathering=gathering, drafts=True)
    if view is not None and view.next_due_at and view.next_due_at <= timezone.now():
        series_services.series_extend_if_due(
            series_id=view.series_id, next_due_at=view.next_due_at
        )
        view = selectors.series_of_gathering(gathering=gathering, drafts=True)
    form = None
    if view is None:
        posted = request.method == "POST"
        form = SeriesForm(
            request.POST if posted else None, starts_at=gathering.starts_at
        )
        if posted and form.is_valid():
            data = form.cleaned_data
            try:
                series_services.series_create(
                    template=gathering,
                    rule=data["rule"],
                    count=data["count"],
                    until=data["until"],
                    publish=data["publish"],
                    created_by=request.user,
                    access=access,
                )
            except EventsError as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request,
                    _(
                        "The gathering repeats. The next ones are made eight "
                        "weeks ahead."
                    ),
                )
                return redirect(
                    "gathering_series", slug=gathering.community.slug, pk=gathering.pk
                )
    return render(
        request,
        "events/gathering_series.html",
        {
            "community": gathering.community,
            "access": access,
            "gathering": gathering,
            "form": form,
            "series": view,
            "write_refusal": organiser_write_refusal(access),
        },
        status=400 if form is not None and form.errors else 200,
    )


@require_POST
@organiser_view(writes=True)
def gathering_series_stop(
    request: HttpRequest, *, gathering: Gathering, access: Access
) -> HttpResponse:
    """Stop the series: no more occurrences; those made stay."""
    if (refusal := repeat_refusal(access)) is not None:
        raise refusal
    view = selectors.series_of_gathering(gathering=gathering)
    if view is None:
        messages.error(request, _("This gathering does not repeat."))
    else:
        series_services.series_stop(series_id=view.series_id, access=access)
        messages.success(
            request, _("The series is stopped. The gatherings already made stay.")
        )
    return redirect("gathering_series", slug=gathering.community.slug, pk=gathering.pk)
