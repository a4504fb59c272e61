"""Notifications written before facts (0012) stored their sentence rendered
in the recipient's language of the day. Read each one back against the
sentences that could have made it, in Korean and English, and store the
sentence's source text and parameters, so that it is said in the reader's
language from now on. Times in those texts were written in Django's default
formats ("2026년 12월 12일 7:00 오후", "Dec. 12, 2026, 7 p.m."); they are
read back as moments in Seoul time. A text that matches no sentence keeps
its stored text (``detail``), shown as before.

The sentences are copied here as they were when this migration was
written, as a migration must not follow later code."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import migrations
from django.utils import translation

SEOUL = ZoneInfo("Asia/Seoul")

# Gathering notices (events/services/*.py).
GATHERING = [
    "You won a seat at ‘%(title)s’ in the draw! Confirm it by %(deadline)s.",
    "The draw for ‘%(title)s’ is done: you are number %(position)s on "
    "the waitlist. If a seat comes free, it is offered to you.",
    "‘%(title)s’ was cancelled: %(reason)s",
    "Reminder: ‘%(title)s’ starts tomorrow at %(start)s.",
    "Reminder: ‘%(title)s’ starts tomorrow at %(start)s. Your personal "
    "join link: %(join)s",
    "Reminder: ‘%(title)s’ starts in an hour, at %(start)s.",
    "Reminder: ‘%(title)s’ starts in an hour, at %(start)s. Your personal "
    "join link: %(join)s",
    "%(name)s was banned from %(community)s and no longer hosts ‘%(title)s’.",
    "A seat at ‘%(title)s’ is yours if you confirm by %(deadline)s.",
    "Your seat offer for ‘%(title)s’ expired and passed to the next member.",
    "No seat at ‘%(title)s’ came free in time. Thank you for applying.",
    "‘%(title)s’ is over. Please tell the organisers how it went in its "
    "anonymous survey, open until %(close)s. You can also keep what you took "
    "from it on your path.",
]

# Moderator actions (community/services/moderation.py), each possibly
# followed by the reason.
MODERATION = [
    "A moderator of %(community)s hid your thread.",
    "A moderator of %(community)s hid your comment.",
    "A moderator of %(community)s restored your thread.",
    "A moderator of %(community)s restored your comment.",
    "You are banned from %(community)s until %(until)s.",
    "You are muted in %(community)s until %(until)s.",
    "You are banned from %(community)s.",
    "You are muted in %(community)s.",
    "Your ban from %(community)s was lifted.",
    "Your mute in %(community)s was lifted.",
    "You are now a moderator of %(community)s.",
    "You are no longer a moderator of %(community)s.",
]
WITH_REASON = "%(sentence)s Reason: %(reason)s"

MOMENTS = {"deadline", "start", "close", "until"}
LANGUAGES = ("ko", "en")
PLACEHOLDER = re.compile(r"%\\\((\w+)\\\)s")

KOREAN_TIME = re.compile(
    r"(\d{4})년 (\d{1,2})월 (\d{1,2})일 (\d{1,2}):(\d{2}) (오전|오후)"
)
ENGLISH_MONTHS = {
    "Jan.": 1, "Feb.": 2, "March": 3, "April": 4, "May": 5, "June": 6,
    "July": 7, "Aug.": 8, "Sept.": 9, "Oct.": 10, "Nov.": 11, "Dec.": 12,
}  # fmt: skip
ENGLISH_TIME = re.compile(
    r"(\w+\.?) (\d{1,2}), (\d{4}), (?:(noon)|(midnight)|(\d{1,2})(?::(\d{2}))? ([ap])\.m\.)"
)


def pattern(text: str) -> str:
    """``text`` as a regular expression, each %(name)s a named group."""
    seen = set()

    def group(match):
        name = match.group(1)
        if name in seen:
            return f"(?P={name})"
        seen.add(name)
        return f"(?P<{name}>.+?)"

    return PLACEHOLDER.sub(group, re.escape(text))


def moment(text: str):
    """A time as Django's default Korean or English format wrote it, as
    the tagged moment community.facts stores; None when it is not one."""
    found = KOREAN_TIME.fullmatch(text)
    if found:
        year, month, day, hour, minute, half = found.groups()
        hour = int(hour) % 12 + (12 if half == "오후" else 0)
        return _tagged(int(year), int(month), int(day), hour, int(minute))
    found = ENGLISH_TIME.fullmatch(text)
    if found and found.group(1) in ENGLISH_MONTHS:
        name, day, year, noon, midnight, hour, minute, half = found.groups()
        if noon or midnight:
            hour, minute = (12 if noon else 0), 0
        else:
            hour = int(hour) % 12 + (12 if half == "p" else 0)
            minute = int(minute or 0)
        return _tagged(int(year), ENGLISH_MONTHS[name], int(day), hour, minute)
    return None


def _tagged(*parts) -> dict:
    return {"moment": datetime(*parts, tzinfo=SEOUL).isoformat()}


def _params(found: re.Match) -> dict:
    params = {}
    for name, value in found.groupdict().items():
        if name in MOMENTS:
            value = moment(value) or value
        params[name] = value
    return params


def readers():
    """(regular expression, source text, is_composite) for every sentence
    in every language, the composite "… Reason: …" ones included."""
    found = []
    for language in LANGUAGES:
        with translation.override(language):
            said = translation.gettext
            for text in GATHERING + MODERATION:
                found.append((re.compile(pattern(said(text)), re.S), text, None))
            reason = said(WITH_REASON)
            for text in MODERATION:
                inner = pattern(said(text))
                outer = pattern(reason).replace("(?P<sentence>.+?)", inner)
                found.append((re.compile(outer, re.S), text, WITH_REASON))
    return found


def facts_from_text(detail: str, readers) -> tuple[str, dict] | None:
    """(message, params) of the first sentence ``detail`` is, or None."""
    for regex, text, composite in readers:
        found = regex.fullmatch(detail)
        if not found:
            continue
        params = _params(found)
        if composite is None:
            return text, params
        reason = params.pop("reason")
        return composite, {
            "sentence": {"message": text, "params": params},
            "reason": reason,
        }
    return None


def forwards(apps, schema_editor):
    Notification = apps.get_model("community", "Notification")
    known = readers()
    rows = Notification.objects.filter(message="").exclude(detail="")
    changed = []
    for row in rows.iterator(chunk_size=1000):
        facts = facts_from_text(row.detail, known)
        if facts is not None:
            row.message, row.params = facts
            changed.append(row)
        if len(changed) >= 1000:
            Notification.objects.bulk_update(changed, ["message", "params"])
            changed = []
    Notification.objects.bulk_update(changed, ["message", "params"])


def backwards(apps, schema_editor):
    # ``detail`` was kept; the facts are simply forgotten.
    Notification = apps.get_model("community", "Notification")
    Notification.objects.update(message="", params={})


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0014_notification_message_params"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
