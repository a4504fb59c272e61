"""community/timefmt.py: how a moment reads, in Korean and English, on Seoul's
clock unless another zone is active."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from community import timefmt

SEOUL = ZoneInfo("Asia/Seoul")
NOW = datetime(2026, 12, 5, 18, 30, tzinfo=SEOUL)


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SEOUL)


@pytest.fixture
def ko():
    with translation.override("ko"), timezone.override(SEOUL):
        yield


@pytest.fixture
def en():
    with translation.override("en"), timezone.override(SEOUL):
        yield


def test_korean_says_the_half_of_the_day_before_the_time_and_the_weekday(ko):
    saturday_evening = at(2026, 12, 12, 19, 0)
    assert timefmt.moment(saturday_evening, now=NOW) == "12월 12일 (토) 오후 7:00"


def test_english_says_pm_after_the_time_never_p_m(en):
    assert timefmt.moment(at(2026, 12, 12, 19, 0), now=NOW) == "Sat, Dec 12, 7:00 PM"
    assert timefmt.moment(at(2026, 12, 12, 5, 27), now=NOW) == "Sat, Dec 12, 5:27 AM"


def test_midnight_and_noon(ko):
    assert timefmt.clock(at(2026, 12, 12, 0, 0)) == "오전 12:00"
    assert timefmt.clock(at(2026, 12, 12, 12, 0)) == "오후 12:00"
    with translation.override("en"):
        assert timefmt.clock(at(2026, 12, 12, 0, 0)) == "12:00 AM"
        assert timefmt.clock(at(2026, 12, 12, 12, 0)) == "12:00 PM"


def test_the_year_is_written_only_when_it_is_not_the_current_one(ko):
    assert timefmt.day(at(2027, 1, 2, 9, 0), now=NOW) == "2027년 1월 2일 (토)"
    assert timefmt.day(at(2026, 1, 2, 9, 0), now=NOW) == "1월 2일 (금)"
    with translation.override("en"):
        assert timefmt.day(at(2027, 1, 2, 9, 0), now=NOW) == "Sat, Jan 2, 2027"


def test_the_year_changes_at_seoul_midnight_not_utc(ko):
    # 2026-12-31 23:30 in Seoul is still "this year" on New Year's Eve.
    eve = at(2026, 12, 31, 23, 30)
    assert timefmt.day(eve, now=eve) == "12월 31일 (목)"
    new_year = at(2027, 1, 1, 0, 30)
    assert timefmt.day(eve, now=new_year) == "2026년 12월 31일 (목)"


def test_a_range_on_one_day_names_the_day_once(ko):
    start, end = at(2026, 12, 12, 19, 0), at(2026, 12, 12, 21, 0)
    assert timefmt.span(start, end, now=NOW) == "12월 12일 (토) 오후 7:00–9:00"
    with translation.override("en"):
        assert timefmt.span(start, end, now=NOW) == "Sat, Dec 12, 7:00–9:00 PM"


def test_a_range_across_noon_names_both_halves(ko):
    start, end = at(2026, 12, 12, 11, 0), at(2026, 12, 12, 13, 0)
    assert timefmt.span(start, end, now=NOW) == "12월 12일 (토) 오전 11:00–오후 1:00"
    with translation.override("en"):
        assert timefmt.span(start, end, now=NOW) == "Sat, Dec 12, 11:00 AM–1:00 PM"


def test_a_range_across_midnight_is_written_in_full(ko):
    start, end = at(2026, 12, 12, 23, 0), at(2026, 12, 13, 1, 0)
    assert (
        timefmt.span(start, end, now=NOW)
        == "12월 12일 (토) 오후 11:00 – 12월 13일 (일) 오전 1:00"
    )
    with translation.override("en"):
        assert (
            timefmt.span(start, end, now=NOW)
            == "Sat, Dec 12, 11:00 PM – Sun, Dec 13, 1:00 AM"
        )


def test_a_range_into_the_next_year_writes_the_year_where_it_differs(en):
    start, end = at(2026, 12, 31, 22, 0), at(2027, 1, 1, 2, 0)
    assert (
        timefmt.span(start, end, now=NOW)
        == "Thu, Dec 31, 10:00 PM – Fri, Jan 1, 2027, 2:00 AM"
    )


def test_one_day_is_the_seoul_day_even_when_utc_changes_date(ko):
    # 08:00–10:00 in Seoul is 23:00–01:00 UTC across two UTC dates.
    start = datetime(2026, 12, 11, 23, 0, tzinfo=ZoneInfo("UTC"))
    end = start + timedelta(hours=2)
    assert timefmt.span(start, end, now=NOW) == "12월 12일 (토) 오전 8:00–10:00"


def test_an_active_member_zone_moves_the_clock(ko):
    with timezone.override(ZoneInfo("Europe/Berlin")):
        shown = timefmt.moment(at(2026, 12, 12, 19, 0), now=NOW)
    assert shown == "12월 12일 (토) 오전 11:00"


@pytest.mark.parametrize(
    ("before", "korean", "english"),
    [
        (timedelta(seconds=20), "방금", "just now"),
        (timedelta(seconds=-5), "방금", "just now"),
        (timedelta(minutes=1), "1분 전", "1 minute ago"),
        (timedelta(minutes=3), "3분 전", "3 minutes ago"),
        (timedelta(minutes=59, seconds=59), "59분 전", "59 minutes ago"),
        (timedelta(hours=1), "1시간 전", "1 hour ago"),
        (timedelta(hours=3), "3시간 전", "3 hours ago"),
        (timedelta(hours=23, minutes=59), "23시간 전", "23 hours ago"),
        # Yesterday 18:00 is 24.5 hours before 18:30.
        (timedelta(hours=24, minutes=30), "어제", "yesterday"),
        (timedelta(days=2), "12월 3일 (목)", "Thu, Dec 3"),
        (timedelta(days=400), "2025년 10월 31일 (금)", "Fri, Oct 31, 2025"),
    ],
)
def test_recent_activity_reads_relatively(before, korean, english):
    with timezone.override(SEOUL):
        with translation.override("ko"):
            assert timefmt.ago(NOW - before, now=NOW) == korean
        with translation.override("en"):
            assert timefmt.ago(NOW - before, now=NOW) == english


def test_yesterday_is_the_calendar_day_after_midnight(ko):
    just_after_midnight = at(2026, 12, 6, 0, 10)
    # 20 minutes before midnight: minutes, not "yesterday".
    assert timefmt.ago(at(2026, 12, 5, 23, 50), now=just_after_midnight) == "20분 전"
    # More than a day before, on the previous calendar day.
    assert timefmt.ago(at(2026, 12, 4, 23, 50), now=at(2026, 12, 6, 0, 10)) == (
        "12월 4일 (금)"
    )
    assert timefmt.ago(at(2026, 12, 5, 0, 5), now=at(2026, 12, 6, 0, 10)) == "어제"


def test_the_date_filter_says_the_same_conventions(ko):
    # Templates not yet moved to the times library read the format modules.
    rendered = Template('{{ when|date:"DATETIME_FORMAT" }}').render(
        Context({"when": at(2026, 12, 12, 19, 0)})
    )
    assert rendered == "2026년 12월 12일 (토) 오후 7:00"
    with translation.override("en"):
        rendered = Template(
            '{{ when|date:"DATETIME_FORMAT" }} {{ when|date:"SHORT_DATETIME_FORMAT" }}'
        ).render(Context({"when": at(2026, 12, 3, 5, 27)}))
        assert rendered == "Thu, Dec 3, 2026, 5:27 AM Dec 3, 2026, 5:27 AM"


def test_ago_tag_gives_the_exact_time_on_hover(ko):
    rendered = Template("{% ago when %}").render(
        Context({"when": NOW - timedelta(hours=3), "now": NOW})
    )
    assert rendered == (
        '<time datetime="2026-12-05T15:30:00+09:00" title="12월 5일 (토) 오후 3:30">'
        "3시간 전</time>"
    )


def test_span_filter(en):
    rendered = Template("{{ start|span:end }}").render(
        Context({"start": at(2026, 12, 12, 19, 0), "end": at(2026, 12, 12, 21, 0)})
    )
    assert rendered.startswith("Sat, Dec 12")
    assert rendered.endswith("7:00–9:00 PM")


def test_the_key_of_relative_times_changes_whenever_one_of_them_does(ko):
    """A kept comment list is keyed by ago_key instead of each label: as
    ``now`` moves on (over midnight, New Year, a day's and an hour's
    boundaries), whenever a label changes the key does too."""
    start = at(2026, 12, 30, 21, 0)
    moments = [
        (pk, start - timedelta(minutes=minutes))
        for pk, minutes in enumerate(
            [
                0,
                1,
                59,
                61,
                60 * 23 + 50,
                60 * 24 + 5,
                60 * 30,
                60 * 24 * 3,
                60 * 24 * 400,
            ]
        )
    ]
    previous = None
    for step in range(0, 60 * 24 * 3, 7):
        now = start + timedelta(minutes=step)
        labels = tuple(timefmt.ago(value, now=now) for _pk, value in moments)
        key = timefmt.ago_key(moments, now=now)
        if previous is not None and labels != previous[0]:
            assert key != previous[1], now
        previous = (labels, key)
