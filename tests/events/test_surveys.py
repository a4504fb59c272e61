"""The feedback survey's rules: it opens when the gathering ends and closes
after its period (applied by the lifecycle, idempotently), attendees are
invited in their language and answer once, everyone else is refused, the
settings lock on the first response (service, database), and at the close
the sealed responses become plain ones with the count and the average."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events.errors import MESSAGES, EventsError
from events.models import (
    GatheringStatus,
    SealedResponse,
    Survey,
    SurveyParticipation,
    SurveyResponse,
)
from events.services.sealing import SEAL_SIZE, unseal
from events.services.survey_setup import (
    survey_question_add,
    survey_question_remove,
    survey_settings_update,
)
from events.services.surveys import response_submit
from tests.events.factories import (
    SECOND,
    advance,
    gathering_drawn,
    gathering_held,
    mails_to,
    member_joined,
    notices_to,
    snapshot,
    survey_answers,
)

pytestmark = pytest.mark.django_db

G = GatheringStatus


def survey_of(gathering) -> Survey:
    return Survey.objects.get(gathering=gathering)


def during(gathering, after: timedelta = timedelta(hours=1)):
    return survey_of(gathering).opens_at + after


def test_the_survey_opens_when_the_gathering_ends_and_not_before():
    gathering, _members = gathering_drawn(capacity=2, applicants=2)

    assert advance(gathering, gathering.ends_at - SECOND).status != G.SURVEY_OPEN
    gathering = advance(gathering, gathering.ends_at)

    assert gathering.status == G.SURVEY_OPEN
    survey = survey_of(gathering)
    assert survey.opens_at == gathering.ends_at
    assert survey.closes_at == gathering.ends_at + timedelta(days=7)
    assert gathering.next_due_at == survey.closes_at


def test_the_survey_closes_after_its_period_and_running_again_changes_nothing():
    gathering, _members = gathering_held(attendees=3)
    closes_at = survey_of(gathering).closes_at

    assert advance(gathering, closes_at - SECOND).status == G.SURVEY_OPEN
    gathering = advance(gathering, closes_at)
    assert gathering.status == G.SURVEY_CLOSED
    before = snapshot(gathering)
    advance(gathering, closes_at + timedelta(days=3))

    assert snapshot(gathering) == before
    assert gathering.next_due_at is None


def test_attendees_are_invited_in_app_and_by_email_once_in_their_language():
    from events.services.attendance import checkin_record
    from events.services.offers import offer_confirm
    from tests.events.factories import application_of

    gathering, members = gathering_drawn(capacity=3, applicants=3)
    for member in members:
        offer_confirm(
            member=member,
            gathering=gathering,
            now=gathering.applications_close_at + SECOND,
        )
    checkin_record(
        gathering=gathering,
        attended={application_of(gathering, members[2]).pk: False},
    )
    korean = members[0]
    korean.language = "ko"
    korean.save(update_fields=["language"])

    gathering = advance(gathering, gathering.ends_at)
    advance(gathering, during(gathering))

    assert len(notices_to(members[1], "anonymous survey")) == 1
    assert len(mails_to(members[1], "anonymous survey")) == 1
    assert len(notices_to(korean, "설문")) == 1
    assert len(mails_to(korean, "설문")) == 1
    assert notices_to(members[2], "survey") == []


def test_an_attendee_answers_once_and_a_second_answer_is_refused():
    gathering, members = gathering_held(attendees=3)
    now = during(gathering)

    response_submit(
        member=members[0], gathering=gathering, answers=survey_answers(5), now=now
    )
    with pytest.raises(EventsError) as refused:
        response_submit(
            member=members[0], gathering=gathering, answers=survey_answers(1), now=now
        )

    assert refused.value.code == "survey_answered"
    assert SurveyParticipation.objects.count() == 1
    assert SealedResponse.objects.count() == 1


@pytest.mark.parametrize("who", ["outsider", "no_show", "not_selected", "organiser"])
def test_anyone_but_an_attendee_is_refused_and_nothing_is_stored(who):
    gathering, members = gathering_drawn(capacity=2, applicants=3)
    from events.services.offers import offer_confirm
    from tests.events.factories import with_status

    for application in with_status(gathering, "offered"):
        offer_confirm(
            member=application.member,
            gathering=gathering,
            now=gathering.applications_close_at + timedelta(minutes=1),
        )
    confirmed = [a.member for a in with_status(gathering, "confirmed")]
    if who == "no_show":
        from events.services.attendance import checkin_record
        from tests.events.factories import application_of

        checkin_record(
            gathering=gathering,
            attended={application_of(gathering, confirmed[0]).pk: False},
        )
    gathering = advance(gathering, gathering.ends_at)
    candidates = {
        "outsider": member_joined(gathering.community),
        "no_show": confirmed[0],
        "not_selected": next(m for m in members if m not in confirmed),
        "organiser": gathering.created_by,
    }

    with pytest.raises(EventsError) as refused:
        response_submit(
            member=candidates[who],
            gathering=gathering,
            answers=survey_answers(),
            now=during(gathering),
        )

    assert refused.value.code == "survey_not_attendee"
    assert SurveyParticipation.objects.count() == 0
    assert SealedResponse.objects.count() == 0


def test_answers_before_the_opening_or_after_the_close_are_refused():
    gathering, members = gathering_drawn(capacity=1, applicants=1)
    from events.services.offers import offer_confirm

    offer_confirm(
        member=members[0],
        gathering=gathering,
        now=gathering.applications_close_at + timedelta(minutes=1),
    )
    with pytest.raises(EventsError) as early:
        response_submit(
            member=members[0],
            gathering=gathering,
            answers=survey_answers(),
            now=gathering.starts_at,
        )
    gathering = advance(gathering, gathering.ends_at)
    gathering = advance(gathering, survey_of(gathering).closes_at)
    with pytest.raises(EventsError) as late:
        response_submit(
            member=members[0],
            gathering=gathering,
            answers=survey_answers(),
            now=survey_of(gathering).closes_at,
        )

    assert (early.value.code, late.value.code) == ("survey_not_open", "survey_not_open")
    assert SurveyParticipation.objects.count() == 0


@pytest.mark.parametrize(
    ("answers", "code"),
    [
        ({}, "survey_rating_required"),
        ({"satisfaction": 6}, "survey_invalid_answer"),
        ({"satisfaction": "four"}, "survey_invalid_answer"),
        ({"satisfaction": 4, "again": "maybe"}, "survey_invalid_answer"),
        ({"satisfaction": 4, "useful": "가" * 1001}, "too_long"),
    ],
)
def test_invalid_answers_are_refused_and_nothing_is_stored(answers, code):
    gathering, members = gathering_held(attendees=1)

    with pytest.raises(EventsError) as refused:
        response_submit(
            member=members[0],
            gathering=gathering,
            answers=answers,
            now=during(gathering),
        )

    assert refused.value.code == code
    assert SurveyParticipation.objects.count() == 0
    assert not survey_of(gathering).locked


def test_a_sealed_response_has_one_size_and_carries_no_readable_answer():
    gathering, members = gathering_held(attendees=2)
    now = during(gathering)
    secret = "전환 추적 세션이 제일 좋았어요"
    response_submit(
        member=members[0],
        gathering=gathering,
        answers=survey_answers(5, useful=secret * 30),
        now=now,
    )
    response_submit(
        member=members[1], gathering=gathering, answers=survey_answers(3), now=now
    )

    boxes = [bytes(b) for b in SealedResponse.objects.values_list("box", flat=True)]
    assert {len(b) for b in boxes} == {12 + SEAL_SIZE + 16}
    for box in boxes:
        assert secret.encode() not in box
        assert b"satisfaction" not in box
    survey = survey_of(gathering)
    assert sorted(unseal(survey, b)["satisfaction"] for b in boxes) == [3, 5]


def test_a_rotated_secret_in_the_fallbacks_still_opens_the_boxes(settings):
    gathering, members = gathering_held(attendees=3)
    survey_settings_update(gathering=gathering, min_responses=3, duration_days=7)
    for member, rating in zip(members, [4, 2, 5], strict=True):
        response_submit(
            member=member,
            gathering=gathering,
            answers=survey_answers(rating),
            now=during(gathering),
        )
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-" + "x" * 50

    gathering = advance(gathering, survey_of(gathering).closes_at)

    assert gathering.status == G.SURVEY_CLOSED
    assert sorted(
        a["satisfaction"]
        for a in SurveyResponse.objects.values_list("answers", flat=True)
    ) == [2, 4, 5]


def test_the_close_opens_every_box_and_records_count_and_average():
    gathering, members = gathering_held(attendees=5)
    now = during(gathering)
    for member, rating in zip(members, [5, 4, 4, 3, 4], strict=True):
        response_submit(
            member=member,
            gathering=gathering,
            answers=survey_answers(rating, again="yes", useful=f"좋았던 점 {rating}"),
            now=now,
        )

    advance(gathering, survey_of(gathering).closes_at)

    survey = survey_of(gathering)
    assert SealedResponse.objects.count() == 0
    assert SurveyResponse.objects.filter(survey=survey).count() == 5
    assert survey.response_count == 5
    assert survey.satisfaction_average == pytest.approx(4.0)
    assert sorted(
        r["satisfaction"]
        for r in SurveyResponse.objects.values_list("answers", flat=True)
    ) == [3, 4, 4, 4, 5]


def test_organiser_questions_are_answered_and_validated():
    gathering, members = gathering_held(attendees=2)
    survey_question_add(
        gathering=gathering, kind="choice", label="다음 주제는?", choices=["GA4", "MMM"]
    )
    survey_question_add(gathering=gathering, kind="rating", label="진행은 어땠나요?")
    survey_question_add(gathering=gathering, kind="text", label="연사에게 한마디")
    now = during(gathering)

    response_submit(
        member=members[0],
        gathering=gathering,
        answers=survey_answers(4, q1="1", q2="5", q3="감사합니다"),
        now=now,
    )
    with pytest.raises(EventsError) as refused:
        response_submit(
            member=members[1],
            gathering=gathering,
            answers=survey_answers(4, q1="2"),
            now=now,
        )

    assert refused.value.code == "survey_invalid_answer"
    assert "다음 주제는?" in refused.value.message
    box = SealedResponse.objects.get().box
    assert unseal(survey_of(gathering), box) == {
        "satisfaction": 4,
        "q1": 1,
        "q2": 5,
        "q3": "감사합니다",
    }


def test_questions_and_settings_can_change_until_the_first_response():
    gathering, _members = gathering_held(attendees=2)
    survey_question_add(gathering=gathering, kind="text", label="하나")
    survey_question_add(gathering=gathering, kind="text", label="둘")
    survey_question_remove(gathering=gathering, key="q1")
    survey = survey_settings_update(
        gathering=gathering, min_responses=3, duration_days=3
    )

    assert [q["label"] for q in survey.questions] == ["둘"]
    assert survey.closes_at == survey.opens_at + timedelta(days=3)
    gathering.refresh_from_db()
    assert gathering.next_due_at == survey.closes_at


def test_the_first_response_locks_k_the_period_and_the_questions():
    gathering, members = gathering_held(attendees=2)
    response_submit(
        member=members[0],
        gathering=gathering,
        answers=survey_answers(),
        now=during(gathering),
    )

    for change in (
        lambda: survey_settings_update(
            gathering=gathering, min_responses=3, duration_days=7
        ),
        lambda: survey_question_add(
            gathering=gathering, kind="text", label="늦은 질문"
        ),
        lambda: survey_question_remove(gathering=gathering, key="q1"),
    ):
        with pytest.raises(EventsError) as refused:
            change()
        assert refused.value.code == "survey_locked"
    survey = survey_of(gathering)
    assert (survey.min_responses, survey.questions) == (5, [])


@pytest.mark.parametrize(
    "change",
    [
        {"min_responses": 3},
        {"duration": timedelta(days=2)},
        {"questions": [{"key": "q1", "kind": "text", "label": "늦은 질문"}]},
        {"locked": False},
    ],
)
def test_the_database_refuses_to_change_a_locked_survey(change):
    gathering, members = gathering_held(attendees=1)
    response_submit(
        member=members[0],
        gathering=gathering,
        answers=survey_answers(),
        now=during(gathering),
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        Survey.objects.filter(gathering=gathering).update(**change)


def test_k_below_three_is_refused_by_the_service_and_the_database():
    gathering, _ = gathering_held(attendees=1)

    with pytest.raises(EventsError) as refused:
        survey_settings_update(gathering=gathering, min_responses=2, duration_days=7)
    with pytest.raises(IntegrityError), transaction.atomic():
        Survey.objects.filter(gathering=gathering).update(min_responses=2)

    assert refused.value.code == "survey_k_too_low"


# --- Any input -----------------------------------------------------------------


ANSWER_VALUES = st.one_of(
    st.none(),
    st.integers(-3, 9),
    st.text(max_size=1200),
    st.sampled_from(["yes", "no", "maybe", "3", "0", "1"]),
    st.lists(st.integers(), max_size=3),
    st.floats(allow_nan=True),
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    answers=st.dictionaries(
        st.sampled_from(["satisfaction", "useful", "change", "again", "q1", "x"]),
        ANSWER_VALUES,
        max_size=6,
    )
)
def test_any_answers_are_stored_clean_or_refused_with_nothing_stored(answers):
    """Whatever is posted: a keyed refusal and nothing stored, or one sealed
    response whose opened answers are all valid."""
    with transaction.atomic():
        gathering, members = gathering_held(attendees=1)
        survey_question_add(
            gathering=gathering, kind="choice", label="주제", choices=["A", "B"]
        )
        try:
            response_submit(
                member=members[0],
                gathering=gathering,
                answers=answers,
                now=during(gathering),
            )
        except EventsError as refused:
            assert refused.message
            assert not SealedResponse.objects.exists()
            assert not SurveyParticipation.objects.exists()
        else:
            box = SealedResponse.objects.get().box
            stored = unseal(survey_of(gathering), box)
            assert 1 <= stored["satisfaction"] <= 5
            assert stored.get("again") in (None, "yes", "no")
            assert stored.get("q1") in (None, 0, 1)
            assert set(stored) <= {"satisfaction", "useful", "change", "again", "q1"}
        transaction.set_rollback(True)


@pytest.mark.parametrize("rating", [True, 4.5, [4], "4.0", " "])
def test_a_rating_must_be_a_whole_number_as_posted(rating):
    gathering, members = gathering_held(attendees=1)

    with pytest.raises(EventsError):
        response_submit(
            member=members[0],
            gathering=gathering,
            answers={"satisfaction": rating},
            now=during(gathering),
        )


def test_a_period_shortened_into_the_past_closes_the_survey_at_once():
    gathering, _members = gathering_held(attendees=1)
    from django.utils import timezone

    # Opened two days ago (by the wall clock), for a week.
    Survey.objects.filter(gathering=gathering).update(
        opens_at=timezone.now() - timedelta(days=2),
        closes_at=timezone.now() + timedelta(days=5),
    )

    survey_settings_update(gathering=gathering, min_responses=5, duration_days=1)

    gathering.refresh_from_db()
    assert gathering.status == G.SURVEY_CLOSED
    assert survey_of(gathering).response_count == 0


# --- Who may answer is fixed at the open (issue 13: the n-1 attack) -----------


def _record(gathering, attended: dict) -> None:
    from events.services.attendance import checkin_record
    from tests.events.factories import application_of

    checkin_record(
        gathering=gathering,
        attended={application_of(gathering, m).pk: v for m, v in attended.items()},
    )


def test_an_organiser_cannot_isolate_one_answer_by_no_shows_and_own_answers():
    """The attack: a host who also holds a seat sets k = 3, marks every
    attendee but the target as a no-show once the survey is open, and
    answers as themselves and as an account they control, so that the
    results show the target's answer alone among two known ones."""
    from events.selectors import survey_results

    gathering, members = gathering_held(attendees=6)
    host, puppet, target, *others = members
    gathering.hosts.add(host)
    survey_settings_update(gathering=gathering, min_responses=3, duration_days=7)
    _record(gathering, dict.fromkeys(others, False))
    now = during(gathering)
    secret = "타깃만 쓴 답변"

    response_submit(
        member=target,
        gathering=gathering,
        answers=survey_answers(1, useful=secret),
        now=now,
    )
    response_submit(
        member=puppet, gathering=gathering, answers=survey_answers(5), now=now
    )
    with pytest.raises(EventsError) as refused:
        response_submit(
            member=host, gathering=gathering, answers=survey_answers(5), now=now
        )
    gathering = advance(gathering, survey_of(gathering).closes_at)
    results = survey_results(gathering=gathering)

    assert refused.value.code == "survey_organiser"
    assert (results.responses, results.enough) == (2, False)
    assert results.questions == []


