"""The one place that moves a gathering through PRODUCT.md's lifecycle:

    draft → open → closed → drawn → lobby → live → ended
          → survey open → survey closed
    (any state before ended → cancelled)

``gathering_advance`` applies every transition and job that is due at
``now``, in order, under the gathering's row lock. It is idempotent: running
it again, late or concurrently changes nothing more. It runs as a queued job
(``gathering_advance_task``, beside it) when something falls due, and pages
call ``gathering_advance_if_due`` on access, so a stopped worker delays
nothing a member sees, except a draw waiting for its beacon round: only the
job asks the beacon's relays (a page never waits on them), so without a
worker that round has to be entered by hand (``beacon_enter``).

The lifecycle runs the steps under its lock (``seats``, ``draw``, the
survey's opening and closing) and imports no action; the actions above it
(applying, answering an offer, editing, a ban) call it.
"""

import logging
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from community.models import NotificationTopic
from events.access import join_refusal
from events.beacon import BeaconRound, quicknet_round_time, round_fetch
from events.errors import EventsError, SealedResponsesUnopenable
from events.join_tokens import join_path
from events.models import (
    STATUS_ORDER,
    Application,
    ApplicationStatus,
    Gathering,
    GatheringFormat,
    GatheringStatus,
    ReminderKind,
    ReminderSent,
    SelectionMode,
    Survey,
)
from events.scheduling import schedule
from events.services.chain import movements_log
from events.services.draw import applications_freeze, draw_notices_task, draw_run
from events.services.notices import link_push, notices_send, push_send, start_push
from events.services.seats import (
    applications_update,
    locked_gathering,
    offers_expire,
    seats_fill,
    waitlist_close,
)
from events.services.surveys import survey_close, survey_open
from events.services.terms import terms_commit
from realtime.broadcast import room_recheck

logger = logging.getLogger(__name__)

# A draw waiting for its beacon round asks again after this long.
BEACON_RETRY = timezone.timedelta(seconds=30)
# A close refused because sealed responses could not be opened is tried
# again after this long (and on any page that finds it due).
SURVEY_CLOSE_RETRY = timezone.timedelta(hours=1)

REMINDERS = [
    # (kind, how long before the start)
    (ReminderKind.DAY_BEFORE, timezone.timedelta(hours=24)),
    (ReminderKind.HOUR_BEFORE, timezone.timedelta(hours=1)),
]
# (kind, whether the personal join URL is released) → text
REMINDER_TEXTS = {
    (ReminderKind.DAY_BEFORE, False): _(
        "Reminder: ‘%(title)s’ starts tomorrow at %(start)s."
    ),
    (ReminderKind.DAY_BEFORE, True): _(
        "Reminder: ‘%(title)s’ starts tomorrow at %(start)s. Your personal "
        "join link: %(join)s"
    ),
    (ReminderKind.HOUR_BEFORE, False): _(
        "Reminder: ‘%(title)s’ starts in an hour, at %(start)s."
    ),
    (ReminderKind.HOUR_BEFORE, True): _(
        "Reminder: ‘%(title)s’ starts in an hour, at %(start)s. Your personal "
        "join link: %(join)s"
    ),
}


def _at_least(gathering: Gathering, status: str) -> bool:
    return STATUS_ORDER.index(gathering.status) >= STATUS_ORDER.index(status)


def _seats_in_play(gathering: Gathering) -> bool:
    """Whether seats can be held, offered and lapse: after the draw, or from
    the opening in first-come mode (where applying takes a seat), until the
    end."""
    started = _at_least(gathering, GatheringStatus.DRAWN) or (
        gathering.status == GatheringStatus.OPEN
        and gathering.selection_mode == SelectionMode.FIRST_COME
    )
    return started and not _at_least(gathering, GatheringStatus.ENDED)


def gathering_advance_if_due(
    gathering: Gathering, now: datetime | None = None
) -> Gathering:
    """Advance ``gathering`` if something fell due, without taking a lock
    otherwise; returns the gathering as it now stands."""
    now = now or timezone.now()
    if gathering.next_due_at is None or gathering.next_due_at > now:
        return gathering
    return gathering_advance(gathering_id=gathering.pk, now=now)


