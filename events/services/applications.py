"""Applying to a gathering and withdrawing."""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from community.access import access_for
from community.models import Member
from community.services.members import member_standing_lock
from events.access import eligibility_refusal, withdraw_refusal
from events.errors import EventsError
from events.models import (
    SEAT_HOLDING,
    Application,
    ApplicationStatus,
    Gathering,
    GatheringStatus,
    SelectionMode,
)
from events.services.attendance import join_pass_issue
from events.services.lifecycle import gathering_advance_schedule
from events.services.receipts import receipt_applied_send
from events.services.seats import (
    application_end,
    locked_gathering,
    waitlist_renumber,
)

MOTIVATION_LIMIT = 2000
ANSWER_LIMIT = 500


def application_submit(
    *,
    member: Member,
    gathering: Gathering,
    motivation: str = "",
    answers: list[str] | None = None,
    now: datetime | None = None,
) -> Application:
    """Apply once. In lottery mode the application waits for the draw; in
    first-come mode it takes a free seat at once (confirmed) or joins the
    waitlist in arrival order. The gathering's row lock makes seats go one
    at a time, and the database's unique constraint makes a second
    application impossible however many arrive at once. The member's row is
    locked before their standing is read (``member_standing_lock``), so a
    ban and an application go one after the other."""
    now = now or timezone.now()
    motivation = motivation.strip()
    answers = [a.strip() for a in (answers or [])][: len(gathering.questions)]
    if gathering.motivation_prompt and not motivation:
        raise EventsError("motivation_required")
    if len(motivation) > MOTIVATION_LIMIT:
        raise EventsError("too_long", limit=MOTIVATION_LIMIT)
    if any(len(a) > ANSWER_LIMIT for a in answers):
        raise EventsError("too_long", limit=ANSWER_LIMIT)
    try:
        with transaction.atomic():
            # The member's standing, then the gathering: a ban committing
            # meanwhile is seen here, or waits and ends what this makes.
            member_standing_lock(member=member)
            refusal = eligibility_refusal(
                member, gathering, access_for(member, gathering.community)
            )
            if refusal is not None:
                raise refusal
            locked = locked_gathering(gathering.pk)
            if locked.status != GatheringStatus.OPEN or not (
                locked.applications_open_at <= now < locked.applications_close_at
            ):
                raise EventsError("not_open")
            application = Application.objects.filter(
                gathering=locked, member=member
            ).first()
            if application is None:
                application = Application(gathering=locked, member=member)
            elif application.status != ApplicationStatus.WITHDRAWN:
                raise EventsError("already_applied")
            # A member who withdrew may apply again while the window is
            # open: the same row (one per member) joins at the back.
            application.status = ApplicationStatus.APPLIED
            application.motivation = motivation
            application.answers = answers
            application.created_at = now
            application.updated_at = now
            application.sequence += 1
            if locked.selection_mode == SelectionMode.FIRST_COME:
                held = Application.objects.filter(
                    gathering=locked, status__in=SEAT_HOLDING
                ).count()
                if held < locked.capacity:
                    application.status = ApplicationStatus.CONFIRMED
                    application.confirmed_at = now
                else:
                    application.status = ApplicationStatus.WAITLISTED
            application.save()
            if application.status == ApplicationStatus.CONFIRMED:
                join_pass_issue(application)
            elif application.status == ApplicationStatus.WAITLISTED:
                waitlist_renumber(locked)
    except IntegrityError as exc:
        raise EventsError("already_applied") from exc
    application.refresh_from_db()
    if application.status == ApplicationStatus.APPLIED:
        receipt_applied_send(application=application, gathering=gathering, now=now)
    return application


def application_withdraw(
    *, member: Member, gathering: Gathering, now: datetime | None = None
) -> Application:
    """Withdraw before the draw, or after it (giving back an offered or
    confirmed seat, which passes to the next on the waitlist), as
    ``withdraw_refusal`` allows."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = locked_gathering(gathering.pk)
        application = (
            Application.objects.select_for_update()
            .filter(gathering=locked, member=member)
            .first()
        )
        refusal = withdraw_refusal(application, locked, now)
        if refusal is not None:
            raise refusal
        before = locked.next_due_at
        application_end(gathering=locked, application=application, now=now)
        gathering_advance_schedule(locked, before)
    application.refresh_from_db()
    return application
