"""Repeating a gathering (docs/series.md): "the next one from this" copies a
gathering into a new draft with new dates, and a series makes its
occurrences ahead of time, each a gathering of its own with its own
applications, commitment and draw.

A copy takes everything an organiser wrote (title, description, format,
seats, questions, eligibility, the hour settings, the hosts still in the
community, the cover and the survey's settings) and nothing members did
(applications, draws, seeds, join passes, survey responses, log entries):
``gathering_create`` gives it a fresh seed and commitment. It takes no
video link: a link goes only to the confirmed attendees of its own
gathering, and one copied from an earlier occurrence would let anyone who
once held a seat join every later one without a seat. The organisers set
each online copy's link themselves (the series page and the dashboard say
so); until then its join URL gives out nothing."""

import logging
from datetime import date, datetime, timedelta

from django.db import IntegrityError, OperationalError, transaction
from django.tasks import task
from django.utils import timezone

from community.access import Access, access_for
from community.images import COVER, image_copy, image_delete
from community.models import Member
from events import recurrence
from events.access import (
    host_candidates,
    is_organiser,
    organiser_write_refusal,
    repeat_refusal,
)
from events.errors import EventsError
from events.models import (
    SERIES_HORIZON,
    SERIES_MAX_OCCURRENCES,
    SERIES_MAX_SPAN,
    Gathering,
    Series,
    SeriesOccurrence,
    Survey,
)
from events.scheduling import schedule
from events.services.gatherings import EDITABLE, gathering_create, gathering_publish

logger = logging.getLogger(__name__)

SCHEDULE_FIELDS = (
    "starts_at",
    "ends_at",
    "applications_open_at",
    "applications_close_at",
)
# What a copy takes from its source besides the schedule (and the hosts, the
# cover and the survey's settings, copied apart). Never the video link (see
# above): each gathering's link reaches only its own confirmed attendees.
NOT_COPIED = (*SCHEDULE_FIELDS, "video_link")
COPIED = [name for name in EDITABLE if name not in NOT_COPIED] + ["lobby_before"]
# A paused series (its author may no longer write) looks again this much
# later, so that pages do not retry it on every view.
PAUSE_RETRY = timedelta(days=1)
# How far forward a proposal for the next one looks for dates whose
# applications still close in the future.
PROPOSAL_STEPS = 2000


def schedule_at(source: Gathering, starts_at: datetime) -> dict[str, datetime]:
    """``source``'s schedule moved to start at ``starts_at``: the length and
    the application window as they were, relative to the start."""
    return {
        "starts_at": starts_at,
        "ends_at": starts_at + (source.ends_at - source.starts_at),
        "applications_open_at": starts_at
        - (source.starts_at - source.applications_open_at),
        "applications_close_at": starts_at
        - (source.starts_at - source.applications_close_at),
    }


def next_schedule(
    *,
    source: Gathering,
    rule: str | None,
    now: datetime,
    after: datetime | None = None,
) -> dict[str, datetime]:
    """The proposed schedule of the next one after ``source``: one step of
    ``rule`` (its series' rule; None: a week) later at the same Seoul
    wall-clock time, stepped on until its applications close after ``now``
    (a copy of a gathering long past proposes the next date still to come)
    and it starts after ``after`` (the last date its series has made)."""
    rule = rule or recurrence.WEEKLY
    for index in range(1, PROPOSAL_STEPS):
        start = recurrence.occurrence_start(source.starts_at, rule, index)
        proposed = schedule_at(source, start)
        if proposed["applications_close_at"] > now and (after is None or start > after):
            return proposed
    return proposed


def hosts_eligible(source: Gathering) -> list[Member]:
    """``source``'s hosts who may still host in its community
    (``events.access.host_candidates``). One query."""
    return list(source.hosts.filter(host_candidates(source.community)).order_by("pk"))


