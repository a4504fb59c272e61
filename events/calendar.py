"""iCalendar (RFC 5545) files for gatherings, built with ``icalendar``.

Three calendars share one event shape, so that a client holding the same
gathering from two of them updates one event:

- a gathering's own file and a community's feed carry public facts only;
- a member's personal feed adds their application's status and, for a
  confirmed seat once the link is released, their personal join URL.

The UID is ``<gathering.uid>@moim`` everywhere. SEQUENCE is the gathering's
(raised by every edit and by cancelling) plus, in the personal feed, the
application's (raised by every status change): both only rise, so their sum
rises on every change a calendar has to notice.

The video link itself never appears in any of them: attendees reach it only
through their join URL, which checks the seat again on every use.

Every text in them goes through ``_one_line`` or ``_paragraphs``: stored data
never makes a calendar fail, whatever the forms of its time let through (a
title saved with CR/LF made icalendar refuse the whole file).
"""

import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vDuration, vText

from community.fields import NOT_ON_ONE_LINE
from community.models import Community, Member
from community.timefmt import local_format
from events.access import hosting, join_refusal
from events.join_tokens import join_path
from events.models import (
    Application,
    ApplicationStatus,
    Gathering,
    GatheringFormat,
)
from events.services.notices import gathering_url

PRODID = "-//Moim//Moim Gatherings//EN"
# How often subscribing clients are asked to look again (REFRESH-INTERVAL
# and its older, widely read X-PUBLISHED-TTL).
FEED_REFRESH = timedelta(hours=1)

TENTATIVE = "TENTATIVE"
CONFIRMED = "CONFIRMED"
CANCELLED = "CANCELLED"

# An application's status as a calendar event's STATUS. A seat that is still
# possible is tentative; one that is lost or given back is cancelled, so that
# subscribed calendars drop it rather than keep a stale entry.
APPLICATION_EVENT_STATUS = {
    ApplicationStatus.APPLIED: TENTATIVE,
    ApplicationStatus.WAITLISTED: TENTATIVE,
    ApplicationStatus.OFFERED: TENTATIVE,
    ApplicationStatus.CONFIRMED: CONFIRMED,
    ApplicationStatus.NOT_SELECTED: CANCELLED,
    ApplicationStatus.DECLINED: CANCELLED,
    ApplicationStatus.EXPIRED: CANCELLED,
    ApplicationStatus.WITHDRAWN: CANCELLED,
    ApplicationStatus.CANCELLED: CANCELLED,
}


def _one_line(text: str) -> str:
    """``text`` for a one-line field (a name, a summary, a place): line
    breaks and other control characters become spaces."""
    return " ".join(
        "".join(
            " " if unicodedata.category(ch) in NOT_ON_ONE_LINE else ch for ch in text
        ).split()
    )


