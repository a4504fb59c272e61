"""Reads of "how it went", per community (docs/analytics.md): each
gathering's funnel (applied, won, confirmed, attended, answered the
survey), its no-shows, first-time and returning attendees and its
satisfaction, and the same by month. Satisfaction follows the survey's k
rule (``survey_summary_filter``): below k it is neither read nor shown.
Two queries, whatever the number of gatherings."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.db.models import (
    Case,
    Count,
    Exists,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    Value,
    When,
)

from community.models import Community
from events.access import attendee_filter
from events.models import (
    Application,
    ApplicationStatus,
    Gathering,
)
from events.selectors.surveys import AFTER_END, SURVEY_DONE, survey_summary_filter

SEOUL = ZoneInfo("Asia/Seoul")

# Won: offered a seat, by the draw or later from the waitlist, whatever
# became of the offer. A winner who withdrew afterwards reads as withdrawn
# and is not counted (the application keeps only its last status).
WON = [
    ApplicationStatus.OFFERED,
    ApplicationStatus.CONFIRMED,
    ApplicationStatus.DECLINED,
    ApplicationStatus.EXPIRED,
]


class SatisfactionState:
    """Why a gathering's satisfaction is shown or not."""

    SHOWN = "shown"
    BELOW_K = "below_k"  # closed with fewer than k responses: hidden
    NOT_CLOSED = "not_closed"  # the survey has not closed yet
    NO_SURVEY = "no_survey"


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


class GatheringFunnel(NamedTuple):
    """One gathering that has ended, as the analytics page shows it."""

    pk: int
    title: str
    starts_at: datetime
    applied: int
    won: int
    confirmed: int
    attended: int
    returning: int
    answered: int
    # Only from k responses, after the close; otherwise None (``state``).
    satisfaction: float | None
    responses: int | None
    k: int | None
    state: str

    @property
    def no_shows(self) -> int:
        """Confirmed seats that check-in recorded as not attended."""
        return self.confirmed - self.attended

    @property
    def no_show_rate(self) -> float | None:
        return _rate(self.no_shows, self.confirmed)

    @property
    def first_time(self) -> int:
        return self.attended - self.returning

    @property
    def month(self) -> date:
        return self.starts_at.astimezone(SEOUL).date().replace(day=1)

    @property
    def steps(self) -> list["FunnelStep"]:
        return funnel_steps(
            [self.applied, self.won, self.confirmed, self.attended, self.answered]
        )


class FunnelStep(NamedTuple):
    key: str  # applied, won, confirmed, attended, answered
    count: int
    # Of the step before (None for the first, or when that was zero).
    rate: float | None
    # Of those who applied.
    share: float | None


FUNNEL_KEYS = ("applied", "won", "confirmed", "attended", "answered")


def funnel_steps(counts: list[int]) -> list[FunnelStep]:
    """The funnel's steps from its five counts, in FUNNEL_KEYS order."""
    return [
        FunnelStep(
            key=key,
            count=count,
            rate=_rate(count, counts[index - 1]) if index else None,
            share=_rate(count, counts[0]),
        )
        for index, (key, count) in enumerate(zip(FUNNEL_KEYS, counts, strict=True))
    ]


def community_funnels(
    *, community: Community, gathering_id: int | None = None
) -> list[GatheringFunnel]:
    """Every gathering of ``community`` that has ended (cancelled ones and
    drafts never do), oldest first; with ``gathering_id``, that one only
    (an empty list when it is not such a gathering). Two queries, whatever
    the number of gatherings: the gatherings with their survey, then the
    applications counted per gathering."""
    gatherings = Gathering.objects.filter(community=community, status__in=AFTER_END)
    if gathering_id is not None:
        gatherings = gatherings.filter(pk=gathering_id)
    shown = survey_summary_filter("survey__") & Q(status__in=SURVEY_DONE)
    rows = list(
        gatherings.annotate(
            # The survey is one per gathering: no other join to multiply it.
            answered=Count("survey__participations"),
            # The average is read only where the results page shows it: below
            # k the database returns nothing for it.
            shown_average=Case(
                When(shown, then="survey__satisfaction_average"),
                default=Value(None),
                output_field=FloatField(),
            ),
            closed=Case(
                When(
                    Q(status__in=SURVEY_DONE, survey__response_count__isnull=False),
                    then=Value(1),
                ),
                default=Value(0),
                output_field=IntegerField(),
            ),
        )
        .order_by("starts_at", "pk")
        .values_list(
            "pk",
            "title",
            "starts_at",
            "answered",
            "shown_average",
            "closed",
            "survey__pk",
            "survey__response_count",
            "survey__min_responses",
            named=True,
        )
    )
    counts = _application_counts(community=community, ids=[row.pk for row in rows])
    funnels = []
    for row in rows:
        count = counts.get(row.pk, {})
        if row.shown_average is not None:
            state = SatisfactionState.SHOWN
        elif row.survey__pk is None:
            state = SatisfactionState.NO_SURVEY
        elif row.closed:
            state = SatisfactionState.BELOW_K
        else:
            state = SatisfactionState.NOT_CLOSED
        funnels.append(
            GatheringFunnel(
                pk=row.pk,
                title=row.title,
                starts_at=row.starts_at,
                applied=count.get("applied", 0),
                won=count.get("won", 0),
                confirmed=count.get("confirmed", 0),
                attended=count.get("attended", 0),
                returning=count.get("returning", 0),
                answered=row.answered,
                satisfaction=row.shown_average,
                responses=row.survey__response_count if row.closed else None,
                k=row.survey__min_responses,
                state=state,
            )
        )
    return funnels


