"""Reads of a gathering's series: the line on the gathering page ("Every
Tuesday · other gatherings in this series") and the organisers' series
page. Two queries whatever the series' length."""

from datetime import date, datetime
from typing import NamedTuple

from django.db.models import BooleanField, ExpressionWrapper, Q
from django.utils.translation import gettext_lazy as _

from events import recurrence
from events.models import (
    NOT_OVER,
    Gathering,
    GatheringFormat,
    GatheringStatus,
    SeriesOccurrence,
)

# A published gathering stays a draft until its applications open; members
# read that as "not open yet", not as a draft.
PUBLISHED_DRAFT = _("Not open yet")


class OccurrenceRow(NamedTuple):
    index: int
    gathering_id: int
    title: str
    starts_at: datetime
    status: str
    status_label: str
    published: bool
    current: bool
    # An online gathering not over yet whose organisers have not set its
    # video link (a series copies none: docs/series.md).
    needs_link: bool = False


class SeriesView(NamedTuple):
    series_id: int
    label: str
    rule: str
    count: int | None
    until: date | None
    publish: bool
    stopped: bool
    next_due_at: datetime | None
    occurrences: list[OccurrenceRow]

    @property
    def others(self) -> list[OccurrenceRow]:
        return [row for row in self.occurrences if not row.current]


def series_of_gathering(
    *, gathering: Gathering, drafts: bool = False
) -> SeriesView | None:
    """The series ``gathering`` belongs to, with its occurrences in order;
    a draft occurrence only with ``drafts`` (its organisers). None when it
    belongs to none. One query, two when it does."""
    occurrence = (
        SeriesOccurrence.objects.filter(gathering=gathering)
        .select_related("series")
        .first()
    )
    if occurrence is None:
        return None
    series = occurrence.series
    rows = (
        SeriesOccurrence.objects.filter(series=series)
        .order_by("index")
        .annotate(
            needs_link=ExpressionWrapper(
                Q(
                    gathering__format=GatheringFormat.ONLINE,
                    gathering__video_link="",
                    gathering__status__in=NOT_OVER,
                ),
                output_field=BooleanField(),
            )
        )
        .values_list(
            "index",
            "gathering_id",
            "gathering__title",
            "gathering__starts_at",
            "gathering__status",
            "gathering__published_at",
            "needs_link",
            named=True,
        )
    )
    labels = dict(Gathering._meta.get_field("status").choices)
    occurrences = [
        OccurrenceRow(
            index=row.index,
            gathering_id=row.gathering_id,
            title=row.gathering__title,
            starts_at=row.gathering__starts_at,
            status=row.gathering__status,
            status_label=PUBLISHED_DRAFT
            if row.gathering__status == GatheringStatus.DRAFT
            and row.gathering__published_at is not None
            else labels[row.gathering__status],
            published=row.gathering__published_at is not None,
            current=row.gathering_id == gathering.pk,
            needs_link=bool(row.needs_link),
        )
        for row in rows
        if drafts
        or row.gathering__published_at is not None
        or row.gathering_id == gathering.pk
    ]
    return SeriesView(
        series_id=series.pk,
        label=recurrence.rule_label(series.starts_at, series.rule),
        rule=series.rule,
        count=series.count,
        until=series.until,
        publish=series.publish,
        stopped=series.stopped_at is not None,
        next_due_at=series.next_due_at,
        occurrences=occurrences,
    )
