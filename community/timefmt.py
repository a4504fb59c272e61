"""Moments as a member reads them: on the active time zone's clock (Asia/Seoul
unless a member's own) and in the active language's conventions. Pages (the
``times`` template library), chat (static/js/live.js follows the same
rules), mail and notices all say a time this one way.

Korean puts 오전/오후 before the time and the weekday after the date:
``12월 12일 (토) 오후 7:00``; English ``Sat, Dec 12, 7:00 PM``, never
"p.m.". The year is written only when it is not the current one. A range
on one day names the day once (``12월 12일 (토) 오후 7:00–9:00``); a range
across days is written in full on both sides. Recent activity reads
relatively ("3시간 전", "3 hours ago", "어제"), then as a date."""

import functools
from datetime import date, datetime, timedelta

from django.utils import timezone, translation
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext, ngettext

# Django date-format patterns per language family: the day (with and
# without its year), the clock, the clock without its AM/PM, and how the
# day and the clock join.
_PATTERNS = {
    "ko": {
        "day": "n월 j일 (D)",
        "day_year": "Y년 n월 j일 (D)",
        "clock": "A g:i",
        "bare": "g:i",
        "join": " ",
    },
    "en": {
        "day": "D, M j",
        "day_year": "D, M j, Y",
        "clock": "g:i A",
        "bare": "g:i",
        "join": ", ",
    },
}


def _patterns() -> dict[str, str]:
    language = translation.get_language() or "ko"
    return _PATTERNS["ko" if language.startswith("ko") else "en"]


def _local(moment: datetime) -> datetime:
    return timezone.localtime(moment) if timezone.is_aware(moment) else moment


def _today(now: datetime | None):
    return _local(now or timezone.now()).date()


def day(moment: datetime, *, now: datetime | None = None) -> str:
    """The date with its weekday; the year only when not the current one."""
    local = _local(moment)
    p = _patterns()
    key = "day" if local.year == _today(now).year else "day_year"
    return _date_label(local.date(), p[key], translation.get_language())


@functools.lru_cache(maxsize=4096)
def _date_label(on: date, pattern: str, language: str | None) -> str:
    # A page lists many moments on few days: each day is written once per
    # process and language (the patterns hold nothing but the date).
    return date_format(on, pattern)


def clock(moment: datetime) -> str:
    """The time of day: ``오후 7:00``, ``7:00 PM``."""
    return date_format(_local(moment), _patterns()["clock"])


def moment(value: datetime, *, now: datetime | None = None) -> str:
    """Date, weekday and time: ``12월 12일 (토) 오후 7:00``."""
    return day(value, now=now) + _patterns()["join"] + clock(value)


def span(start: datetime, end: datetime, *, now: datetime | None = None) -> str:
    """A range of time. On one day the day is written once and a shared
    오전/오후 (AM/PM) once; across days both ends are written in full."""
    first, last = _local(start), _local(end)
    if first.date() != last.date():
        return f"{moment(start, now=now)} – {moment(end, now=now)}"
    p = _patterns()
    same_half = (first.hour < 12) == (last.hour < 12)
    korean = p is _PATTERNS["ko"]
    if same_half and korean:
        times = f"{clock(start)}–{date_format(last, p['bare'])}"
    elif same_half:
        times = f"{date_format(first, p['bare'])}–{clock(end)}"
    else:
        times = f"{clock(start)}–{clock(end)}"
    return day(start, now=now) + p["join"] + times


def ago(value: datetime, *, now: datetime | None = None) -> str:
    """How long ago, for recent activity: "방금", "3분 전", "3시간 전",
    "어제", then the date (``day``). A moment in the future (a clock a few
    seconds ahead) reads as just now."""
    now = now or timezone.now()
    seconds = (now - value).total_seconds()
    if seconds < 60:
        return gettext("just now")
    if seconds < 60 * 60:
        minutes = int(seconds // 60)
        return ngettext("%(count)d minute ago", "%(count)d minutes ago", minutes) % {
            "count": minutes
        }
    if seconds < 24 * 60 * 60:
        hours = int(seconds // 3600)
        return ngettext("%(count)d hour ago", "%(count)d hours ago", hours) % {
            "count": hours
        }
    # A page says many moments against one ``now``: its date is found once.
    local, today = (
        _local(value).date(),
        _local_date(now, timezone.get_current_timezone()),
    )
    if local == today - timedelta(days=1):
        return gettext("yesterday")
    key = "day" if local.year == today.year else "day_year"
    return _date_label(local, _patterns()[key], translation.get_language())


def ago_key(values, *, now: datetime) -> tuple:
    """What ``ago`` says of ``values`` (pairs of an id and a moment) as of
    ``now``, for a cache key, without writing each label: those under a day
    old are written ("3시간 전"), the others depend on nothing but their
    own local date (a key holds the moments already) and today's, with the
    language (a key holds it too)."""
    recent = now - timedelta(days=1)
    return (
        _local_date(now, timezone.get_current_timezone()),
        tuple((pk, ago(value, now=now)) for pk, value in values if value > recent),
    )


@functools.lru_cache(maxsize=64)
def _local_date(now: datetime, zone) -> date:
    return (
        timezone.localtime(now, zone).date() if timezone.is_aware(now) else now.date()
    )


def names() -> dict[str, object]:
    """The words a browser needs to say a moment as ``moment`` does, in the
    active language (static/js/live.js): AM/PM, weekdays from Monday, and
    months."""
    monday = datetime(2024, 1, 1)
    return {
        "am": date_format(monday.replace(hour=9), "A"),
        "pm": date_format(monday.replace(hour=21), "A"),
        "weekdays": [date_format(monday + timedelta(days=i), "D") for i in range(7)],
        "months": [date_format(monday.replace(month=m), "M") for m in range(1, 13)],
    }


def iso(value: datetime) -> str:
    """The machine-readable moment for ``<time datetime>``, to the second
    (what any reader of it needs; a comment list has one per comment)."""
    return _local(value).isoformat(timespec="seconds")


def local_format(value: datetime, kind: str = "DATETIME") -> str:
    """``value`` as a sentence says it: ``kind`` "DATETIME" (``moment``),
    "DATE" (``day``) or "TIME" (``clock``)."""
    if kind == "DATE":
        return day(value)
    if kind == "TIME":
        return clock(value)
    return moment(value)
