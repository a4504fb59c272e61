"""The feedback survey: opening and closing it (from the lifecycle, under
the gathering's lock) and an attendee's one response. The organiser's
set-up is ``survey_setup``, the sealing ``sealing``, the questions
``events.questions``, who may answer ``events.access``.

Anonymity is built into the storage (docs/anonymity.md):

- while the survey is open, a response is stored *sealed*: its answers are
  padded to one fixed size and encrypted (AES-GCM) under a key derived from
  the site's secret, which is not in the database. The row that records who
  answered (SurveyParticipation) is written in the same transaction, but
  what it sits next to is a box nobody holding the database can open;
- at the close, under the gathering's lock, every sealed box is opened, the
  responses are shuffled with the operating system's randomness and written
  as SurveyResponse rows (random UUID keys, no time, no member) in one
  transaction, and the boxes are deleted. The rows share that transaction's
  id (PostgreSQL ``xmin``) and lie in the shuffled order (``ctid``, SQLite's
  ``rowid``), which no submission influenced;
- below k the boxes are deleted unopened and only the count is kept: what
  the results pages would hide is stored nowhere;
- a box that no key of the site opens stops the close (it is kept, and the
  operator is told) rather than being dropped; only the operator deletes it,
  explicitly (survey_unopenable_discard), when the old key is truly lost;
- who may answer is fixed when the survey opens (SurveyInvitation), and
  organisers, who read the results, do not answer.

Nothing here logs an answer, and nothing puts one next to a member.
"""

import logging
import random
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

from community.models import Member
from events.access import (
    answer_refusal,
    attendee_filter,
    organising,
    response_refusal,
    survey_open_refusal,
)
from events.errors import EventsError, SealedResponsesUnopenable
from events.models import (
    Application,
    Gathering,
    SealedResponse,
    Survey,
    SurveyInvitation,
    SurveyParticipation,
    SurveyResponse,
)
from events.questions import SATISFACTION, answers_clean
from events.services.notices import notice_send
from events.services.sealing import seal, unseal_or_none

logger = logging.getLogger(__name__)

INVITATION = _(
    "‘%(title)s’ is over. Please tell the organisers how it went in its "
    "anonymous survey, open until %(close)s. You can also keep what you took "
    "from it on your path."
)


# --- The survey row ------------------------------------------------------------


def survey_for(gathering: Gathering) -> Survey:
    """The gathering's survey, made with the defaults the first time it is
    needed."""
    survey, _created = Survey.objects.get_or_create(gathering=gathering)
    return survey


def survey_or_defaults(gathering: Gathering) -> Survey:
    """The gathering's survey as stored, or an unsaved one with the
    defaults: showing the settings page (or refusing what it was sent)
    stores nothing; the services that change it create it."""
    return Survey.objects.filter(gathering=gathering).first() or Survey(
        gathering=gathering
    )


def locked_survey(gathering: Gathering) -> Survey:
    survey_for(gathering)
    return Survey.objects.select_for_update().get(gathering=gathering)


# --- Opening and closing (from the lifecycle) ----------------------------------


def survey_open(*, gathering: Gathering, now: datetime) -> Survey:
    """Open the survey as the gathering ends and invite its attendees, in
    their languages: the invitations, stored, are who may answer from now
    on, whatever check-in records later; organisers are not invited. Caller
    holds the gathering's row lock and moves it to SURVEY_OPEN, which
    happens once: so the invitations go once."""
    survey = survey_for(gathering)
    survey.opens_at = now
    survey.closes_at = now + survey.duration
    survey.save(update_fields=["opens_at", "closes_at"])
    attendees = Application.objects.filter(attendee_filter(), gathering=gathering)
    invited = list(
        Member.objects.filter(pk__in=attendees.values("member_id"))
        .exclude(organising(gathering))
        .order_by("pk")
    )
    SurveyInvitation.objects.bulk_create(
        [SurveyInvitation(survey=survey, member=member) for member in invited],
        ignore_conflicts=True,
    )
    notice_send(
        members=invited,
        gathering=gathering,
        detail=INVITATION,
        context={"close": survey.closes_at},
    )
    return survey