def test_who_may_answer_is_fixed_when_the_survey_opens():
    gathering, members = gathering_held(attendees=4, no_shows=1)
    present, later_no_show, no_show = members[0], members[1], members[3]
    # After the open, check-in moves one attendee out and one back in.
    _record(gathering, {later_no_show: False, no_show: True})
    now = during(gathering)

    response_submit(
        member=later_no_show, gathering=gathering, answers=survey_answers(), now=now
    )
    response_submit(
        member=present, gathering=gathering, answers=survey_answers(), now=now
    )
    with pytest.raises(EventsError) as refused:
        response_submit(
            member=no_show, gathering=gathering, answers=survey_answers(), now=now
        )

    assert refused.value.code == "survey_not_attendee"
    assert SurveyParticipation.objects.count() == 2


def test_a_host_who_holds_a_seat_is_not_invited_and_cannot_answer():
    from events.models import SurveyInvitation

    gathering, members = gathering_drawn(capacity=3, applicants=3)
    from events.services.offers import offer_confirm

    for member in members:
        offer_confirm(
            member=member,
            gathering=gathering,
            now=gathering.applications_close_at + SECOND,
        )
    gathering.hosts.add(members[0])
    gathering = advance(gathering, gathering.ends_at)

    invited = set(
        SurveyInvitation.objects.filter(survey__gathering=gathering).values_list(
            "member_id", flat=True
        )
    )
    with pytest.raises(EventsError) as refused:
        response_submit(
            member=members[0],
            gathering=gathering,
            answers=survey_answers(),
            now=during(gathering),
        )

    assert invited == {members[1].pk, members[2].pk}
    assert notices_to(members[0], "anonymous survey") == []
    assert refused.value.code == "survey_organiser"