def _paragraphs(text: str) -> str:
    """``text`` for a description: its lines kept (CR and CR LF read as line
    breaks), every other control character but the tab dropped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(
        ch
        for ch in text
        if ch in "\n\t" or unicodedata.category(ch) not in NOT_ON_ONE_LINE
    )


def event_uid(gathering: Gathering) -> str:
    return f"{gathering.uid}@moim"


def _absolute(path: str) -> str:
    return settings.SITE_URL + path


def _local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _calendar(name: str, *, feed: bool) -> Calendar:
    calendar = Calendar.new(
        prodid=PRODID,
        method="PUBLISH",
        refresh_interval=FEED_REFRESH if feed else None,
    )
    # Calendar.new gives the calendar a random UID; one that changed on every
    # download would tell clients it is a different calendar each time.
    calendar.pop("UID")
    # Calendar.new writes a name as it is, unescaped: added as text instead.
    name = vText(_one_line(name))
    calendar.add("NAME", name)
    calendar.add("X-WR-CALNAME", name)
    # Clients that ignore VTIMEZONE (and Google's importer) read these.
    calendar.add("X-WR-TIMEZONE", settings.TIME_ZONE)
    if feed:
        calendar.add("X-PUBLISHED-TTL", vDuration(FEED_REFRESH).to_ical().decode())
    return calendar


def _finish(calendar: Calendar, gatherings: list[Gathering]) -> bytes:
    """The calendar as bytes, with a VTIMEZONE covering just the span of its
    events (the full 1970–2038 history is needless weight in every file)."""
    if gatherings:
        zone = _local_zone()
        first = min(g.starts_at for g in gatherings).astimezone(zone).date()
        last = max(g.ends_at for g in gatherings).astimezone(zone).date()
        calendar.add_missing_timezones(
            first_date=first - timedelta(days=1), last_date=last + timedelta(days=1)
        )
    return calendar.to_ical()


def _location(gathering: Gathering) -> str:
    if gathering.format == GatheringFormat.OFFLINE and _one_line(gathering.venue):
        return _one_line(gathering.venue)
    return str(GatheringFormat.ONLINE.label)


@dataclass(frozen=True)
class EventFacts:
    """What one event says beyond the gathering's public facts."""

    status: str
    sequence: int
    lines: tuple[str, ...] = ()
    url: str | None = None
    private: bool = False


def _event(gathering: Gathering, facts: EventFacts, stamp: datetime) -> Event:
    zone = _local_zone()
    page = _absolute(gathering_url(gathering))
    paragraphs = [line for line in facts.lines if line]
    if gathering.is_cancelled:
        reason = _paragraphs(gathering.cancel_reason).strip()
        paragraphs.insert(
            0,
            _("Cancelled: %(reason)s") % {"reason": reason}
            if reason
            else _("This gathering was cancelled."),
        )
    description = _paragraphs(gathering.description).strip()
    if description:
        paragraphs.append(description)
    paragraphs.append(page)
    event = Event.new(
        uid=event_uid(gathering),
        summary=_one_line(gathering.title),
        start=gathering.starts_at.astimezone(zone),
        end=gathering.ends_at.astimezone(zone),
        stamp=stamp,
        last_modified=gathering.updated_at,
        sequence=facts.sequence,
        status=facts.status,
        location=_location(gathering),
        description="\n\n".join(paragraphs),
        url=facts.url or page,
        categories=[_one_line(gathering.community.name)],
        classification="PRIVATE" if facts.private else "PUBLIC",
        # Only a confirmed seat makes the member busy.
        transparency="OPAQUE" if facts.status == CONFIRMED else "TRANSPARENT",
    )
    return event


def _public_facts(gathering: Gathering) -> EventFacts:
    return EventFacts(
        status=CANCELLED if gathering.is_cancelled else CONFIRMED,
        sequence=gathering.sequence,
    )


# Public calendars: a gathering and a community.


def gathering_calendar(gathering: Gathering, *, now: datetime | None = None) -> bytes:
    """One published gathering's public facts, as a file to download."""
    now = now or timezone.now()
    calendar = _calendar(gathering.title, feed=False)
    calendar.add_component(_event(gathering, _public_facts(gathering), now))
    return _finish(calendar, [gathering])


def community_gatherings(community: Community) -> list[Gathering]:
    """Every published gathering of ``community``, in one query."""
    return list(
        Gathering.objects.filter(community=community, published_at__isnull=False)
        .select_related("community")
        .order_by("starts_at", "pk")
    )


def community_calendar(community: Community, *, now: datetime | None = None) -> bytes:
    """A community's published gatherings (cancelled ones as cancelled), as a
    feed to subscribe to."""
    now = now or timezone.now()
    gatherings = community_gatherings(community)
    calendar = _calendar(community.name, feed=True)
    for gathering in gatherings:
        calendar.add_component(_event(gathering, _public_facts(gathering), now))
    return _finish(calendar, gatherings)


# The personal feed.


