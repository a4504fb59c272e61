"""Dates and times in templates, the one way community/timefmt.py says them;
a builtin library (config/settings.py), so every template has it.

``{{ when|moment }}``, ``{{ when|day }}``, ``{{ when|clock }}``,
``{{ start|span:end }}`` give the text; ``{% ago when %}`` and
``{% at when %}`` a ``<time>`` element with the machine-readable moment and,
for the relative one, the exact time on hover. ``ago`` reads ``now`` from
the context when a cached fragment has fixed it (community/fragments.py)."""

import json
from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.html import format_html

from community import timefmt

register = template.Library()


def _datetime(value) -> bool:
    return isinstance(value, datetime)


@register.filter
def moment(value):
    return timefmt.moment(value) if _datetime(value) else ""


@register.filter
def day(value):
    return timefmt.day(value) if _datetime(value) else ""


@register.filter
def clock(value):
    return timefmt.clock(value) if _datetime(value) else ""


@register.filter
def span(start, end):
    if not (_datetime(start) and _datetime(end)):
        return moment(start)
    return timefmt.span(start, end)


@register.simple_tag(takes_context=True)
def ago(context, value, css=""):
    """Recent activity: "3시간 전" inside ``<time>``, the exact moment as its
    title."""
    if not _datetime(value):
        return ""
    now = context.get("now")
    now = now if _datetime(now) else timezone.now()
    return format_html(
        '<time{} datetime="{}" title="{}">{}</time>',
        format_html(' class="{}"', css) if css else "",
        timefmt.iso(value),
        timefmt.moment(value, now=now),
        timefmt.ago(value, now=now),
    )


@register.simple_tag
def at(value, css=""):
    """A moment (``moment``) inside ``<time>``."""
    if not _datetime(value):
        return ""
    return format_html(
        '<time{} datetime="{}">{}</time>',
        format_html(' class="{}"', css) if css else "",
        timefmt.iso(value),
        timefmt.moment(value),
    )


@register.simple_tag
def time_names() -> str:
    """The words static/js/live.js needs to say a time as the pages do, in
    the active language, as JSON (autoescaped into an attribute)."""
    return json.dumps(timefmt.names(), ensure_ascii=False)
