"""The follow-up: some weeks after a gathering (``MOIM_FOLLOWUP_AFTER_DAYS``
after its end), each attendee who kept a takeaway is asked, once, in the
app and by email, whether they applied it (applied / partly / not yet, with
a note). They may answer, and change their answer, until the round closes
(``MOIM_FOLLOWUP_OPEN_DAYS`` after asking). Then the answers are counted
for the organisers, from k only, as rows that nothing ties to a member
(docs/anonymity.md, "The follow-up").

- The member's own copy (``FollowUp``) is theirs, on their path: sealed, so
  a database reader sees who answered, never what.
- The organisers' counts (``FollowUpOutcome``) are written once, at the
  close, in one shuffled bulk insert under random keys; below k nothing is
  written but how many answered.

``followups_run`` asks and closes whatever is due; it is idempotent (a
unique row per member and gathering, a round per gathering, a close that
happens once), so a worker restarted mid-run asks nobody twice. It runs as
the recurring ``followups_task``, beside it.
"""

import logging
import random
import unicodedata
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.tasks import task
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

from community.access import Access, members_banned_from
from community.models import Member, Membership, NotificationTopic
from events.access import attendee_filter, followup_answer_refusal, organising
from events.errors import EventsError
from events.followup_box import followup_seal, followup_unseal
from events.models import (
    SURVEY_MIN_RESPONSES,
    Application,
    FollowUp,
    FollowUpAnswer,
    FollowUpOutcome,
    FollowUpRound,
    Gathering,
    Survey,
    Takeaway,
)
from events.scheduling import recurring_run, schedule_once
from events.services.notices import notices_send
from events.services.path import OVER
from events.services.seats import locked_gathering

logger = logging.getLogger(__name__)

NOTE_LIMIT = 500
# The recurring job runs this often while a worker runs.
FOLLOWUP_EVERY = timedelta(hours=1)

QUESTION = _(
    "You kept a takeaway from ‘%(title)s’. Did you apply it? You can answer "
    "until %(close)s."
)


def _after() -> timedelta:
    return timedelta(days=settings.MOIM_FOLLOWUP_AFTER_DAYS)


def _open_for() -> timedelta:
    return timedelta(days=settings.MOIM_FOLLOWUP_OPEN_DAYS)


def followup_url(gathering: Gathering) -> str:
    return reverse("followup_answer", args=[gathering.community.slug, gathering.pk])