def test_a_member_made_host_after_the_open_can_no_longer_answer():
    gathering, members = gathering_held(attendees=3)
    gathering.hosts.add(members[0])

    with pytest.raises(EventsError) as refused:
        response_submit(
            member=members[0],
            gathering=gathering,
            answers=survey_answers(),
            now=during(gathering),
        )

    assert refused.value.code == "survey_organiser"


def test_check_in_changed_after_the_close_changes_nothing_the_results_show():
    from events.selectors import survey_results

    gathering, members = gathering_held(attendees=6)
    survey_settings_update(gathering=gathering, min_responses=3, duration_days=7)
    for member, rating in zip(members[:4], [5, 4, 3, 4], strict=True):
        response_submit(
            member=member,
            gathering=gathering,
            answers=survey_answers(rating, useful=f"텍스트 {rating}"),
            now=during(gathering),
        )
    gathering = advance(gathering, survey_of(gathering).closes_at)

    def shown():
        results = survey_results(gathering=gathering)
        return (
            results.responses,
            results.progress.attendees,
            results.rate_percent,
            [(q.key, q.average, sorted(q.texts)) for q in results.questions],
        )

    before = shown()
    _record(gathering, dict.fromkeys(members, False))

    assert shown() == before
    assert before[:3] == (4, 6, 67)