def gathering_advance(
    *,
    gathering_id: int,
    now: datetime | None = None,
    drawn_by=None,
    beacon_relays: bool = False,
) -> Gathering:
    """Apply every due transition and job; see the module docstring.
    ``drawn_by`` is the organiser who pressed the draw button, if any.
    ``beacon_relays``: whether a draw waiting for its beacon round may ask
    the relays for it, which can take seconds per relay; only the queued job
    does (``gathering_advance_task``). Any other caller, a page request
    above all, uses only a round already stored (entered by hand)."""
    now = now or timezone.now()
    # Asked before the lock: a relay may take seconds to answer.
    beacon = _beacon_fetch(gathering_id, now, relays=beacon_relays)
    with transaction.atomic():
        gathering = locked_gathering(gathering_id)
        before = gathering.next_due_at
        if gathering.status == GatheringStatus.CANCELLED or not gathering.published_at:
            gathering.next_due_at = None
        else:
            if _apply_due(gathering, now, drawn_by, beacon):
                # The outcome reaches every applicant from a job, so that the
                # draw itself stays a handful of bulk queries.
                draw_notices_task.enqueue(gathering_id=gathering.pk)
            gathering.next_due_at = _next_due(gathering, now)
        gathering.save(update_fields=["status", "next_due_at", "updated_at"])
        gathering_advance_schedule(gathering, before)
    return gathering


@task()
def gathering_advance_task(*, gathering_id: int) -> None:
    """``gathering_advance`` as a queued job, when something falls due; the
    one caller that asks the beacon's relays."""
    gathering_advance(gathering_id=gathering_id, beacon_relays=True)


def gathering_advance_schedule(gathering: Gathering, before: datetime | None) -> None:
    """Queue ``gathering_advance_task`` for the gathering's next due moment
    if it moved from ``before``: the lifecycle re-planned it, or a seat step
    run by an action (a new offer's deadline) brought it forward. Called
    inside the transaction that moved it."""
    if gathering.next_due_at and gathering.next_due_at != before:
        schedule(
            gathering_advance_task, gathering.next_due_at, gathering_id=gathering.pk
        )


def _beacon_round(gathering: Gathering) -> int | None:
    return ((gathering.terms or {}).get("beacon") or {}).get("round")


def _beacon_fetch(
    gathering_id: int, now: datetime, *, relays: bool
) -> BeaconRound | None:
    """The beacon round a lottery due for its draw waits for, if its terms
    name one and it is published (``events.beacon.round_fetch``, asking the
    relays only if ``relays``); None otherwise, also when no relay answers
    (logged there; the lifecycle tries again, ``BEACON_RETRY``)."""
    due = (
        Gathering.objects.filter(
            pk=gathering_id,
            status__in=[GatheringStatus.OPEN, GatheringStatus.CLOSED],
            applications_close_at__lte=now,
        )
        .exclude(terms={})
        .values_list("terms", flat=True)
        .first()
    )
    round = ((due or {}).get("beacon") or {}).get("round")
    if round is None:
        return None
    try:
        return round_fetch(round, relays=relays)
    except EventsError:
        return None