def followups_due(*, now: datetime) -> list[int]:
    """The gatherings whose follow-up is due and not asked yet: over (not
    cancelled), ended at least ``MOIM_FOLLOWUP_AFTER_DAYS`` ago, and not so
    long ago that the question would come after its own close (a late run
    still asks; a gathering from before the feature is not asked years
    later)."""
    return list(
        Gathering.objects.filter(
            status__in=OVER,
            ends_at__lte=now - _after(),
            ends_at__gt=now - _after() - _open_for(),
            followup_round__isnull=True,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def followup_askees(gathering: Gathering) -> list[Member]:
    """Who is asked: the gathering's attendees (check-in as it stands) who
    kept a takeaway from it, are active members of its community, not
    banned from it and not its organisers (they read the counts)."""
    attendees = Application.objects.filter(attendee_filter(), gathering=gathering)
    return list(
        Member.objects.filter(
            pk__in=attendees.values("member_id"),
            is_active=True,
            left_at__isnull=True,
        )
        .filter(pk__in=Takeaway.objects.filter(gathering=gathering).values("member_id"))
        .filter(
            pk__in=Membership.objects.filter(
                community_id=gathering.community_id
            ).values("member_id")
        )
        .exclude(pk__in=members_banned_from(gathering.community_id))
        .exclude(organising(gathering))
        .order_by("pk")
    )


def followup_round_ask(*, gathering_id: int, now: datetime) -> FollowUpRound | None:
    """Ask ``gathering``'s follow-up: one round, one question per member
    asked, a notification and an email each, in their language. Under the
    gathering's row lock, in one transaction: a second run finds the round
    and asks nobody (and the unique row per member and round would refuse
    a second question anyway). Returns the round, or None if it was asked
    already."""
    with transaction.atomic():
        gathering = locked_gathering(gathering_id)
        if FollowUpRound.objects.filter(gathering=gathering).exists():
            return None
        survey = Survey.objects.filter(gathering=gathering).first()
        round = FollowUpRound.objects.create(
            gathering=gathering,
            min_answers=survey.min_responses if survey else SURVEY_MIN_RESPONSES,
            asked_at=now,
            closes_at=now + _open_for(),
        )
        members = followup_askees(gathering)
        FollowUp.objects.bulk_create(
            [FollowUp(round=round, member=member) for member in members],
            ignore_conflicts=True,
        )
        notices_send(
            items=[(member, {"close": round.closes_at}) for member in members],
            gathering=gathering,
            detail=QUESTION,
            link=followup_url(gathering),
            template="events/email/followup",
            topic=NotificationTopic.FOLLOW_UP,
        )
    return round


def _clean_note(note: str) -> str:
    """The note as stored: trimmed, control characters out (line breaks
    kept)."""
    return "".join(
        c for c in note.strip() if c in "\n\t" or unicodedata.category(c)[0] != "C"
    )


@sensitive_variables("answer", "note")
def followup_answer(
    *,
    access: Access,
    gathering: Gathering,
    answer: str,
    note: str = "",
    now: datetime | None = None,
) -> FollowUp:
    """The member of ``access`` answers their follow-up, or changes their
    answer, while it is open (``followup_answer_refusal``). Only their own
    copy changes: nothing is counted before the close, so changing an
    answer can never count one member twice. Under the round's row lock,
    which the close takes too: an answer is either in the close's count or
    refused as closed."""
    now = now or timezone.now()
    note = _clean_note(note)
    if answer not in FollowUpAnswer.values:
        raise EventsError("followup_answer_unknown")
    if len(note) > NOTE_LIMIT:
        raise EventsError("followup_note_too_long", limit=NOTE_LIMIT)
    with transaction.atomic():
        round = (
            FollowUpRound.objects.select_for_update()
            .filter(gathering=gathering)
            .first()
        )
        followup = (
            FollowUp.objects.filter(round=round, member=access.member)
            .select_related("round")
            .first()
            if round is not None
            else None
        )
        refusal = followup_answer_refusal(followup, access, now)
        if refusal is not None:
            raise refusal
        followup.box = followup_seal(
            round_id=round.pk, member_id=access.member.pk, answer=answer, note=note
        )
        followup.save(update_fields=["box"])
    return followup


def followup_round_close(*, round_id: int, now: datetime) -> bool:
    """Count the round's answers for the organisers, once, after its close:
    every member's copy opened, and from k answers one outcome per answer,
    shuffled (``random.SystemRandom``) and written in one bulk insert under
    random keys, in a transaction that writes nothing tied to a member.
    Below k only how many answered is kept. A copy that no key of the site
    opens stops the close (logged, with the round and a count only) until
    the old key is back in ``SECRET_KEY_FALLBACKS``, as the survey's does.
    Returns whether the round closed now."""
    with transaction.atomic():
        round = FollowUpRound.objects.select_for_update().get(pk=round_id)
        if round.closed or now < round.closes_at:
            return False
        boxes = list(
            FollowUp.objects.filter(round=round, box__isnull=False).values_list(
                "member_id", "box"
            )
        )
        answers = [
            followup_unseal(round_id=round.pk, member_id=member_id, box=box)
            for member_id, box in boxes
        ]
        unopenable = sum(1 for opened in answers if opened is None)
        if unopenable:
            logger.error(
                "follow-up round %s: %d answers cannot be opened with SECRET_KEY "
                "or SECRET_KEY_FALLBACKS; the close waits.",
                round.pk,
                unopenable,
            )
            return False
        outcomes = [opened["answer"] for opened in answers]
        del answers, boxes
        if len(outcomes) >= round.min_answers:
            random.SystemRandom().shuffle(outcomes)
            FollowUpOutcome.objects.bulk_create(
                [FollowUpOutcome(round=round, answer=answer) for answer in outcomes]
            )
        round.answered_count = len(outcomes)
        round.closed = True
        round.save(update_fields=["answered_count", "closed"])
    return True


def followups_run(*, now: datetime | None = None) -> tuple[int, int]:
    """Ask every follow-up due and close every round due. Idempotent: run
    twice, late, or after a worker died halfway, it asks nobody twice and
    counts nothing twice. Returns (rounds asked, rounds closed)."""
    now = now or timezone.now()
    asked = sum(
        followup_round_ask(gathering_id=pk, now=now) is not None
        for pk in followups_due(now=now)
    )
    due = FollowUpRound.objects.filter(closed=False, closes_at__lte=now).values_list(
        "pk", flat=True
    )
    closed = sum(followup_round_close(round_id=pk, now=now) for pk in list(due))
    return asked, closed


@task()
def followups_task() -> None:
    """The recurring follow-up job: what is due asked and closed, then the
    next run queued (``followups_plan``)."""
    recurring_run(
        followups_task, job=followups_run, plan=followups_plan, every=FOLLOWUP_EVERY
    )


def followups_plan(*, when: datetime | None = None) -> bool:
    """Queue ``followups_task`` for ``when`` (now) unless one is waiting, as
    ``consents_review_plan`` does: ``manage.py db_worker`` calls it when it
    starts and every run queues the next. Nothing on a backend that cannot
    defer (tests run tasks at once). Returns whether it queued one."""
    return schedule_once(followups_task, when or timezone.now())
