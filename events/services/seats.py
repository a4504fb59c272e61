"""The steps that move seats, run with the gathering's row locked
(``locked_gathering``, select_for_update) by the lifecycle and by the
actions above it (applying, withdrawing, answering an offer, a ban): seats
are counted and given one transaction at a time, so confirmed seats and
pending offers together never exceed the capacity.

A step schedules nothing and imports no action: when a step brings the
gathering's next due moment forward (a new offer's deadline), the action
that ran it queues the lifecycle (``lifecycle.gathering_advance_schedule``);
the lifecycle re-plans its own."""

import logging
from datetime import datetime

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.access import seat_barred
from events.models import (
    SEAT_HOLDING,
    Application,
    ApplicationStatus,
    Draw,
    Gathering,
    JoinPass,
)
from events.services.chain import movements_log
from events.services.notices import notice_send, offer_push
from realtime.broadcast import member_sockets_close

logger = logging.getLogger(__name__)

# The only reason a release shows on the public log (docs/draw.md, 18).
RELEASE_REASON = "ended"


def locked_gathering(gathering_id: int) -> Gathering:
    """The gathering row, locked until the surrounding transaction ends."""
    return (
        Gathering.objects.select_for_update()
        .select_related("community")
        .get(pk=gathering_id)
    )


def offer_deadline(gathering: Gathering, now: datetime) -> datetime:
    return min(now + gathering.claim_window, gathering.starts_at)


def applications_update(applications, **changes) -> None:
    """Update a queryset of applications and raise their calendar SEQUENCE:
    every change a member's calendar should see goes through here."""
    applications.update(
        sequence=F("sequence") + 1, updated_at=timezone.now(), **changes
    )


def waitlist_renumber(gathering: Gathering) -> None:
    """Positions 1..k in draw (or arrival) order for those still waiting."""
    waiting = list(
        Application.objects.filter(
            gathering=gathering, status=ApplicationStatus.WAITLISTED
        ).order_by("rank", "created_at", "pk")
    )
    changed = []
    for position, application in enumerate(waiting, start=1):
        if application.waitlist_position != position:
            application.waitlist_position = position
            changed.append(application)
    Application.objects.bulk_update(changed, ["waitlist_position"], batch_size=500)


def seats_fill(gathering: Gathering, now: datetime) -> list[Application]:
    """Offer every free seat to the next waitlisted members, in order, until
    the offer cut-off. A waitlisted member banned from the community
    (``events.access.seat_barred``, however the ban was recorded) leaves the
    waitlist first, on the record, so that every promotion is the next in
    rank order for anyone replaying the movements. Caller holds the
    gathering's lock."""
    if now >= gathering.offer_cutoff_at:
        return []
    barred = Application.objects.filter(
        gathering=gathering, status=ApplicationStatus.WAITLISTED
    ).filter(seat_barred(gathering.community_id))
    for application in barred:
        application_end(
            gathering=gathering, application=application, now=now, reason="banned"
        )
    seats, cap = _seats_and_cap(gathering)
    holders = list(
        Application.objects.filter(
            gathering=gathering, status__in=SEAT_HOLDING
        ).values_list("group", flat=True)
    )
    free = seats - len(holders)
    if free <= 0:
        return []
    waiting = (
        Application.objects.filter(
            gathering=gathering, status=ApplicationStatus.WAITLISTED
        )
        .select_related("member")
        .order_by("rank", "created_at", "pk")
    )
    if cap is None:
        promoted = list(waiting[:free])
    else:
        promoted = _under_cap(waiting, holders, cap, free)
    if not promoted:
        return []
    movements_log(
        gathering=gathering,
        moves=[("promote", a.public_id) for a in promoted],
        reason="seat free",
        now=now,
    )
    deadline = offer_deadline(gathering, now)
    applications_update(
        Application.objects.filter(pk__in=[a.pk for a in promoted]),
        status=ApplicationStatus.OFFERED,
        offer_expires_at=deadline,
        waitlist_position=None,
    )
    waitlist_renumber(gathering)
    _due_no_later_than(gathering, deadline)
    notice_send(
        members=[a.member for a in promoted],
        gathering=gathering,
        detail=_("A seat at ‘%(title)s’ is yours if you confirm by %(deadline)s."),
        context={"deadline": deadline},
        push=offer_push(deadline, now),
    )
    return promoted


def _seats_and_cap(gathering: Gathering) -> tuple[int, int | None]:
    """The seats and the company cap that promotions respect: a v2 draw's
    (the terms in force, as its record says); a v1 gathering's capacity,
    with no cap, as before."""
    if gathering.terms:
        drawn = (
            Draw.objects.filter(gathering=gathering)
            .values_list("record__seats", "record__company_cap")
            .first()
        )
        if drawn is not None:
            return drawn[0], drawn[1]
    return gathering.capacity, None


