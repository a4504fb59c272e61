"""The dates of a series (docs/series.md): pure arithmetic on Asia/Seoul
wall-clock time, so that a gathering at 19:30 on a Tuesday repeats at 19:30
on Tuesdays whatever the offset to UTC.

Occurrence 0 is the gathering the series was set on. ``weekly`` adds seven
days per occurrence, ``biweekly`` fourteen; ``monthly`` keeps the weekday of
the month ("the 2nd Tuesday"), and reads a 5th weekday, which most months
lack, as "the last" (which every month has), so no month is skipped and no
date slides into the next month."""

import calendar
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy as _

SEOUL = ZoneInfo("Asia/Seoul")
WEEKLY = "weekly"
BIWEEKLY = "biweekly"
MONTHLY = "monthly"
LAST = 5  # the "week of the month" read as "the last"

WEEKDAYS = [
    _("Monday"),
    _("Tuesday"),
    _("Wednesday"),
    _("Thursday"),
    _("Friday"),
    _("Saturday"),
    _("Sunday"),
]
LABELS = {
    WEEKLY: _("Every %(weekday)s"),
    BIWEEKLY: _("Every other %(weekday)s"),
}
MONTHLY_LABELS = {
    1: _("The first %(weekday)s of every month"),
    2: _("The second %(weekday)s of every month"),
    3: _("The third %(weekday)s of every month"),
    4: _("The fourth %(weekday)s of every month"),
    LAST: _("The last %(weekday)s of every month"),
}


def week_of_month(day: date) -> int:
    """1 to 4 for the first to fourth such weekday of its month, LAST for
    a fifth."""
    return min((day.day - 1) // 7 + 1, LAST)


def nth_weekday(year: int, month: int, weekday: int, nth: int) -> date:
    """The ``nth`` (1-4, or LAST) ``weekday`` (0 Monday) of a month."""
    if nth == LAST:
        last = calendar.monthrange(year, month)[1]
        end = date(year, month, last)
        return end - timedelta(days=(end.weekday() - weekday) % 7)
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))


def occurrence_date(first: date, rule: str, index: int) -> date:
    if rule == WEEKLY:
        return first + timedelta(weeks=index)
    if rule == BIWEEKLY:
        return first + timedelta(weeks=2 * index)
    if rule == MONTHLY:
        months = first.month - 1 + index
        year, month = first.year + months // 12, months % 12 + 1
        return nth_weekday(year, month, first.weekday(), week_of_month(first))
    raise ValueError(f"unknown rule {rule!r}")


def occurrence_start(first: datetime, rule: str, index: int) -> datetime:
    """The start of occurrence ``index`` of a series whose occurrence 0
    starts at ``first``: the same Seoul wall-clock time on its date."""
    local = first.astimezone(SEOUL)
    day = occurrence_date(local.date(), rule, index)
    return datetime.combine(day, local.time(), tzinfo=SEOUL)


def occurrence_starts(
    first: datetime,
    rule: str,
    *,
    count: int | None = None,
    until: date | None = None,
    limit: int,
) -> list[datetime]:
    """Every start of the series, occurrence 0 included: ``count`` of them,
    or those on or before the Seoul date ``until``; never more than
    ``limit``."""
    total = min(count if count is not None else limit, limit)
    starts = [occurrence_start(first, rule, index) for index in range(total)]
    if until is not None:
        starts = [start for start in starts if start.date() <= until]
    return starts


def rule_label(first: datetime, rule: str) -> str:
    """ "Every Tuesday", "The second Tuesday of every month"."""
    day = first.astimezone(SEOUL).date()
    weekday = WEEKDAYS[day.weekday()]
    if rule == MONTHLY:
        return MONTHLY_LABELS[week_of_month(day)] % {"weekday": weekday}
    return LABELS[rule] % {"weekday": weekday}