# --- A rotated secret loses no response (issue 13) -----------------------------


def _answered_by_three(gathering, members, ratings=(4, 2, 5)):
    if not survey_of(gathering).locked:
        survey_settings_update(gathering=gathering, min_responses=3, duration_days=7)
    for member, rating in zip(members, ratings, strict=False):
        response_submit(
            member=member,
            gathering=gathering,
            answers=survey_answers(rating),
            now=during(gathering),
        )


def _rotate(settings, *, keep_old: bool) -> str:
    old = settings.SECRET_KEY
    settings.SECRET_KEY = "a-new-secret-" + "y" * 50
    settings.SECRET_KEY_FALLBACKS = [old] if keep_old else []
    return old


def test_a_secret_rotated_without_the_fallback_keeps_the_responses_and_the_close_waits(
    settings, caplog
):
    gathering, members = gathering_held(attendees=3)
    _answered_by_three(gathering, members)
    closes_at = survey_of(gathering).closes_at
    old = _rotate(settings, keep_old=False)

    with caplog.at_level("ERROR", logger="events.services.surveys"):
        gathering = advance(gathering, closes_at)

    survey = survey_of(gathering)
    assert gathering.status == G.SURVEY_OPEN
    assert (survey.response_count, survey.satisfaction_average) == (None, None)
    assert SealedResponse.objects.filter(survey=survey).count() == 3
    assert SurveyResponse.objects.count() == 0
    # The operator is told, without any answer or member in the line.
    errors = [r for r in caplog.records if r.levelname == "ERROR"]
    assert len(errors) == 1
    assert "3 sealed responses cannot be opened" in errors[0].getMessage()
    assert "SECRET_KEY_FALLBACKS" in errors[0].getMessage()
    # Tried again later, not in a loop.
    assert gathering.next_due_at == closes_at + timedelta(hours=1)

    settings.SECRET_KEY_FALLBACKS = [old]
    gathering = advance(gathering, gathering.next_due_at)

    survey = survey_of(gathering)
    assert gathering.status == G.SURVEY_CLOSED
    assert survey.response_count == 3
    assert sorted(
        a["satisfaction"]
        for a in SurveyResponse.objects.values_list("answers", flat=True)
    ) == [2, 4, 5]
    assert SealedResponse.objects.count() == 0