def _apply_due(
    gathering: Gathering, now: datetime, drawn_by, beacon: BeaconRound | None = None
) -> bool:
    """Returns whether a draw ran. A lottery whose terms name a beacon round
    stays closed, its list published, until ``beacon`` brings that round."""
    drew = False
    if (
        gathering.status == GatheringStatus.DRAFT
        and now >= gathering.applications_open_at
    ):
        terms_commit(gathering, now)
        _move(gathering, GatheringStatus.OPEN, now)
    if (
        gathering.status == GatheringStatus.OPEN
        and now >= gathering.applications_close_at
    ):
        if gathering.selection_mode == SelectionMode.LOTTERY:
            applications_freeze(gathering, now)
        _move(gathering, GatheringStatus.CLOSED, now)
    round = _beacon_round(gathering)
    waiting = round is not None and (beacon is None or beacon.round != round)
    if gathering.status == GatheringStatus.CLOSED and not waiting:
        if gathering.selection_mode == SelectionMode.LOTTERY:
            try:
                draw_run(
                    gathering=gathering,
                    now=now,
                    drawn_by=drawn_by,
                    beacon=beacon if round is not None else None,
                )
            except EventsError as error:
                if error.code != "frozen_list_changed" or drawn_by is not None:
                    raise
                # Someone changed the frozen list behind the app's back: no
                # draw can match what was published. The gathering stays
                # closed, nothing is retried by itself, and every page keeps
                # answering; the organiser's button shows the refusal.
                logger.error(
                    "gathering %s: the applications no longer match the "
                    "list frozen at the close; the draw is refused",
                    gathering.pk,
                )
                return drew
            drew = True
        _move(gathering, GatheringStatus.DRAWN, now)
    if _seats_in_play(gathering):
        offers_expire(gathering, now)
        seats_fill(gathering, now)
        if now >= gathering.offer_cutoff_at:
            waitlist_close(gathering, now)
        _link_release_push(gathering, now)
        _reminders_send(gathering, now)
    if gathering.status == GatheringStatus.DRAWN and now >= gathering.lobby_at:
        _move(gathering, GatheringStatus.LOBBY, now)
    if gathering.status == GatheringStatus.LOBBY and now >= gathering.starts_at:
        _move(gathering, GatheringStatus.LIVE, now)
    if gathering.status == GatheringStatus.LIVE and now >= gathering.ends_at:
        _end(gathering, now)
    if gathering.status == GatheringStatus.ENDED:
        # The survey opens as the gathering ends (or, for a run that comes
        # late, at that run: its period starts when attendees are asked).
        survey_open(gathering=gathering, now=now)
        _move(gathering, GatheringStatus.SURVEY_OPEN, now)
    if gathering.status == GatheringStatus.SURVEY_OPEN and now >= _survey_closes_at(
        gathering
    ):
        try:
            survey_close(gathering=gathering)
        except SealedResponsesUnopenable:
            # Logged as an error by the close; nothing was changed. The
            # survey stays open (past its close, so nobody answers) and
            # the close is tried again later (_next_due): once the old
            # SECRET_KEY is in SECRET_KEY_FALLBACKS it succeeds with every
            # response.
            pass
        else:
            _move(gathering, GatheringStatus.SURVEY_CLOSED, now)
    return drew


def _survey_closes_at(gathering: Gathering) -> datetime:
    return (
        Survey.objects.filter(gathering=gathering)
        .values_list("closes_at", flat=True)
        .get()
    )


def _move(gathering: Gathering, status: str, now: datetime) -> None:
    gathering.status = status
    gathering.updated_at = now
    # Its chat room opens, goes live or becomes read-only with the gathering.
    room_recheck(gathering_id=gathering.pk)


def _end(gathering: Gathering, now: datetime) -> None:
    """Nobody can still win a seat once a gathering is over."""
    if gathering.terms and gathering.frozen_at:
        offered = list(
            Application.objects.filter(
                gathering=gathering, status=ApplicationStatus.OFFERED
            ).values_list("public_id", flat=True)
        )
        movements_log(
            gathering=gathering,
            moves=[("expire", public_id) for public_id in offered]
            + (
                [("waitlist_closed", None)]
                if Application.objects.filter(
                    gathering=gathering, status=ApplicationStatus.WAITLISTED
                ).exists()
                else []
            ),
            reason="gathering ended",
            now=now,
        )
    applications_update(
        Application.objects.filter(
            gathering=gathering, status=ApplicationStatus.OFFERED
        ),
        status=ApplicationStatus.EXPIRED,
        offer_expires_at=None,
    )
    applications_update(
        Application.objects.filter(
            gathering=gathering,
            status__in=[ApplicationStatus.WAITLISTED, ApplicationStatus.APPLIED],
        ),
        status=ApplicationStatus.NOT_SELECTED,
        waitlist_position=None,
    )
    _move(gathering, GatheringStatus.ENDED, now)


