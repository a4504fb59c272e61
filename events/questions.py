"""The survey's question schema: the kinds of question, the built-in
questions every survey asks before the organiser's, their limits, and how
an answer is checked and stored. No queries: forms, selectors and the
survey services read it alike."""

import unicodedata

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

from events.errors import EventsError
from events.models import Survey


class QuestionKind(models.TextChoices):
    RATING = "rating", _("Rating from 1 to 5")
    CHOICE = "choice", _("One choice")
    TEXT = "text", _("Text")
    YES_NO = "yes_no", _("Yes or no")


# The kinds an organiser may add (yes/no is built in only).
QUESTION_KINDS = [QuestionKind.RATING, QuestionKind.CHOICE, QuestionKind.TEXT]

# Every survey's own questions, before the organiser's.
SATISFACTION = "satisfaction"
BUILT_IN = [
    {"key": SATISFACTION, "kind": QuestionKind.RATING, "required": True},
    {"key": "useful", "kind": QuestionKind.TEXT},
    {"key": "change", "kind": QuestionKind.TEXT},
    {"key": "again", "kind": QuestionKind.YES_NO},
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


def survey_questions(survey: Survey) -> list[dict]:
    """The built-in questions (labels in the active language) and then the
    organiser's."""
    built_in = [{**q, "label": BUILT_IN_LABELS[q["key"]]} for q in BUILT_IN]
    return built_in + [
        {**q, "required": False} for q in (survey.questions if survey else [])
    ]


def clean_text(value) -> str:
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
            if kind == QuestionKind.RATING:
                number = _integer(value)
                if not 1 <= number <= 5:
                    raise ValueError(key)
                clean[key] = number
            elif kind == QuestionKind.CHOICE:
                index = _integer(value)
                if not 0 <= index < len(question["choices"]):
                    raise ValueError(key)
                clean[key] = index
            elif kind == QuestionKind.YES_NO:
                if value not in ("yes", "no"):
                    raise ValueError(key)
                clean[key] = value
            else:
                if not isinstance(value, str):
                    raise ValueError(key)
                text = clean_text(value).strip()
                if len(text) > TEXT_LIMIT:
                    raise EventsError("too_long", limit=TEXT_LIMIT)
                if text:
                    clean[key] = text
        except (TypeError, ValueError):
            raise EventsError(
                "survey_invalid_answer", question=str(question["label"])
            ) from None
    return clean