def test_responses_sealed_on_both_sides_of_a_rotation_all_open_with_the_fallback(
    settings,
):
    gathering, members = gathering_held(attendees=3)
    _answered_by_three(gathering, members[:1], ratings=(1,))
    old = _rotate(settings, keep_old=False)
    _answered_by_three(gathering, members[1:], ratings=(3, 5))
    closes_at = survey_of(gathering).closes_at

    refused = advance(gathering, closes_at)
    settings.SECRET_KEY_FALLBACKS = [old]
    closed = advance(gathering, closes_at + timedelta(hours=1))

    assert refused.status == G.SURVEY_OPEN
    assert closed.status == G.SURVEY_CLOSED
    assert survey_of(gathering).response_count == 3
    assert survey_of(gathering).satisfaction_average == pytest.approx(3.0)


def test_the_system_check_names_surveys_whose_responses_cannot_be_opened(settings):
    from django.core.checks import run_checks

    gathering, members = gathering_held(attendees=3)
    _answered_by_three(gathering, members)
    survey = survey_of(gathering)

    def findings():
        return [f for f in run_checks(databases=["default"]) if f.id == "events.E001"]

    assert findings() == []
    old = _rotate(settings, keep_old=False)
    found = findings()
    settings.SECRET_KEY_FALLBACKS = [old]

    assert len(found) == 1
    assert found[0].is_serious()
    assert f"{survey.pk} (3)" in found[0].msg
    assert "SECRET_KEY_FALLBACKS" in found[0].hint
    assert findings() == []


