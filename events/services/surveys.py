"""The feedback survey: opening and closing it (from the lifecycle), the
organiser's settings and questions, and an attendee's one response.

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

import hashlib
import hmac
import json
import logging
import os
import random
import unicodedata
from datetime import datetime

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

from community.access import Access
from community.models import Member
from events.access import (
    answer_refusal,
    attendee_filter,
    organiser_write_refusal,
    organising,
    response_refusal,
    survey_open_refusal,
)
from events.errors import EventsError, SealedResponsesUnopenable
from events.models import (
    SURVEY_MIN_RESPONSES_FLOOR,
    Application,
    Gathering,
    SealedResponse,
    Survey,
    SurveyInvitation,
    SurveyParticipation,
    SurveyResponse,
)
from events.services.notices import notice_send

RATING = "rating"
CHOICE = "choice"
TEXT = "text"
YES_NO = "yes_no"
QUESTION_KINDS = [RATING, CHOICE, TEXT]

# Every survey's own questions, before the organiser's.
SATISFACTION = "satisfaction"
BUILT_IN = [
    {"key": SATISFACTION, "kind": RATING, "required": True},
    {"key": "useful", "kind": TEXT},
    {"key": "change", "kind": TEXT},
    {"key": "again", "kind": YES_NO},
]
BUILT_IN_LABELS = {
    SATISFACTION: _("Overall, how satisfied are you with this gathering?"),
    "useful": _("What was most useful?"),
    "change": _("What should change?"),
    "again": _("Would you join again?"),
}
MAX_QUESTIONS = 5
MAX_CHOICES = 8
TEXT_LIMIT = 1000
LABEL_LIMIT = 200
CHOICE_LIMIT = 100

# Every sealed box holds exactly this many bytes of (padded) answers, so its
# size tells nothing. Seven texts of 1,000 characters fit: at most 4 bytes a
# character in UTF-8 or as a JSON escape (control characters are removed).
SEAL_SIZE = 32 * 1024
NONCE_SIZE = 12

logger = logging.getLogger(__name__)

INVITATION = _(
    "‘%(title)s’ is over. Please tell the organisers how it went in its "
    "anonymous survey, open until %(close)s. You can also keep what you took "
    "from it on your path."
)


# --- Questions -----------------------------------------------------------------


def survey_questions(survey: Survey) -> list[dict]:
    """The built-in questions (labels in the active language) and then the
    organiser's."""
    built_in = [{**q, "label": BUILT_IN_LABELS[q["key"]]} for q in BUILT_IN]
    return built_in + [
        {**q, "required": False} for q in (survey.questions if survey else [])
    ]


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


def _locked_survey(gathering: Gathering) -> Survey:
    survey_for(gathering)
    return Survey.objects.select_for_update().get(gathering=gathering)


def survey_settings_update(
    *,
    gathering: Gathering,
    min_responses: int,
    duration_days: int,
    access: Access | None = None,
) -> Survey:
    """An organiser sets k and how long the survey stays open, until the
    first response arrives. Takes the survey's row lock (and then, once the
    survey is open, runs the lifecycle, which takes the gathering's): its
    close moves with the period. ``access`` is the organiser's, who must not
    be muted (``organiser_write_refusal``); None for the site itself."""
    if access is not None and (refusal := organiser_write_refusal(access)):
        raise refusal
    if min_responses < SURVEY_MIN_RESPONSES_FLOOR:
        raise EventsError("survey_k_too_low", floor=SURVEY_MIN_RESPONSES_FLOOR)
    if not 1 <= duration_days <= 30:
        raise EventsError("survey_duration")
    with transaction.atomic():
        survey = _locked_survey(gathering)
        if survey.locked:
            raise EventsError("survey_locked")
        survey.min_responses = min_responses
        survey.duration = timezone.timedelta(days=duration_days)
        if survey.opens_at is not None:
            survey.closes_at = survey.opens_at + survey.duration
        survey.save(update_fields=["min_responses", "duration", "closes_at"])
    if survey.opens_at is not None:
        # The close moved: the lifecycle reschedules its job, or closes the
        # survey now if the new close has already passed.
        from events.services.lifecycle import gathering_advance

        gathering_advance(gathering_id=gathering.pk)
    return survey


def survey_question_add(
    *,
    gathering: Gathering,
    kind: str,
    label: str,
    choices: list[str] | None = None,
    access: Access | None = None,
) -> Survey:
    """An organiser adds a rating, single-choice or text question, until the
    first response arrives. Takes the survey's row lock. ``access`` is the
    organiser's, who must not be muted (``organiser_write_refusal``); None
    for the site itself."""
    if access is not None and (refusal := organiser_write_refusal(access)):
        raise refusal
    label = _clean_text(label)[:LABEL_LIMIT].strip()
    choices = [
        c for c in (_clean_text(c)[:CHOICE_LIMIT].strip() for c in choices or []) if c
    ]
    if kind not in QUESTION_KINDS or not label:
        raise EventsError("survey_question_invalid")
    if kind == CHOICE and not 2 <= len(choices) <= MAX_CHOICES:
        raise EventsError("survey_question_invalid")
    with transaction.atomic():
        survey = _locked_survey(gathering)
        if survey.locked:
            raise EventsError("survey_locked")
        if len(survey.questions) >= MAX_QUESTIONS:
            raise EventsError("survey_too_many_questions", limit=MAX_QUESTIONS)
        number = 1 + max((int(q["key"][1:]) for q in survey.questions), default=0)
        question = {"key": f"q{number}", "kind": kind, "label": label}
        if kind == CHOICE:
            question["choices"] = choices
        survey.questions = [*survey.questions, question]
        survey.save(update_fields=["questions"])
    return survey