def _under_cap(waiting, holders: list[str], cap: int, free: int) -> list:
    """The first ``free`` waiting applications, in rank order, whose company
    group holds fewer than ``cap`` seats (counting those promoted here)."""
    held: dict[str, int] = {}
    for group in holders:
        if group:
            held[group] = held.get(group, 0) + 1
    promoted = []
    for application in waiting.iterator(chunk_size=500):
        group = application.group
        if group and held.get(group, 0) >= cap:
            continue
        if group:
            held[group] = held.get(group, 0) + 1
        promoted.append(application)
        if len(promoted) == free:
            break
    return promoted


def _due_no_later_than(gathering: Gathering, moment: datetime) -> None:
    """A new offer's deadline must wake the lifecycle: bring the gathering's
    next due moment forward to it. Queueing the job for then is the
    caller's (``lifecycle.gathering_advance_schedule``): a step schedules
    nothing, and the lifecycle re-plans its own next moment anyway."""
    if gathering.next_due_at is not None and gathering.next_due_at <= moment:
        return
    gathering.next_due_at = moment
    Gathering.objects.filter(pk=gathering.pk).update(next_due_at=moment)


def offers_expire(gathering: Gathering, now: datetime) -> int:
    """Offers past their deadline lapse; their seats pass on. Caller holds
    the gathering's lock."""
    lapsed = Application.objects.filter(
        gathering=gathering,
        status=ApplicationStatus.OFFERED,
        offer_expires_at__lte=now,
    ).select_related("member")
    lapsed = list(lapsed)
    members = [a.member for a in lapsed]
    if not members:
        return 0
    movements_log(
        gathering=gathering,
        moves=[("expire", a.public_id) for a in lapsed],
        reason="claim window passed",
        now=now,
    )
    applications_update(
        Application.objects.filter(pk__in=[a.pk for a in lapsed]),
        status=ApplicationStatus.EXPIRED,
    )
    notice_send(
        members=members,
        gathering=gathering,
        detail=_(
            "Your seat offer for ‘%(title)s’ expired and passed to the next member."
        ),
    )
    seats_fill(gathering, now)
    return len(members)


def waitlist_close(gathering: Gathering, now: datetime | None = None) -> int:
    """At the offer cut-off nobody else can get a seat: those still waiting
    are told so. Caller holds the gathering's lock."""
    waiting = Application.objects.filter(
        gathering=gathering, status=ApplicationStatus.WAITLISTED
    ).select_related("member")
    members = [a.member for a in waiting]
    if not members:
        return 0
    movements_log(
        gathering=gathering,
        moves=[("waitlist_closed", None)],
        reason="offer cut-off",
        now=now or timezone.now(),
    )
    applications_update(
        waiting, status=ApplicationStatus.NOT_SELECTED, waitlist_position=None
    )
    notice_send(
        members=members,
        gathering=gathering,
        detail=_("No seat at ‘%(title)s’ came free in time. Thank you for applying."),
    )
    return len(members)


def application_end(
    *,
    gathering: Gathering,
    application: Application,
    now: datetime,
    reason: str = "withdrawn",
) -> None:
    """The application ends as withdrawn: its join URL is revoked, a seat it
    held passes to the next on the waitlist, a confirmed attendee's sockets
    close; after a v2 draw the release is on the public log with the neutral
    reason ``RELEASE_REASON``: the log sits next to a public id that
    organisers can put a name to, so why it ended (``reason``: withdrawn,
    banned, left) stays in the server's own log.
    Caller holds ``gathering``'s lock (``locked_gathering``) and has checked
    that the application may end."""
    held_seat = application.status in SEAT_HOLDING
    if application.status in (*SEAT_HOLDING, ApplicationStatus.WAITLISTED):
        movements_log(
            gathering=gathering,
            moves=[("release", application.public_id)],
            reason=RELEASE_REASON,
            now=now,
        )
        logger.info(
            "application %s of gathering %s released: %s",
            application.pk,
            gathering.pk,
            reason,
        )
    applications_update(
        Application.objects.filter(pk=application.pk),
        status=ApplicationStatus.WITHDRAWN,
        waitlist_position=None,
        offer_expires_at=None,
    )
    JoinPass.objects.filter(application=application).update(revoked_at=now)
    if application.status == ApplicationStatus.CONFIRMED:
        # An attendee no more: their sockets in the room close now.
        member_sockets_close(member_id=application.member_id)
    if application.status == ApplicationStatus.WAITLISTED:
        waitlist_renumber(gathering)
    if held_seat:
        seats_fill(gathering, now)