def gathering_copy(
    *,
    source: Gathering,
    created_by: Member,
    schedule: dict[str, datetime],
    access: Access | None = None,
) -> Gathering:
    """A new draft with ``source``'s settings and ``schedule`` (the four
    times; checked as ``gathering_create`` checks any schedule). ``access``
    is the copying organiser's, who must not be muted; None for the site
    itself (a series' job). Runs in its own transaction (or the caller's);
    the cover's files are copied before it and deleted if it fails (a caller
    whose own transaction rolls back later deletes them: ``series_extend``)."""
    if access is not None and (refusal := organiser_write_refusal(access)):
        raise refusal
    fields = {name: getattr(source, name) for name in COPIED}
    fields["questions"] = list(source.questions)
    survey = Survey.objects.filter(gathering=source).first()
    cover = image_copy(key=source.cover, kind=COVER)
    try:
        copy = _copy_write(
            source=source,
            created_by=created_by,
            schedule=schedule,
            fields=fields,
            survey=survey,
            cover=cover,
        )
    except BaseException:
        if cover:
            image_delete(key=cover, kind=COVER)
        raise
    return copy


def _copy_write(
    *,
    source: Gathering,
    created_by: Member,
    schedule: dict[str, datetime],
    fields: dict,
    survey: Survey | None,
    cover: str,
) -> Gathering:
    """The rows of ``gathering_copy``, in one transaction."""
    with transaction.atomic():
        copy = gathering_create(
            community=source.community,
            created_by=created_by,
            hosts=hosts_eligible(source) or None,
            **fields,
            **{name: schedule[name] for name in SCHEDULE_FIELDS},
        )
        if cover:
            Gathering.objects.filter(pk=copy.pk).update(cover=cover)
            copy.cover = cover
        if survey is not None:
            Survey.objects.create(
                gathering=copy,
                min_responses=survey.min_responses,
                duration=survey.duration,
                questions=list(survey.questions),
            )
    return copy


def series_starts(series: Series) -> list[datetime]:
    """Every start of ``series``, occurrence 0 included."""
    return recurrence.occurrence_starts(
        series.starts_at,
        series.rule,
        count=series.count,
        until=series.until,
        limit=SERIES_MAX_OCCURRENCES,
    )


def series_bounds_check(*, starts_at: datetime, count: int | None, until) -> None:
    """Refuse a series without exactly one bound, or one beyond the limits:
    2 to SERIES_MAX_OCCURRENCES gatherings, or an end date on or after the
    first and within SERIES_MAX_SPAN of it."""
    first_day = starts_at.astimezone(recurrence.SEOUL).date()
    if (count is None) == (until is None):
        raise EventsError("series_bounds", limit=SERIES_MAX_OCCURRENCES)
    if count is not None and not 2 <= count <= SERIES_MAX_OCCURRENCES:
        raise EventsError("series_bounds", limit=SERIES_MAX_OCCURRENCES)
    if until is not None and not (
        isinstance(until, date) and first_day <= until <= first_day + SERIES_MAX_SPAN
    ):
        raise EventsError("series_bounds", limit=SERIES_MAX_OCCURRENCES)


def series_create(
    *,
    template: Gathering,
    rule: str,
    created_by: Member,
    count: int | None = None,
    until: date | None = None,
    publish: bool = True,
    access: Access | None = None,
    now: datetime | None = None,
) -> Series:
    """Repeat ``template`` by ``rule``, bounded by ``count`` or ``until``,
    and make the occurrences that fall within SERIES_HORIZON now
    (``series_extend``). ``access`` is the organiser's, who must not be
    muted. Raises EventsError("series_exists") for a gathering already in a
    series (the database's unique constraints decide a race)."""
    if access is not None and (refusal := organiser_write_refusal(access)):
        raise refusal
    now = now or timezone.now()
    series_bounds_check(starts_at=template.starts_at, count=count, until=until)
    series = Series(
        community_id=template.community_id,
        template=template,
        rule=rule,
        starts_at=template.starts_at,
        count=count,
        until=until,
        publish=publish,
        created_by=created_by,
    )
    if len(series_starts(series)) < 2:
        raise EventsError("series_no_dates")
    try:
        with transaction.atomic():
            if SeriesOccurrence.objects.filter(gathering=template).exists():
                raise EventsError("series_exists")
            series.save()
            SeriesOccurrence.objects.create(series=series, index=0, gathering=template)
    except IntegrityError:
        raise EventsError("series_exists") from None
    series_extend(series_id=series.pk, now=now)
    series.refresh_from_db()
    return series


def _author_may_write(series: Series) -> bool:
    """Whether the series' author may still repeat its template: they
    organise it, may write there (not banned, not muted) and may make
    gatherings from one (``repeat_refusal``: a moderator). A sanction or
    the loss of the moderator's role pauses the series."""
    author = series.created_by
    access = access_for(author, series.template.community)
    return (
        is_organiser(author, series.template, access)
        and organiser_write_refusal(access) is None
        and repeat_refusal(access) is None
    )


