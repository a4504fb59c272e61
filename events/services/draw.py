"""Freezing the application list and running the lottery over it. The
algorithm itself, a pure function anyone can re-run, is events.draw."""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from community.models import Member
from events import draw as algorithm
from events.access import draw_refusal, seat_barred
from events.beacon import BeaconRound, round_record
from events.bulk import rows_update
from events.chain import log_head
from events.errors import EventsError
from events.fairness import policy_for, weights_compute
from events.models import (
    Application,
    ApplicationStatus,
    Draw,
    Gathering,
    GatheringStatus,
)
from events.services.chain import log_append, movements_log
from events.services.notices import notices_send, offer_push
from events.services.receipts import receipts_drawn_send
from events.services.seats import application_end, offer_deadline, waitlist_renumber
from events.terms import terms_amendments


def applications_freeze(gathering: Gathering, now: datetime) -> None:
    """At close: fix every application's weight and company group, and record
    the digest of the frozen list. Caller holds the gathering's lock."""
    applications = list(
        Application.objects.filter(
            gathering=gathering, status=ApplicationStatus.APPLIED
        ).select_related("member")
    )
    seed = bytes.fromhex(gathering.draw_seed)
    policy = policy_for(gathering)
    weights = weights_compute(gathering, applications, now, policy=policy)
    cap = policy.company_cap
    for application in applications:
        application.weight = weights[application.pk]
        member: Member = application.member
        application.group = (
            algorithm.group_label(seed, member.work_domain)
            if cap and member.is_work_verified
            else ""
        )
    rows_update(Application, applications, ["weight", "group"])
    gathering.frozen_digest = algorithm.frozen_digest(_entries(applications))
    gathering.frozen_at = now
    gathering.save(update_fields=["frozen_digest", "frozen_at"])
    if gathering.terms:
        log_append(
            community_id=gathering.community_id,
            items=[
                (
                    "close",
                    gathering,
                    {
                        "frozen_digest": gathering.frozen_digest,
                        "entries": len(applications),
                    },
                )
            ],
            now=now,
        )


def _entries(applications: list[Application]) -> list[dict]:
    return [
        {"public_id": a.public_id, "weight": a.weight, "group": a.group or None}
        for a in applications
    ]


def draw_run(
    *,
    gathering: Gathering,
    now: datetime,
    drawn_by: Member | None = None,
    beacon: BeaconRound | None = None,
) -> Draw:
    """Rank every frozen application, give the first ``capacity`` a seat
    offer and waitlist the rest in rank order, and publish the record; then
    end the applications of members banned since the close, as
    ``draw_refusal`` allows. Caller (the lifecycle, which moves the gathering
    to closed first) holds the gathering's lock; a second draw is refused by
    the database's one-draw-per-gathering constraint. ``beacon``: the
    verified round the committed terms named, mixed into the seed. Refused
    (``frozen_list_changed``) when the applications no longer give the
    digest published at the close (``applications_freeze``)."""
    # A closed gathering has no draw yet (drawing moves it on in the same
    # transaction): only another status asks the database.
    drawn = gathering.status != GatheringStatus.CLOSED and _drawn(gathering)
    if refusal := draw_refusal(gathering, now, drawn=drawn):
        raise refusal
    applications = list(
        Application.objects.filter(
            gathering=gathering, status=ApplicationStatus.APPLIED
        ).select_related("member")
    )
    # The list published at the close is the draw's input: entries changed
    # since (whoever wrote them) would give a record that verifies against
    # itself but not against what applicants were shown.
    if algorithm.frozen_digest(_entries(applications)) != gathering.frozen_digest:
        raise EventsError("frozen_list_changed")
    policy = policy_for(gathering)
    seed = bytes.fromhex(gathering.draw_seed)
    described = {
        "uid": str(gathering.uid),
        "title": gathering.title,
        "community": gathering.community.slug,
        "closed_at": gathering.applications_close_at.isoformat(),
        "policy": {
            "base_weight": policy.base_weight,
            "loss_bonus": policy.loss_bonus,
            "loss_cap": policy.loss_cap,
            "no_show_weight": policy.no_show_weight,
            "no_show_days": policy.no_show_days,
            "company_cap": policy.company_cap,
        },
    }
    if gathering.terms:
        record = algorithm.record_v2(
            seed,
            _entries(applications),
            terms=gathering.terms,
            amendments=terms_amendments(gathering),
            gathering=described,
            beacon=round_record(beacon) if beacon is not None else None,
            chain_head=log_head(gathering.community_id),
        )
    else:
        record = algorithm.record(
            seed,
            _entries(applications),
            gathering.capacity,
            policy.company_cap,
            gathering=described,
        )
    try:
        with transaction.atomic():
            draw = Draw.objects.create(
                gathering=gathering,
                algorithm=record["algorithm"],
                record=record,
                drawn_at=now,
                drawn_by=drawn_by,
            )
    except IntegrityError as exc:
        raise EventsError("already_drawn") from exc
    by_public_id = {a.public_id: a for a in applications}
    deadline = offer_deadline(gathering, now)
    for entry in record["entries"]:
        application = by_public_id[entry["public_id"]]
        application.rank = entry["rank"]
        if entry["outcome"] == algorithm.WON:
            application.status = ApplicationStatus.OFFERED
            application.offer_expires_at = deadline
        else:
            application.status = ApplicationStatus.WAITLISTED
            application.waitlist_position = entry["waitlist_position"]
    rows_update(
        Application,
        applications,
        ["rank", "status", "offer_expires_at", "waitlist_position"],
        also={"updated_at": now},
        increment=("sequence",),
    )
    waitlist_renumber(gathering)
    if gathering.terms:
        log_append(
            community_id=gathering.community_id,
            items=[
                (
                    "draw",
                    gathering,
                    {"record_digest": algorithm.digest_of(record)},
                )
            ],
            now=now,
        )
        movements_log(
            gathering=gathering,
            moves=[
                ("offer", entry["public_id"])
                for entry in record["entries"]
                if entry["outcome"] == algorithm.WON
            ],
            reason="draw",
            now=now,
        )
    _banned_withdraw(gathering, now)
    return draw


