"""Seat offers and the waitlist. Every function here runs with the
gathering's row locked (select_for_update), so seats are counted and given
one transaction at a time: confirmed seats and pending offers together never
exceed the capacity."""

from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from community.access import access_for
from community.models import Member
from community.services.members import member_standing_lock
from events.access import seat_barred, seat_refusal
from events.errors import EventsError
from events.models import (
    SEAT_HOLDING,
    Application,
    ApplicationStatus,
    Gathering,
)
from events.scheduling import schedule
from events.services.attendance import join_pass_issue
from events.services.notices import notice_send
from events.tasks import gathering_advance_task


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
    the offer cut-off; a member banned from the community is passed over
    (``events.access.seat_barred``). Caller holds the gathering's lock."""
    if now >= gathering.offer_cutoff_at:
        return []
    held = Application.objects.filter(
        gathering=gathering, status__in=SEAT_HOLDING
    ).count()
    free = gathering.capacity - held
    if free <= 0:
        return []
    promoted = list(
        Application.objects.filter(
            gathering=gathering, status=ApplicationStatus.WAITLISTED
        )
        .exclude(seat_barred(gathering.community_id))
        .select_related("member")
        .order_by("rank", "created_at", "pk")[:free]
    )
    if not promoted:
        return []
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
    )
    return promoted


def _due_no_later_than(gathering: Gathering, moment: datetime) -> None:
    """A new offer's deadline must wake the lifecycle: bring the gathering's
    next due moment forward to it and queue the job for then."""
    if gathering.next_due_at is not None and gathering.next_due_at <= moment:
        return
    gathering.next_due_at = moment
    Gathering.objects.filter(pk=gathering.pk).update(next_due_at=moment)
    schedule(gathering_advance_task, moment, gathering_id=gathering.pk)


def offers_expire(gathering: Gathering, now: datetime) -> int:
    """Offers past their deadline lapse; their seats pass on. Caller holds
    the gathering's lock."""
    lapsed = Application.objects.filter(
        gathering=gathering,
        status=ApplicationStatus.OFFERED,
        offer_expires_at__lte=now,
    ).select_related("member")
    members = [a.member for a in lapsed]
    if not members:
        return 0
    applications_update(lapsed, status=ApplicationStatus.EXPIRED)
    notice_send(
        members=members,
        gathering=gathering,
        detail=_(
            "Your seat offer for ‘%(title)s’ expired and passed to the next member."
        ),
    )
    seats_fill(gathering, now)
    return len(members)


def waitlist_close(gathering: Gathering) -> int:
    """At the offer cut-off nobody else can get a seat: those still waiting
    are told so. Caller holds the gathering's lock."""
    waiting = Application.objects.filter(
        gathering=gathering, status=ApplicationStatus.WAITLISTED
    ).select_related("member")
    members = [a.member for a in waiting]
    if not members:
        return 0
    applications_update(
        waiting, status=ApplicationStatus.NOT_SELECTED, waitlist_position=None
    )
    notice_send(
        members=members,
        gathering=gathering,
        detail=_("No seat at ‘%(title)s’ came free in time. Thank you for applying."),
    )
    return len(members)


def offer_confirm(
    *, member: Member, gathering: Gathering, now: datetime | None = None
) -> Application:
    """The member takes the seat offered to them. Locks the member's row
    (``member_standing_lock``), then the gathering; an offer past its
    deadline cannot be confirmed, nor a seat by a banned member."""
    now = now or timezone.now()
    with transaction.atomic():
        # The member's standing before the gathering, as a ban takes them.
        member_standing_lock(member=member)
        refusal = seat_refusal(access_for(member, gathering.community))
        if refusal is not None:
            raise refusal
        locked = locked_gathering(gathering.pk)
        application = (
            Application.objects.select_for_update()
            .filter(gathering=locked, member=member)
            .first()
        )
        if application is None or application.status != ApplicationStatus.OFFERED:
            raise EventsError("no_offer")
        if application.offer_expires_at and application.offer_expires_at <= now:
            raise EventsError("offer_expired")
        applications_update(
            Application.objects.filter(pk=application.pk),
            status=ApplicationStatus.CONFIRMED,
            confirmed_at=now,
            offer_expires_at=None,
        )
        join_pass_issue(application)
    application.refresh_from_db()
    return application


def offer_decline(
    *, member: Member, gathering: Gathering, now: datetime | None = None
) -> Application:
    """The member gives the offered seat back; it passes on at once."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = locked_gathering(gathering.pk)
        application = (
            Application.objects.select_for_update()
            .filter(gathering=locked, member=member, status=ApplicationStatus.OFFERED)
            .first()
        )
        if application is None:
            raise EventsError("no_offer")
        applications_update(
            Application.objects.filter(pk=application.pk),
            status=ApplicationStatus.DECLINED,
            offer_expires_at=None,
        )
        seats_fill(locked, now)
    application.refresh_from_db()
    return application