# --- Below k, nothing is kept that the results would hide (issue 13) ----------


def test_below_k_the_close_keeps_the_count_and_no_answer():
    gathering, members = gathering_held(attendees=3)
    secret = "한 사람만 남긴 답변"
    response_submit(
        member=members[0],
        gathering=gathering,
        answers=survey_answers(2, useful=secret),
        now=during(gathering),
    )

    advance(gathering, survey_of(gathering).closes_at)

    survey = survey_of(gathering)
    assert (survey.response_count, survey.satisfaction_average) == (1, None)
    assert SurveyResponse.objects.count() == 0
    assert SealedResponse.objects.count() == 0


def test_below_k_the_close_needs_no_key(settings):
    """Answers that would never be shown are deleted unopened: a rotated
    secret does not hold such a survey open."""
    gathering, members = gathering_held(attendees=3)
    response_submit(
        member=members[0],
        gathering=gathering,
        answers=survey_answers(2),
        now=during(gathering),
    )
    _rotate(settings, keep_old=False)

    gathering = advance(gathering, survey_of(gathering).closes_at)

    assert gathering.status == G.SURVEY_CLOSED
    assert survey_of(gathering).response_count == 1
    assert SealedResponse.objects.count() == 0


def test_the_migration_discards_answers_kept_below_k_before_it():
    import importlib

    from django.apps import apps

    migration = importlib.import_module("events.migrations.0007_survey_below_k_discard")
    below, _ = gathering_held(attendees=1)
    above, _ = gathering_held(attendees=1)
    for gathering, count in ((below, 2), (above, 3)):
        survey = survey_of(gathering)
        Survey.objects.filter(pk=survey.pk).update(
            min_responses=3, response_count=count, satisfaction_average=4.0
        )
        SurveyResponse.objects.bulk_create(
            [
                SurveyResponse(survey=survey, answers={"satisfaction": 4})
                for _ in range(count)
            ]
        )

    migration.discard_below_k(apps, None)

    assert survey_of(below).satisfaction_average is None
    assert survey_of(below).response_count == 2
    assert SurveyResponse.objects.filter(survey__gathering=below).count() == 0
    assert survey_of(above).satisfaction_average == 4.0
    assert SurveyResponse.objects.filter(survey__gathering=above).count() == 3


