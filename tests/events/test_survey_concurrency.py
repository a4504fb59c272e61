"""One response per attendee under real concurrency on PostgreSQL: fifty
threads, each with its own connection, released together by a barrier, all
submitting for the same attendee. SQLite serialises writers, so this runs
only on PostgreSQL (see tests/conftest.py)."""

from datetime import timedelta

import pytest

from events.models import SealedResponse, Survey, SurveyParticipation, SurveyResponse
from events.services.surveys import response_submit
from tests.events.factories import advance, gathering_held, survey_answers
from tests.events.test_concurrency import run_at_once, unexpected

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_fifty_simultaneous_submissions_by_one_attendee_store_one_response():
    gathering, members = gathering_held(attendees=3)
    survey = Survey.objects.get(gathering=gathering)
    now = survey.opens_at + timedelta(hours=1)
    attendee = members[0]

    outcomes = run_at_once(
        [
            lambda rating=1 + i % 5: response_submit(
                member=attendee,
                gathering=gathering,
                answers=survey_answers(rating),
                now=now,
            )
            for i in range(50)
        ]
    )

    assert unexpected(outcomes, {"survey_answered"}) == []
    assert sum(o is None for o in outcomes) == 1
    assert SurveyParticipation.objects.filter(survey=survey).count() == 1
    assert SealedResponse.objects.filter(survey=survey).count() == 1
    advance(gathering, survey.closes_at)
    survey.refresh_from_db()
    # One response is below k: counted, its answers not kept.
    assert survey.response_count == 1
    assert SealedResponse.objects.filter(survey=survey).count() == 0


def test_attendees_answering_at_once_as_the_survey_closes_lose_nothing():
    gathering, members = gathering_held(attendees=12)
    survey = Survey.objects.get(gathering=gathering)
    just_before = survey.closes_at - timedelta(seconds=1)

    outcomes = run_at_once(
        [
            lambda m=m: response_submit(
                member=m,
                gathering=gathering,
                answers=survey_answers(4),
                now=just_before,
            )
            for m in members
        ]
        + [lambda: advance(gathering, survey.closes_at)]
    )

    assert unexpected(outcomes, {"survey_not_open"}) == []
    answered = SurveyParticipation.objects.filter(survey=survey).count()
    survey.refresh_from_db()
    # Every accepted answer is either among the opened responses or was
    # refused: none is left sealed, none is lost.
    assert SealedResponse.objects.count() == 0
    kept = answered if answered >= survey.min_responses else 0
    assert SurveyResponse.objects.filter(survey=survey).count() == kept
    assert survey.response_count == answered
