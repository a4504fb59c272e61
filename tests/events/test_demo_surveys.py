"""seed_demo's surveys and paths: a past gathering rated by 18 attendees at
about 4.0, one whose survey closed below k, one whose survey is open for the
demo account, and a few members with rich paths."""

import pytest
from django.core.management import call_command

from community.models import Member
from events.access import answer_refusal
from events.demo import (
    DEMO_ACCOUNT,
    EARLIER_TITLE,
    ENDED_TITLE,
    RATED_TITLE,
    SURVEY_OPEN_TITLE,
)
from events.models import (
    GatheringStatus,
    PathVisibility,
    Survey,
    SurveyParticipation,
    SurveyResponse,
    Takeaway,
)
from events.selectors import member_path, survey_summary_shown

pytestmark = pytest.mark.django_db


def survey(title: str) -> Survey:
    return Survey.objects.select_related("gathering").get(gathering__title=title)


def test_a_past_gathering_has_eighteen_responses_averaging_about_four(seeded):
    rated = survey(RATED_TITLE)

    assert rated.gathering.status == GatheringStatus.SURVEY_CLOSED
    assert rated.response_count == 18
    assert SurveyResponse.objects.filter(survey=rated).count() == 18
    assert rated.satisfaction_average == pytest.approx(4.0, abs=0.05)
    assert survey_summary_shown(rated)
    assert rated.questions[0]["kind"] == "choice"


def test_one_past_survey_closed_below_the_threshold(seeded):
    ended = survey(ENDED_TITLE)

    assert ended.gathering.status == GatheringStatus.SURVEY_CLOSED
    assert 0 < ended.response_count < ended.min_responses
    assert not survey_summary_shown(ended)


def test_the_community_trend_has_two_rated_gatherings(seeded):
    assert survey_summary_shown(survey(EARLIER_TITLE))


def test_the_demo_account_can_answer_an_open_survey(seeded):
    open_survey = survey(SURVEY_OPEN_TITLE)
    demo = Member.objects.get(email=DEMO_ACCOUNT)

    assert open_survey.gathering.status == GatheringStatus.SURVEY_OPEN
    assert SurveyParticipation.objects.filter(survey=open_survey).count() == 4
    assert not SurveyParticipation.objects.filter(
        survey=open_survey, member=demo
    ).exists()
    assert (
        answer_refusal(member=demo, gathering=open_survey.gathering, survey=open_survey)
        is None
    )


def test_a_few_members_have_rich_paths_others_can_see(seeded):
    # Items counted apart (a takeaway apart from its gathering), as the
    # path's JSON export lists them; the page shows each gathering once.
    rich = [
        member
        for member in Member.objects.filter(takeaways__isnull=False).distinct()
        if len(member_path(member=member, viewer=None, merged=False)) >= 2
        and len(member_path(member=member, viewer=member, merged=False)) >= 4
    ]

    assert len(rich) >= 3
    assert Takeaway.objects.filter(visibility=PathVisibility.PUBLIC).exists()
    owner_view = member_path(member=rich[0], viewer=rich[0], merged=False)
    assert {item.kind for item in owner_view} >= {"attended", "takeaway"}


def test_seeding_twice_adds_no_second_survey_or_response(seeded):
    counts = (Survey.objects.count(), SurveyResponse.objects.count())

    call_command("seed_demo", verbosity=0)

    assert (Survey.objects.count(), SurveyResponse.objects.count()) == counts