def survey_close(*, gathering: Gathering) -> Survey:
    """Open every sealed response, write them in a shuffled order as
    SurveyResponse rows, delete the boxes and record the count and the
    average satisfaction. Below k, delete the boxes unopened and record the
    count only: results below k are never shown, so nothing is kept that
    they would show. Caller holds the gathering's row lock (inside its
    transaction) and moves it to SURVEY_CLOSED, which happens once.

    Raises SealedResponsesUnopenable, having changed nothing, when a box
    opens under neither ``SECRET_KEY`` nor a fallback: a response is never
    dropped for a rotated secret; the close waits for the old key."""
    survey = locked_survey(gathering)
    boxes = list(
        SealedResponse.objects.filter(survey=survey).values_list("box", flat=True)
    )
    if len(boxes) < survey.min_responses:
        SealedResponse.objects.filter(survey=survey).delete()
        survey.response_count = len(boxes)
        survey.satisfaction_average = None
        survey.save(update_fields=["response_count", "satisfaction_average"])
        return survey
    opened = [a for a in map(unseal_or_none(survey), boxes) if a is not None]
    if len(opened) < len(boxes):
        unopenable = SealedResponsesUnopenable(
            survey_id=survey.pk, count=len(boxes) - len(opened)
        )
        logger.error("%s", unopenable)
        raise unopenable
    random.SystemRandom().shuffle(opened)
    SurveyResponse.objects.bulk_create(
        [SurveyResponse(survey=survey, answers=answers) for answers in opened],
        batch_size=500,
    )
    SealedResponse.objects.filter(survey=survey).delete()
    ratings = [a[SATISFACTION] for a in opened if SATISFACTION in a]
    survey.response_count = len(opened)
    survey.satisfaction_average = sum(ratings) / len(ratings) if ratings else None
    survey.save(update_fields=["response_count", "satisfaction_average"])
    return survey


def survey_unopenable_discard(*, survey_id: int) -> int:
    """Delete the survey's sealed responses that no key of the site opens,
    and return how many: the way out for an operator who has truly lost the
    ``SECRET_KEY`` they were sealed under (``manage.py
    survey_discard_unopenable``; docs/anonymity.md). What does open is kept.

    Runs in its own transaction and takes the gathering's row lock and then
    the survey's, in the close's order, so that no close and no answer runs
    between finding the boxes and deleting them. The close then proceeds at
    its next try with the boxes that remain, under the below-k rule: fewer
    than k of them are deleted unopened too and only their count is kept.
    Raises Survey.DoesNotExist for an unknown id."""
    with transaction.atomic():
        gathering_id = Survey.objects.values_list("gathering_id", flat=True).get(
            pk=survey_id
        )
        gathering = Gathering.objects.select_for_update().get(pk=gathering_id)
        survey = locked_survey(gathering)
        open_box = unseal_or_none(survey)
        unopenable = [
            pk
            for pk, box in SealedResponse.objects.filter(survey=survey).values_list(
                "pk", "box"
            )
            if open_box(box) is None
        ]
        SealedResponse.objects.filter(pk__in=unopenable).delete()
    if unopenable:
        logger.warning(
            "survey %s: %s sealed responses that no key opens were deleted by "
            "the operator.",
            survey_id,
            len(unopenable),
        )
    return len(unopenable)


# --- Answering -----------------------------------------------------------------


@sensitive_variables("answers", "clean", "box")
def response_submit(
    *, member: Member, gathering: Gathering, answers: dict, now: datetime | None = None
) -> None:
    """An attendee's one response. Takes the survey's row lock, so that
    simultaneous submissions by one member are answered one at a time (and
    the unique participation refuses any second one); writes who answered
    and the sealed answers in one transaction, and locks the settings on
    the first response. Only an invited member answers, while the survey is
    open, once (``response_refusal``).
    Refusals raise EventsError and store nothing."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            survey = locked_survey(gathering)
            status = (
                Gathering.objects.filter(pk=gathering.pk)
                .values_list("status", flat=True)
                .get()
            )
            refusal = response_refusal(
                member_refusal=answer_refusal(
                    member=member, gathering=gathering, survey=survey
                ),
                open_refusal=survey_open_refusal(survey, status, now),
                answered=SurveyParticipation.objects.filter(
                    survey=survey, member=member
                ).exists(),
                opened=survey is not None
                and survey.opens_at is not None
                and survey.opens_at <= now,
            )
            if refusal is not None:
                raise refusal
            clean = answers_clean(survey=survey, answers=answers)
            box = seal(survey, clean)
            SurveyParticipation.objects.create(survey=survey, member=member)
            SealedResponse.objects.create(survey=survey, box=box)
            if not survey.locked:
                survey.locked = True
                survey.save(update_fields=["locked"])
    except IntegrityError:
        raise EventsError("survey_answered") from None