def _reminders_send(gathering: Gathering, now: datetime) -> None:
    """The day-before and hour-before reminders to attendees, each once (a
    unique row per attendee and kind), and only inside its own window: a late
    run after the start sends nothing."""
    if now >= gathering.starts_at:
        return
    for index, (kind, before) in enumerate(REMINDERS):
        window_opens = gathering.starts_at - before
        later = REMINDERS[index + 1][1] if index + 1 < len(REMINDERS) else None
        window_closes = gathering.starts_at - later if later else gathering.starts_at
        if not (window_opens <= now < window_closes):
            continue
        attendees = list(
            Application.objects.filter(
                gathering=gathering, status=ApplicationStatus.CONFIRMED
            )
            .exclude(
                pk__in=ReminderSent.objects.filter(kind=kind).values("application")
            )
            .select_related("member", "join_pass")
        )
        if not attendees:
            continue
        ReminderSent.objects.bulk_create(
            [ReminderSent(application=a, kind=kind) for a in attendees],
            ignore_conflicts=True,
        )
        joins = {a.pk: _join_url(a, now) for a in attendees}
        for with_link in (False, True):
            items = [
                (a.member, {"start": gathering.starts_at, "join": joins[a.pk]})
                for a in attendees
                if (joins[a.pk] is not None) == with_link
            ]
            if items:
                notices_send(
                    items=items,
                    gathering=gathering,
                    detail=REMINDER_TEXTS[kind, with_link],
                    topic=NotificationTopic.GATHERING_REMINDER,
                    # The hour before, a push that it starts soon; the day
                    # before none: the link's opening has its own
                    # (``_link_release_push``).
                    push=(
                        start_push(gathering, now)
                        if kind == ReminderKind.HOUR_BEFORE
                        else None
                    ),
                )


def _link_release_push(gathering: Gathering, now: datetime) -> None:
    """The push that the join link is open (push only, switchable:
    ``NotificationTopic.LINK_RELEASE``), at ``link_release_at``, to each
    attendee who held a confirmed seat with a join link then, once (a
    ``ReminderSent`` row of kind ``LINK_RELEASE``); a run that comes late
    still sends it until the start, never after. A member confirming after
    the release gets no push for it, on purpose: the link is on the
    gathering's page as they confirm (and the hour-before push still
    comes). The payload never holds the link nor the join URL
    (``events.services.notices.link_push``)."""
    release = gathering.link_release_at
    if not release <= now < gathering.starts_at:
        return
    attendees = [
        application
        for application in Application.objects.filter(
            gathering=gathering,
            status=ApplicationStatus.CONFIRMED,
            confirmed_at__lte=release,
        )
        .exclude(
            pk__in=ReminderSent.objects.filter(kind=ReminderKind.LINK_RELEASE).values(
                "application"
            )
        )
        .select_related("member", "join_pass")
        if _join_url(application, now, gathering) is not None
    ]
    if not attendees:
        return
    ReminderSent.objects.bulk_create(
        [
            ReminderSent(application=a, kind=ReminderKind.LINK_RELEASE)
            for a in attendees
        ],
        ignore_conflicts=True,
    )
    push_send(
        members=[a.member for a in attendees],
        gathering=gathering,
        push=link_push(gathering, now),
        context={"start": gathering.starts_at},
    )


def _join_url(
    application: Application, now: datetime, gathering: Gathering | None = None
) -> str | None:
    """The attendee's own join URL (never the video link itself), once
    ``join_refusal`` allows; ``gathering``: the application's, when the
    caller holds it."""
    if gathering is not None:
        application.gathering = gathering
    if join_refusal(application, now) is not None:
        return None
    return settings.SITE_URL + join_path(application.join_pass)


def _next_due(gathering: Gathering, now: datetime) -> datetime | None:
    """The earliest future moment at which ``_apply_due`` would do
    something."""
    status = gathering.status
    times = []
    if status == GatheringStatus.DRAFT:
        times.append(gathering.applications_open_at)
    elif status == GatheringStatus.OPEN:
        times.append(gathering.applications_close_at)
    elif status == GatheringStatus.CLOSED and (round := _beacon_round(gathering)):
        # Waiting for the beacon: at its time, then again every while.
        times.append(max(quicknet_round_time(round), now + BEACON_RETRY))
    if _seats_in_play(gathering):
        pending = (
            Application.objects.filter(
                gathering=gathering, status=ApplicationStatus.OFFERED
            )
            .order_by("offer_expires_at")
            .values_list("offer_expires_at", flat=True)
            .first()
        )
        if pending:
            times.append(pending)
        times.append(gathering.offer_cutoff_at)
        times.extend(gathering.starts_at - before for _kind, before in REMINDERS)
        if gathering.format != GatheringFormat.OFFLINE:
            times.append(gathering.link_release_at)
        times.extend([gathering.lobby_at, gathering.starts_at, gathering.ends_at])
    if status == GatheringStatus.SURVEY_OPEN:
        closes_at = _survey_closes_at(gathering)
        # Still open past its close: the close was refused; try again later.
        times.append(closes_at if closes_at > now else now + SURVEY_CLOSE_RETRY)
    future = [t for t in times if t > now]
    return min(future) if future else None