def _application_counts(*, community: Community, ids: list[int]) -> dict:
    """The funnel's counts per gathering id, in one query. Returning: an
    attendee who attended a gathering of the community that started
    earlier (and has ended; cancelled ones never do)."""
    if not ids:
        return {}
    earlier = Application.objects.filter(
        attendee_filter(),
        member=OuterRef("member"),
        gathering__community=community,
        gathering__status__in=AFTER_END,
        gathering__starts_at__lt=OuterRef("gathering__starts_at"),
    )
    rows = (
        Application.objects.filter(gathering_id__in=ids)
        .order_by()
        .values("gathering_id")
        # Named apart from the fields (``attended`` is one), which a later
        # filter would otherwise read as the count.
        .annotate(
            n_applied=Count("pk"),
            n_won=Count("pk", filter=Q(status__in=WON)),
            n_confirmed=Count("pk", filter=Q(status=ApplicationStatus.CONFIRMED)),
            n_attended=Count("pk", filter=attendee_filter()),
            n_returning=Count("pk", filter=attendee_filter() & Exists(earlier)),
        )
    )
    return {
        row.pop("gathering_id"): {key[2:]: value for key, value in row.items()}
        for row in rows
    }


@dataclass
class MonthRow:
    """The community's gatherings that started in one month (Seoul time)."""

    month: date
    gatherings: int = 0
    applied: int = 0
    confirmed: int = 0
    attended: int = 0
    # Gatherings whose satisfaction is shown (k met) and their responses.
    rated: int = 0
    rated_responses: int = 0
    _weighted: float = 0.0

    @property
    def no_shows(self) -> int:
        return self.confirmed - self.attended

    @property
    def no_show_rate(self) -> float | None:
        return _rate(self.no_shows, self.confirmed)

    @property
    def satisfaction(self) -> float | None:
        """The average over every response of the month's gatherings that
        met k: each of them is shown with its own average and count, so this
        is computed from shown figures only and says nothing about a
        gathering below k (docs/analytics.md)."""
        if not self.rated_responses:
            return None
        return self._weighted / self.rated_responses

    @property
    def unrated(self) -> int:
        return self.gatherings - self.rated


def community_months(funnels: list[GatheringFunnel]) -> list[MonthRow]:
    """``community_funnels`` by month, oldest first. No query."""
    months: dict[date, MonthRow] = {}
    for funnel in funnels:
        row = months.setdefault(funnel.month, MonthRow(month=funnel.month))
        row.gatherings += 1
        row.applied += funnel.applied
        row.confirmed += funnel.confirmed
        row.attended += funnel.attended
        if funnel.state == SatisfactionState.SHOWN and funnel.responses:
            row.rated += 1
            row.rated_responses += funnel.responses
            row._weighted += funnel.satisfaction * funnel.responses
    return sorted(months.values(), key=lambda row: row.month)


def community_totals(funnels: list[GatheringFunnel]) -> list[FunnelStep]:
    """The funnel over all ``funnels`` together. No query."""
    return funnel_steps(
        [
            sum(f.applied for f in funnels),
            sum(f.won for f in funnels),
            sum(f.confirmed for f in funnels),
            sum(f.attended for f in funnels),
            sum(f.answered for f in funnels),
        ]
    )