def survey_question_remove(
    *, gathering: Gathering, key: str, access: Access | None = None
) -> Survey:
    """An organiser removes one of their questions, until the first response
    arrives. Takes the survey's row lock. ``access`` is the organiser's, who
    must not be muted (``organiser_write_refusal``)."""
    if access is not None and (refusal := organiser_write_refusal(access)):
        raise refusal
    with transaction.atomic():
        survey = _locked_survey(gathering)
        if survey.locked:
            raise EventsError("survey_locked")
        survey.questions = [q for q in survey.questions if q["key"] != key]
        survey.save(update_fields=["questions"])
    return survey


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
    survey = _locked_survey(gathering)
    boxes = list(
        SealedResponse.objects.filter(survey=survey).values_list("box", flat=True)
    )
    if len(boxes) < survey.min_responses:
        SealedResponse.objects.filter(survey=survey).delete()
        survey.response_count = len(boxes)
        survey.satisfaction_average = None
        survey.save(update_fields=["response_count", "satisfaction_average"])
        return survey
    opened = [a for a in map(_unseal_or_none(survey), boxes) if a is not None]
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
        survey = _locked_survey(gathering)
        open_box = _unseal_or_none(survey)
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
            survey = _locked_survey(gathering)
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
            )
            if refusal is not None:
                raise refusal
            clean = answers_clean(survey=survey, answers=answers)
            box = _seal(survey, clean)
            SurveyParticipation.objects.create(survey=survey, member=member)
            SealedResponse.objects.create(survey=survey, box=box)
            if not survey.locked:
                survey.locked = True
                survey.save(update_fields=["locked"])
    except IntegrityError:
        raise EventsError("survey_answered") from None


def _clean_text(value) -> str:
    """Text without control characters (newlines and tabs kept)."""
    text = str(value or "")
    return "".join(
        ch
        for ch in text
        if ch in "\n\t" or not unicodedata.category(ch).startswith("C")
    )


def _integer(value) -> int:
    """An int, or a string of digits (as a form posts it); nothing else (a
    bool, a float, a list) passes for a number."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    raise ValueError(value)


@sensitive_variables("answers", "clean")
def answers_clean(*, survey: Survey, answers: dict) -> dict:
    """The answers as stored: ratings 1-5, a choice's index, "yes"/"no",
    texts trimmed; questions left unanswered are left out. Raises
    EventsError (naming the question, never the answer) when one is not
    valid or the satisfaction rating is missing."""
    clean: dict = {}
    for question in survey_questions(survey):
        key, kind = question["key"], question["kind"]
        value = answers.get(key)
        if value in (None, ""):
            if question.get("required"):
                raise EventsError("survey_rating_required")
            continue
        try:
            if kind == RATING:
                number = _integer(value)
                if not 1 <= number <= 5:
                    raise ValueError(key)
                clean[key] = number
            elif kind == CHOICE:
                index = _integer(value)
                if not 0 <= index < len(question["choices"]):
                    raise ValueError(key)
                clean[key] = index
            elif kind == YES_NO:
                if value not in ("yes", "no"):
                    raise ValueError(key)
                clean[key] = value
            else:
                if not isinstance(value, str):
                    raise ValueError(key)
                text = _clean_text(value).strip()
                if len(text) > TEXT_LIMIT:
                    raise EventsError("too_long", limit=TEXT_LIMIT)
                if text:
                    clean[key] = text
        except (TypeError, ValueError):
            raise EventsError(
                "survey_invalid_answer", question=str(question["label"])
            ) from None
    return clean


# --- Sealing -------------------------------------------------------------------


def _key(secret: str, survey: Survey) -> bytes:
    message = f"moim.survey-seal:{survey.pk}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).digest()


@sensitive_variables("answers", "plain")
def _seal(survey: Survey, answers: dict) -> bytes:
    plain = json.dumps(answers, ensure_ascii=False, separators=(",", ":")).encode()
    if len(plain) > SEAL_SIZE:
        raise EventsError("too_long", limit=TEXT_LIMIT)
    plain = plain.ljust(SEAL_SIZE, b" ")
    nonce = os.urandom(NONCE_SIZE)
    aad = str(survey.pk).encode()
    return nonce + AESGCM(_key(settings.SECRET_KEY, survey)).encrypt(nonce, plain, aad)


def sealed_unopenable_count(survey: Survey) -> int:
    """How many of the survey's sealed responses no key of the site opens:
    not 0 after ``SECRET_KEY`` was rotated without the old key in
    ``SECRET_KEY_FALLBACKS`` (the close then waits). Opens every box."""
    boxes = SealedResponse.objects.filter(survey=survey).values_list("box", flat=True)
    return sum(1 for box in boxes if _unseal_or_none(survey)(box) is None)


def unseal(survey: Survey, box: bytes) -> dict:
    """The answers in a sealed box, under the current secret or one of its
    fallbacks (a rotated SECRET_KEY keeps open surveys readable). Raises
    InvalidTag when none opens it."""
    box = bytes(box)
    nonce, sealed = box[:NONCE_SIZE], box[NONCE_SIZE:]
    aad = str(survey.pk).encode()
    for secret in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]:
        try:
            plain = AESGCM(_key(secret, survey)).decrypt(nonce, sealed, aad)
        except InvalidTag:
            continue
        return json.loads(plain)
    raise InvalidTag


def _unseal_or_none(survey: Survey):
    def open_box(box: bytes) -> dict | None:
        try:
            return unseal(survey, box)
        except InvalidTag:
            return None

    return open_box
