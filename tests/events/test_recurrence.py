"""The dates of a series (events.recurrence): Seoul wall-clock time kept,
month ends handled, and for any start and rule the dates strictly increase,
never repeat and come in the number asked for."""

import itertools
from datetime import UTC, date, datetime, timedelta

from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from events import recurrence
from events.recurrence import SEOUL

RULES = [recurrence.WEEKLY, recurrence.BIWEEKLY, recurrence.MONTHLY]


def seoul(*args) -> datetime:
    return datetime(*args, tzinfo=SEOUL)


def test_weekly_keeps_the_seoul_wall_clock_time_across_the_utc_date_line():
    # 08:00 in Seoul is 23:00 UTC the day before: the date is Seoul's.
    first = seoul(2027, 1, 5, 8, 0)
    second = recurrence.occurrence_start(first, recurrence.WEEKLY, 1)
    assert second == seoul(2027, 1, 12, 8, 0)
    assert second.astimezone(UTC).hour == 23


def test_every_other_week_steps_fourteen_days_over_a_month_end():
    first = seoul(2027, 1, 26, 19, 30)
    assert recurrence.occurrence_start(first, recurrence.BIWEEKLY, 1) == seoul(
        2027, 2, 9, 19, 30
    )


def test_monthly_keeps_the_second_tuesday():
    first = seoul(2027, 1, 12, 19, 30)  # the 2nd Tuesday of January
    dates = [
        recurrence.occurrence_start(first, recurrence.MONTHLY, i).date()
        for i in range(4)
    ]
    assert dates == [
        date(2027, 1, 12),
        date(2027, 2, 9),
        date(2027, 3, 9),
        date(2027, 4, 13),
    ]


def test_monthly_fifth_weekday_is_read_as_the_last_in_months_without_one():
    first = seoul(2027, 3, 30, 20, 0)  # the 5th (and last) Tuesday of March
    dates = [
        recurrence.occurrence_start(first, recurrence.MONTHLY, i).date()
        for i in range(3)
    ]
    # April 2027 has four Tuesdays (the last on the 27th), June five.
    assert dates == [date(2027, 3, 30), date(2027, 4, 27), date(2027, 5, 25)]


def test_monthly_crosses_the_year_end():
    first = seoul(2027, 11, 30, 9, 0)  # the 5th Tuesday: the last
    assert recurrence.occurrence_start(first, recurrence.MONTHLY, 2).date() == date(
        2028, 1, 25
    )


def test_monthly_in_february_of_a_leap_year():
    first = seoul(2028, 1, 31, 9, 0)  # Monday the 31st: the last Monday
    assert recurrence.occurrence_start(first, recurrence.MONTHLY, 1).date() == date(
        2028, 2, 28
    )


def test_until_keeps_the_dates_on_or_before_it():
    first = seoul(2027, 1, 5, 19, 0)
    starts = recurrence.occurrence_starts(
        first, recurrence.WEEKLY, until=date(2027, 1, 19), limit=26
    )
    assert [s.date() for s in starts] == [
        date(2027, 1, 5),
        date(2027, 1, 12),
        date(2027, 1, 19),
    ]


def test_labels_name_the_weekday_and_its_week():
    first = seoul(2027, 1, 12, 19, 30)
    with translation.override("ko"):
        assert recurrence.rule_label(first, recurrence.WEEKLY) == "매주 화요일"
        assert recurrence.rule_label(first, recurrence.MONTHLY) == "매월 둘째 화요일"
    translation.activate("en")
    assert recurrence.rule_label(first, recurrence.WEEKLY) == "Every Tuesday"
    assert recurrence.rule_label(first, recurrence.BIWEEKLY) == "Every other Tuesday"
    assert (
        recurrence.rule_label(first, recurrence.MONTHLY)
        == "The second Tuesday of every month"
    )


@given(
    first=st.datetimes(
        min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31)
    ).map(lambda d: d.replace(second=0, microsecond=0, tzinfo=SEOUL)),
    rule=st.sampled_from(RULES),
    count=st.integers(min_value=2, max_value=26),
)
def test_dates_strictly_increase_never_repeat_and_respect_the_count(first, rule, count):
    starts = recurrence.occurrence_starts(first, rule, count=count, limit=26)
    assert len(starts) == count
    assert starts[0] == first
    assert all(a < b for a, b in itertools.pairwise(starts))
    assert len({s.date() for s in starts}) == count
    for start in starts:
        local = start.astimezone(SEOUL)
        assert local.time() == first.time()
        assert local.weekday() == first.weekday()
    if rule == recurrence.MONTHLY:
        months = [(s.year, s.month) for s in starts]
        assert len(set(months)) == count  # one a month, no month skipped
        assert all(
            (b[0] * 12 + b[1]) - (a[0] * 12 + a[1]) == 1
            for a, b in itertools.pairwise(months)
        )
    else:
        step = timedelta(weeks=1 if rule == recurrence.WEEKLY else 2)
        assert all(b - a == step for a, b in itertools.pairwise(starts))


@given(
    first=st.datetimes(
        min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31)
    ).map(lambda d: d.replace(tzinfo=SEOUL)),
    rule=st.sampled_from(RULES),
    days=st.integers(min_value=0, max_value=400),
)
def test_until_and_the_limit_bound_the_dates(first, rule, days):
    until = first.date() + timedelta(days=days)
    starts = recurrence.occurrence_starts(first, rule, until=until, limit=26)
    assert 1 <= len(starts) <= 26
    assert all(s.date() <= until for s in starts)