def _banned_withdraw(gathering: Gathering, now: datetime) -> None:
    """A member banned between the close and the draw keeps their place in
    the frozen input (``gatherings_ban``), so the record verifies; right
    after the ranking their application ends as a withdrawal would, before
    any outcome is told: a seat they won passes on to the waitlist. The
    record keeps their rank; ``events.access.seat_barred`` is the ban rule.
    Caller holds the gathering's lock."""
    barred = (
        Application.objects.filter(
            gathering=gathering,
            status__in=[ApplicationStatus.OFFERED, ApplicationStatus.WAITLISTED],
        )
        .filter(seat_barred(gathering.community_id))
        .order_by("rank")
    )
    # Read afresh each time: ending a seat holder fills the seat, which ends
    # the barred members still waiting first.
    while (application := barred.first()) is not None:
        application_end(
            gathering=gathering, application=application, now=now, reason="banned"
        )


def draw_notices_send(*, gathering_id: int) -> int:
    """Tell every applicant the draw's outcome: winners their deadline, the
    others their waitlist position. Runs as a job after the draw; marking the
    draw first makes a second run send nothing."""
    with transaction.atomic():
        marked = Draw.objects.filter(
            gathering_id=gathering_id, notices_sent_at__isnull=True
        ).update(notices_sent_at=timezone.now())
        if not marked:
            return 0
        gathering = Gathering.objects.select_related("community").get(pk=gathering_id)
        applications = list(
            Application.objects.filter(
                gathering=gathering,
                status__in=[ApplicationStatus.OFFERED, ApplicationStatus.WAITLISTED],
                rank__isnull=False,
            ).select_related("member")
        )
        offered = [a for a in applications if a.status == ApplicationStatus.OFFERED]
        notices_send(
            items=[(a.member, {"deadline": a.offer_expires_at}) for a in offered],
            gathering=gathering,
            detail=_(
                "You won a seat at ‘%(title)s’ in the draw! Confirm it by %(deadline)s."
            ),
            push=offer_push(min(a.offer_expires_at for a in offered))
            if offered
            else None,
        )
        notices_send(
            items=[
                (a.member, {"position": a.waitlist_position})
                for a in applications
                if a.status == ApplicationStatus.WAITLISTED
            ],
            gathering=gathering,
            detail=_(
                "The draw for ‘%(title)s’ is done: you are number %(position)s on "
                "the waitlist. If a seat comes free, it is offered to you."
            ),
        )
        receipts_drawn_send(
            gathering=gathering,
            applications=applications,
            record=Draw.objects.values_list("record", flat=True).get(
                gathering=gathering
            ),
        )
    return len(applications)


@task()
def draw_notices_task(*, gathering_id: int) -> None:
    """``draw_notices_send`` as a queued job, after the draw."""
    draw_notices_send(gathering_id=gathering_id)


def _drawn(gathering: Gathering) -> bool:
    return Draw.objects.filter(gathering=gathering).exists()
