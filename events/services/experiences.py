"""Experiences a member adds to their path (a job, a project, a programme
or a talk): adding, changing and deleting their own. Each refusal is an
EventsError; a member reaches only their own experiences, another's is
"not on your path" (404), as if it did not exist."""

import re
import unicodedata
from datetime import date, datetime

from django.utils import timezone

from community.models import Member
from events.errors import EventsError
from events.models import Experience, ExperienceKind, PathVisibility
from events.skills import BY_SLUG

TITLE_LIMIT = 120
ORGANISATION_LIMIT = 120
LEARNED_LIMIT = 2000
SKILLS_LIMIT = 10
TAGS_LIMIT = 10
TAG_LIMIT = 30
MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def month_parse(raw: str) -> date | None:
    """``"2024-03"`` (what ``<input type="month">`` sends) as the first day
    of that month; None for an empty value. EventsError
    ("experience_month_invalid") for anything else."""
    raw = (raw or "").strip()
    if not raw:
        return None
    match = MONTH.match(raw)
    if match is None or not 1 <= int(match[2]) <= 12 or int(match[1]) < 1900:
        raise EventsError("experience_month_invalid")
    return date(int(match[1]), int(match[2]), 1)


def tags_normalise(raw: str | list[str]) -> list[str]:
    """Free tags, from a comma-separated text or a list: each NFKC-normalised,
    case-folded, without a leading "#", its inner white space made one
    space; empty ones dropped, repeats kept once (in their first place).
    EventsError when a tag is too long or there are too many."""
    parts = raw.split(",") if isinstance(raw, str) else list(raw)
    tags: list[str] = []
    for part in parts:
        tag = unicodedata.normalize("NFKC", str(part)).casefold()
        tag = re.sub(r"\s+", " ", tag).strip().lstrip("#").strip()
        if not tag:
            continue
        if len(tag) > TAG_LIMIT or not tag.isprintable():
            raise EventsError("experience_tag_too_long", limit=TAG_LIMIT)
        if tag not in tags:
            tags.append(tag)
    if len(tags) > TAGS_LIMIT:
        raise EventsError("experience_too_many_tags", limit=TAGS_LIMIT)
    return tags


def _values(
    *,
    kind: str,
    title: str,
    organisation: str,
    started_on: date | None,
    ended_on: date | None,
    learned: str,
    skills: list[str],
    tags: str | list[str],
    visibility: str,
    now: datetime,
) -> dict:
    """The columns of an experience from what the member sent, checked."""
    title, organisation, learned = title.strip(), organisation.strip(), learned.strip()
    if kind not in ExperienceKind.values:
        raise EventsError("experience_kind_unknown")
    if not title:
        raise EventsError("experience_title_empty")
    if (
        len(title) > TITLE_LIMIT
        or len(organisation) > ORGANISATION_LIMIT
        or len(learned) > LEARNED_LIMIT
    ):
        limit = LEARNED_LIMIT if len(learned) > LEARNED_LIMIT else TITLE_LIMIT
        raise EventsError("too_long", limit=limit)
    if started_on is None:
        raise EventsError("experience_month_invalid")
    this_month = timezone.localdate(now).replace(day=1)
    started_on = started_on.replace(day=1)
    if started_on > this_month:
        raise EventsError("experience_starts_later")
    if ended_on is not None:
        ended_on = ended_on.replace(day=1)
        if ended_on < started_on:
            raise EventsError("experience_dates")
    chosen: list[str] = []
    for slug in skills:
        if slug not in BY_SLUG:
            raise EventsError("experience_skill_unknown")
        if slug not in chosen:
            chosen.append(slug)
    if len(chosen) > SKILLS_LIMIT:
        raise EventsError("experience_too_many_skills", limit=SKILLS_LIMIT)
    if visibility not in PathVisibility.values:
        visibility = PathVisibility.PRIVATE
    return {
        "kind": kind,
        "title": title,
        "organisation": organisation,
        "started_on": started_on,
        "ended_on": ended_on,
        "learned": learned,
        "skills": chosen,
        "tags": tags_normalise(tags),
        "visibility": visibility,
        "updated_at": now,
    }


def experience_create(
    *,
    member: Member,
    kind: str,
    title: str,
    started_on: date | None,
    ended_on: date | None = None,
    organisation: str = "",
    learned: str = "",
    skills: list[str] | None = None,
    tags: str | list[str] = "",
    visibility: str = PathVisibility.PRIVATE,
    now: datetime | None = None,
) -> Experience:
    """Add an experience to ``member``'s path (private unless chosen
    otherwise). Nothing is stored when a value is refused."""
    now = now or timezone.now()
    values = _values(
        kind=kind,
        title=title,
        organisation=organisation,
        started_on=started_on,
        ended_on=ended_on,
        learned=learned,
        skills=skills or [],
        tags=tags,
        visibility=visibility,
        now=now,
    )
    return Experience.objects.create(member=member, created_at=now, **values)


def experience_update(
    *,
    member: Member,
    experience_id: int,
    kind: str,
    title: str,
    started_on: date | None,
    ended_on: date | None = None,
    organisation: str = "",
    learned: str = "",
    skills: list[str] | None = None,
    tags: str | list[str] = "",
    visibility: str = PathVisibility.PRIVATE,
    now: datetime | None = None,
) -> Experience:
    """Rewrite one of ``member``'s own experiences, whole. Another member's
    (or none) is EventsError("experience_unknown")."""
    now = now or timezone.now()
    experience = Experience.objects.filter(pk=experience_id, member=member).first()
    if experience is None:
        raise EventsError("experience_unknown")
    values = _values(
        kind=kind,
        title=title,
        organisation=organisation,
        started_on=started_on,
        ended_on=ended_on,
        learned=learned,
        skills=skills or [],
        tags=tags,
        visibility=visibility,
        now=now,
    )
    Experience.objects.filter(pk=experience.pk, member=member).update(**values)
    experience.refresh_from_db()
    return experience


def experience_delete(*, member: Member, experience_id: int) -> None:
    """Delete one of ``member``'s own experiences; another member's (or
    none) is EventsError("experience_unknown")."""
    deleted, _rows = Experience.objects.filter(pk=experience_id, member=member).delete()
    if not deleted:
        raise EventsError("experience_unknown")
