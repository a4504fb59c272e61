"""An organiser's set-up of a gathering's survey: how many responses the
results need (k), how long it stays open, and their own questions; all of
it until the first response arrives (the survey's ``locked``)."""

from django.db import transaction
from django.utils import timezone

from community.access import Access
from events.access import organiser_write_refusal
from events.errors import EventsError
from events.models import SURVEY_MIN_RESPONSES_FLOOR, Gathering, Survey
from events.questions import (
    CHOICE_LIMIT,
    LABEL_LIMIT,
    MAX_CHOICES,
    MAX_QUESTIONS,
    QUESTION_KINDS,
    QuestionKind,
    clean_text,
)
from events.services.lifecycle import gathering_advance
from events.services.surveys import locked_survey


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
        survey = locked_survey(gathering)
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
    label = clean_text(label)[:LABEL_LIMIT].strip()
    choices = [
        c for c in (clean_text(c)[:CHOICE_LIMIT].strip() for c in choices or []) if c
    ]
    if kind not in QUESTION_KINDS or not label:
        raise EventsError("survey_question_invalid")
    if kind == QuestionKind.CHOICE and not 2 <= len(choices) <= MAX_CHOICES:
        raise EventsError("survey_question_invalid")
    with transaction.atomic():
        survey = locked_survey(gathering)
        if survey.locked:
            raise EventsError("survey_locked")
        if len(survey.questions) >= MAX_QUESTIONS:
            raise EventsError("survey_too_many_questions", limit=MAX_QUESTIONS)
        number = 1 + max((int(q["key"][1:]) for q in survey.questions), default=0)
        question = {"key": f"q{number}", "kind": kind, "label": label}
        if kind == QuestionKind.CHOICE:
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
        survey = locked_survey(gathering)
        if survey.locked:
            raise EventsError("survey_locked")
        survey.questions = [q for q in survey.questions if q["key"] != key]
        survey.save(update_fields=["questions"])
    return survey
