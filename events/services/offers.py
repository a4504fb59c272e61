"""A member's answer to a seat offer: confirming or declining it. The
seat steps they run (``events.services.seats``) hold the gathering's row
lock."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from community.access import access_for
from community.models import Member
from community.services.members import member_standing_lock
from events.access import seat_refusal
from events.errors import EventsError
from events.models import Application, ApplicationStatus, Gathering
from events.services.attendance import join_pass_issue
from events.services.chain import movements_log
from events.services.lifecycle import gathering_advance_schedule
from events.services.seats import applications_update, locked_gathering, seats_fill


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
        movements_log(
            gathering=locked,
            moves=[("confirm", application.public_id)],
            reason="confirmed by the member",
            now=now,
        )
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
        before = locked.next_due_at
        movements_log(
            gathering=locked,
            moves=[("decline", application.public_id)],
            reason="declined by the member",
            now=now,
        )
        applications_update(
            Application.objects.filter(pk=application.pk),
            status=ApplicationStatus.DECLINED,
            offer_expires_at=None,
        )
        seats_fill(locked, now)
        gathering_advance_schedule(locked, before)
    application.refresh_from_db()
    return application