def test_the_migration_invites_the_attendees_of_surveys_opened_before_it():
    import importlib

    from django.apps import apps

    from events.models import SurveyInvitation

    migration = importlib.import_module("events.migrations.0006_survey_invitations")
    gathering, members = gathering_held(attendees=4, no_shows=1)
    gathering.hosts.add(members[0])
    # A survey not opened yet gets no invitation.
    not_open, _ = gathering_drawn(capacity=1, applicants=1)
    Survey.objects.create(gathering=not_open)
    SurveyInvitation.objects.all().delete()

    migration.invite_attendees_of_opened_surveys(apps, None)

    assert set(SurveyInvitation.objects.values_list("survey__gathering", "member")) == {
        (gathering.pk, members[1].pk),
        (gathering.pk, members[2].pk),
    }


def test_the_organisers_refusal_speaks_as_moim_does_everywhere():
    # Moim speaks 해요체; this refusal was the formal 합니다체.
    with translation.override("ko"):
        text = str(MESSAGES["survey_organiser"])

    assert "니다" not in text
    assert [sentence.endswith("요") for sentence in text.split(".") if sentence] == [
        True,
        True,
    ]


# --- The operator's way out when the old key is lost (issue 13 review, F7) ----


def _unopenable_findings():
    from django.core.checks import run_checks

    return [f for f in run_checks(databases=["default"]) if f.id == "events.E001"]


def _discard(survey, *answers):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("survey_discard_unopenable", str(survey.pk), *answers, stdout=out)
    return out.getvalue()


def test_with_the_old_key_lost_the_operator_discards_its_boxes_and_the_survey_closes(
    settings,
):
    gathering, members = gathering_held(attendees=4)
    _answered_by_three(gathering, members[:1], ratings=(1,))
    _rotate(settings, keep_old=False)  # the old key is gone for good
    _answered_by_three(gathering, members[1:], ratings=(3, 5, 4))
    survey = survey_of(gathering)
    refused = advance(gathering, survey.closes_at)
    assert refused.status == G.SURVEY_OPEN
    assert len(_unopenable_findings()) == 1

    out = _discard(survey, "--noinput")
    closed = advance(refused, refused.next_due_at)

    assert "1 sealed responses" in out
    assert _unopenable_findings() == []  # migrate runs again
    assert closed.status == G.SURVEY_CLOSED
    survey = survey_of(gathering)
    assert survey.response_count == 3
    assert survey.satisfaction_average == pytest.approx(4.0)
    assert SealedResponse.objects.count() == 0


def test_when_fewer_than_k_boxes_remain_the_close_keeps_only_their_count(settings):
    gathering, members = gathering_held(attendees=3)
    _answered_by_three(gathering, members[:2], ratings=(1, 2))
    _rotate(settings, keep_old=False)
    _answered_by_three(gathering, members[2:], ratings=(5,))
    survey = survey_of(gathering)
    refused = advance(gathering, survey.closes_at)

    _discard(survey, "--noinput")
    closed = advance(refused, refused.next_due_at)

    survey = survey_of(gathering)
    assert closed.status == G.SURVEY_CLOSED
    assert (survey.response_count, survey.satisfaction_average) == (1, None)
    assert SurveyResponse.objects.count() == 0
    assert SealedResponse.objects.count() == 0


def test_the_discard_asks_first_and_keeps_everything_unless_told_yes(
    settings, monkeypatch
):
    from django.core.management.base import CommandError

    gathering, members = gathering_held(attendees=3)
    _answered_by_three(gathering, members)
    _rotate(settings, keep_old=False)
    survey = survey_of(gathering)
    monkeypatch.setattr("builtins.input", lambda prompt: "no")

    with pytest.raises(CommandError, match="Nothing deleted"):
        _discard(survey)

    assert SealedResponse.objects.filter(survey=survey).count() == 3


def test_the_discard_keeps_every_box_that_a_key_opens(settings):
    gathering, members = gathering_held(attendees=3)
    _answered_by_three(gathering, members)
    old = _rotate(settings, keep_old=True)
    survey = survey_of(gathering)

    out = _discard(survey, "--noinput")

    assert old in settings.SECRET_KEY_FALLBACKS
    assert "nothing to delete" in out
    assert SealedResponse.objects.filter(survey=survey).count() == 3
