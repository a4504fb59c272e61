"""How the community's gatherings went, for its moderators and owners: the
overview (every gathering's funnel, and the months), one gathering's page,
and both tables as CSV (docs/analytics.md). The door is ``moderator_view``;
the figures come from events.selectors.analytics, the charts' geometry from
the ``analytics_charts`` template tags."""

from collections.abc import Iterator

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from community.access import Access
from community.exports import csv_response
from events.decorators import moderator_view
from events.selectors.analytics import (
    SEOUL,
    GatheringFunnel,
    MonthRow,
    SatisfactionState,
    community_funnels,
    community_months,
    community_totals,
)
from events.selectors.followups import community_followups, followup_counts


@require_safe
@moderator_view
def community_analytics(request: HttpRequest, *, access: Access) -> HttpResponse:
    funnels = community_funnels(community=access.community)
    return render(
        request,
        "events/community_analytics.html",
        {
            "community": access.community,
            "access": access,
            "funnels": list(reversed(funnels)),
            "months": community_months(funnels),
            "totals": community_totals(funnels),
            "followups": community_followups(community=access.community),
        },
    )


@require_safe
@moderator_view
def gathering_analytics(
    request: HttpRequest, *, access: Access, pk: int
) -> HttpResponse:
    funnels = community_funnels(community=access.community, gathering_id=pk)
    if not funnels:
        raise Http404
    return render(
        request,
        "events/gathering_analytics.html",
        {
            "community": access.community,
            "access": access,
            "funnel": funnels[0],
            "followups": followup_counts(gathering_id=pk),
        },
    )


@require_safe
@moderator_view
def community_analytics_gatherings_csv(
    request: HttpRequest, *, access: Access
) -> HttpResponse:
    funnels = community_funnels(community=access.community)
    return csv_response(
        filename=f"moim-{access.community.slug}-gatherings.csv",
        rows=_gathering_rows(funnels),
    )


@require_safe
@moderator_view
def community_analytics_months_csv(
    request: HttpRequest, *, access: Access
) -> HttpResponse:
    months = community_months(community_funnels(community=access.community))
    return csv_response(
        filename=f"moim-{access.community.slug}-months.csv",
        rows=_month_rows(months),
    )


def _ratio(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"


def _average(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _satisfaction_note(funnel: GatheringFunnel) -> str:
    return {
        SatisfactionState.SHOWN: "",
        SatisfactionState.BELOW_K: _("hidden: fewer than %(k)s responses")
        % {"k": funnel.k},
        SatisfactionState.NOT_CLOSED: _("survey not closed yet"),
        SatisfactionState.NO_SURVEY: _("no survey"),
    }[funnel.state]


def _gathering_rows(funnels: list[GatheringFunnel]) -> Iterator[list]:
    yield [
        _("gathering"),
        _("date"),
        _("applied"),
        _("won"),
        _("confirmed"),
        _("attended"),
        _("no-shows"),
        _("no-show rate"),
        _("first time"),
        _("returning"),
        _("answered the survey"),
        _("satisfaction (out of 5)"),
        _("responses"),
        _("note"),
    ]
    for f in funnels:
        shown = f.state == SatisfactionState.SHOWN
        yield [
            f.title,
            f.starts_at.astimezone(SEOUL).date().isoformat(),
            f.applied,
            f.won,
            f.confirmed,
            f.attended,
            f.no_shows,
            _ratio(f.no_show_rate),
            f.first_time,
            f.returning,
            f.answered,
            _average(f.satisfaction) if shown else "",
            f.responses if f.responses is not None else "",
            _satisfaction_note(f),
        ]


def _month_rows(months: list[MonthRow]) -> Iterator[list]:
    yield [
        _("month"),
        _("gatherings"),
        _("applied"),
        _("confirmed"),
        _("attended"),
        _("no-shows"),
        _("no-show rate"),
        _("gatherings rated (k met)"),
        _("responses counted"),
        _("satisfaction (out of 5)"),
    ]
    for m in months:
        yield [
            m.month.strftime("%Y-%m"),
            m.gatherings,
            m.applied,
            m.confirmed,
            m.attended,
            m.no_shows,
            _ratio(m.no_show_rate),
            m.rated,
            m.rated_responses,
            _average(m.satisfaction),
        ]