def _occurrences_make(
    series: Series, now: datetime, made: list[Gathering]
) -> datetime | None:
    """Make the missing occurrences of ``series`` that start within
    SERIES_HORIZON of ``now``, appending each to ``made`` as it is written;
    return when the next one falls due (None: none will). Caller holds the
    series' row lock."""
    existing = set(series.occurrences.values_list("index", flat=True))
    for index, start in enumerate(series_starts(series)):
        if start > now + SERIES_HORIZON:
            return start - SERIES_HORIZON
        times = schedule_at(series.template, start)
        if index in existing or times["applications_close_at"] <= now:
            continue
        try:
            with transaction.atomic():
                gathering = gathering_copy(
                    source=series.template,
                    created_by=series.created_by,
                    schedule=times,
                )
                # Listed before its row: a rollback deletes its cover too.
                made.append(gathering)
                SeriesOccurrence.objects.create(
                    series=series, index=index, gathering=gathering
                )
        except EventsError:
            # A schedule the template no longer allows: skipped, as a date
            # already past is, so the page that ran the job still shows.
            logger.warning("series %s: occurrence %s skipped", series.pk, index)
            continue
    return None


def series_extend(*, series_id: int, now: datetime | None = None) -> list[Gathering]:
    """Make the occurrences of the series that start within SERIES_HORIZON
    of ``now`` and do not exist yet, and note when the next one falls due.
    Idempotent: it holds the series' row lock while it looks and makes, and
    the unique (series, index) constraint backs that up, so a second run,
    or two at once, make nothing twice. An occurrence whose applications
    would already have closed is skipped. A series whose author may no
    longer write pauses (``_author_may_write``) and looks again later.
    Publishes the new ones (when the series says so) after the commit,
    outside the lock, and queues the next run. Takes no lock beforehand;
    runs its own transaction; if it fails, the covers copied for the
    occurrences it rolled back are deleted."""
    now = now or timezone.now()
    made: list[Gathering] = []
    try:
        with transaction.atomic():
            series = (
                Series.objects.select_for_update()
                .select_related("template__community", "created_by")
                .get(pk=series_id)
            )
            if series.stopped_at is not None:
                return []
            if _author_may_write(series):
                next_due = _occurrences_make(series, now, made)
            else:
                next_due = now + PAUSE_RETRY
            series.next_due_at = next_due
            series.save(update_fields=["next_due_at"])
    except BaseException:
        for gathering in made:
            if gathering.cover:
                image_delete(key=gathering.cover, kind=COVER)
        raise
    if series.publish:
        for gathering in made:
            try:
                gathering_publish(gathering=gathering)
            except EventsError:
                # Left a draft for the organiser, who sees why on publishing.
                logger.warning(
                    "series %s: occurrence %s stays a draft", series_id, gathering.pk
                )
    if next_due is not None:
        schedule(series_extend_task, next_due, series_id=series_id)
    return made


def series_extend_if_due(
    *, series_id: int, next_due_at: datetime | None, now: datetime | None = None
) -> None:
    """On access, as pages apply a gathering's due transitions: extend the
    series if its next occurrence has entered the horizon (the job may run
    late, twice or never). A page never fails for it: two first visitors
    at once may race to the same occurrence (the unique constraint refuses
    the second) or find SQLite's database locked; that request skips it,
    the transaction rolled back, and the job or a later page makes it."""
    now = now or timezone.now()
    if next_due_at is not None and next_due_at <= now:
        try:
            series_extend(series_id=series_id, now=now)
        except (IntegrityError, OperationalError):
            logger.warning("series %s: extending skipped on a page", series_id)


@task()
def series_extend_task(*, series_id: int) -> None:
    series_extend(series_id=series_id)


def series_stop(*, series_id: int, access: Access | None = None) -> None:
    """Stop making occurrences; those that exist stay as they are (a
    published one keeps its applicants). ``access`` is the organiser's, who
    must not be muted. Idempotent."""
    if access is not None and (refusal := organiser_write_refusal(access)):
        raise refusal
    now = timezone.now()
    Series.objects.filter(pk=series_id, stopped_at__isnull=True).update(
        stopped_at=now, next_due_at=None
    )