def personal_entries(member: Member) -> tuple[list[Application], list[Gathering]]:
    """The member's applications (with gathering, community and join pass)
    and the published gatherings they host: two queries, however many there
    are."""
    applications = list(
        Application.objects.filter(member=member, gathering__published_at__isnull=False)
        .select_related("gathering__community", "join_pass")
        .order_by("gathering__starts_at", "pk")
    )
    hosted = list(
        Gathering.objects.filter(hosting(member), published_at__isnull=False)
        .select_related("community")
        .order_by("starts_at", "pk")
    )
    return applications, hosted


def application_event_status(application: Application) -> str:
    if application.gathering.is_cancelled:
        return CANCELLED
    return APPLICATION_EVENT_STATUS[application.status]


def _application_facts(application: Application, now: datetime) -> EventFacts:
    gathering = application.gathering
    lines = [_("Your application: %(status)s") % {"status": _status(application)}]
    refusal = join_refusal(application, now)
    url = None if refusal else _absolute(join_path(application.join_pass))
    if url:
        lines.append(_("Join with your personal link: %(url)s") % {"url": url})
    elif refusal.code == "join_not_released" and not gathering.is_cancelled:
        lines.append(
            _("Your personal join link appears here from %(time)s.")
            % {"time": local_format(gathering.link_release_at)}
        )
    return EventFacts(
        status=application_event_status(application),
        sequence=gathering.sequence + application.sequence,
        lines=tuple(lines),
        url=url,
        private=True,
    )


def _status(application: Application) -> str:
    label = str(application.get_status_display())
    if (
        application.status == ApplicationStatus.WAITLISTED
        and application.waitlist_position
    ):
        return _("%(status)s (number %(position)s)") % {
            "status": label,
            "position": application.waitlist_position,
        }
    if application.status == ApplicationStatus.OFFERED and application.offer_expires_at:
        return _("%(status)s, confirm by %(time)s") % {
            "status": label,
            "time": local_format(application.offer_expires_at),
        }
    return label


def _hosted_facts(gathering: Gathering, application: Application | None) -> EventFacts:
    """A host's own event: confirmed whatever became of an application they
    may also have sent; its SEQUENCE still counts that application, so the
    number never falls back."""
    return EventFacts(
        status=CANCELLED if gathering.is_cancelled else CONFIRMED,
        sequence=gathering.sequence + (application.sequence if application else 0),
        lines=(_("You host this gathering."),),
        private=True,
    )


def personal_calendar(member: Member, *, now: datetime | None = None) -> bytes:
    """A member's feed, in their own language: every application (withdrawn
    and lost ones as cancelled, so that calendars drop them) and every
    gathering they host."""
    now = now or timezone.now()
    applications, hosted = personal_entries(member)
    hosted_ids = {gathering.pk for gathering in hosted}
    with translation.override(member.language):
        calendar = _calendar(_("My Moim gatherings"), feed=True)
        entries: list[tuple[Gathering, EventFacts]] = [
            (
                application.gathering,
                _hosted_facts(application.gathering, application)
                if application.gathering_id in hosted_ids
                else _application_facts(application, now),
            )
            for application in applications
        ]
        applied = {application.gathering_id for application in applications}
        entries += [
            (gathering, _hosted_facts(gathering, None))
            for gathering in hosted
            if gathering.pk not in applied
        ]
        for gathering, facts in entries:
            calendar.add_component(_event(gathering, facts, now))
    return _finish(calendar, [gathering for gathering, _facts in entries])


# The path's export.


def path_calendar(
    member: Member, gatherings: list[Gathering], *, now: datetime | None = None
) -> bytes:
    """The past gatherings on a member's path (attended or hosted), public
    facts only, as a file to download: a record, not a feed."""
    now = now or timezone.now()
    calendar = _calendar(_("My path on Moim"), feed=False)
    for gathering in gatherings:
        calendar.add_component(_event(gathering, _public_facts(gathering), now))
    return _finish(calendar, gatherings)
