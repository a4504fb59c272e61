"""The survey's pages: an attendee answers once and then sees "answered";
anyone else is refused; organisers see only the progress while the survey
is open, "not enough responses" below k after the close, and from k the
averages, SVG bars, shuffled texts and the CSV; the public page shows the
average after the close from k. Query counts are pinned at two sizes."""

import csv
import io
from datetime import timedelta
from unittest import mock

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.views.debug import ExceptionReporter

from events.models import Survey, SurveyParticipation
from events.services.surveys import response_submit
from tests.events.factories import (
    advance,
    gathering_held,
    member_joined,
    organiser_of,
    survey_answers,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client):
    """Pages in English, so that texts read as written (one test asks for
    Korean)."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def url(name, gathering):
    return reverse(name, args=[gathering.community.slug, gathering.pk])


def answer_all(gathering, members, ratings, **extra):
    now = Survey.objects.get(gathering=gathering).opens_at + timedelta(hours=1)
    for index, (member, rating) in enumerate(zip(members, ratings, strict=False)):
        response_submit(
            member=member,
            gathering=gathering,
            answers=survey_answers(
                rating, useful=f"배운 점 {index}", again="yes", **extra
            ),
            now=now,
        )


def close(gathering):
    return advance(gathering, Survey.objects.get(gathering=gathering).closes_at)


@pytest.fixture
def held(settings):
    gathering, members = gathering_held(attendees=6)
    # The gathering ended in the future of the wall clock: pages must see
    # the survey open (its clock), so move it into the past.
    return gathering, members


def shift_to_now(gathering):
    """The factories' gathering lies a month ahead; the pages read the wall
    clock. Move its survey period around now."""
    from django.utils import timezone

    survey = Survey.objects.get(gathering=gathering)
    now = timezone.now()
    Survey.objects.filter(pk=survey.pk).update(
        opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=6)
    )
    type(gathering).objects.filter(pk=gathering.pk).update(
        next_due_at=now + timedelta(days=6)
    )


def test_an_attendee_answers_through_the_page_and_then_sees_answered(client, held):
    gathering, members = held
    shift_to_now(gathering)
    client.force_login(members[0])

    form = client.get(url("survey_answer", gathering))
    response = client.post(
        url("survey_answer", gathering),
        {"satisfaction": "4", "useful": "발표 자료가 좋았어요", "again": "yes"},
    )
    page = client.get(url("gathering_detail", gathering)).content.decode()
    again = client.get(url("survey_answer", gathering))

    assert form.status_code == 200
    assert 'name="satisfaction"' in form.content.decode()
    assert response.status_code == 302
    assert 'id="survey-answered"' in page
    assert "발표 자료가 좋았어요" not in page
    assert again.status_code == 403
    assert SurveyParticipation.objects.filter(member=members[0]).count() == 1


def test_a_missing_rating_is_shown_on_the_form_and_nothing_is_stored(client, held):
    gathering, members = held
    shift_to_now(gathering)
    client.force_login(members[0])

    response = client.post(url("survey_answer", gathering), {"useful": "좋았어요"})

    assert response.status_code == 400
    assert SurveyParticipation.objects.count() == 0


def test_a_non_attendee_gets_a_clear_refusal(client, held):
    gathering, _members = held
    shift_to_now(gathering)
    outsider = member_joined(gathering.community)
    client.force_login(outsider)

    get = client.get(url("survey_answer", gathering))
    post = client.post(url("survey_answer", gathering), {"satisfaction": "5"})

    assert get.status_code == post.status_code == 403
    assert "Only members who attended this gathering" in get.content.decode()
    assert SurveyParticipation.objects.count() == 0


def test_a_host_who_attended_is_told_organisers_do_not_answer(client, held):
    gathering, members = held
    shift_to_now(gathering)
    gathering.hosts.add(members[0])
    client.force_login(members[0])

    page = client.get(url("gathering_detail", gathering)).content.decode()
    refused = client.post(url("survey_answer", gathering), {"satisfaction": "5"})

    assert 'id="survey-refused"' in page
    assert 'id="survey-answer-link"' not in page
    assert 'id="takeaway-link"' in page
    assert refused.status_code == 403
    assert "Organisers do not answer" in refused.content.decode()
    assert SurveyParticipation.objects.count() == 0


def test_an_attendee_recorded_as_a_no_show_after_the_open_still_answers(client, held):
    from events.services.attendance import checkin_record
    from tests.events.factories import application_of

    gathering, members = held
    shift_to_now(gathering)
    checkin_record(
        gathering=gathering,
        attended={application_of(gathering, members[0]).pk: False},
    )
    client.force_login(members[0])

    page = client.get(url("gathering_detail", gathering)).content.decode()
    response = client.post(url("survey_answer", gathering), {"satisfaction": "4"})

    assert 'id="survey-answer-link"' in page
    assert response.status_code == 302
    assert SurveyParticipation.objects.filter(member=members[0]).count() == 1


def test_pages_keep_answering_while_a_close_waits_for_the_old_secret(
    client, held, settings
):
    from django.utils import timezone

    gathering, members = held
    past = timezone.now() - timedelta(minutes=1)
    Survey.objects.filter(gathering=gathering).update(
        min_responses=3, opens_at=past - timedelta(hours=2), closes_at=past
    )
    type(gathering).objects.filter(pk=gathering.pk).update(next_due_at=past)
    answer_all(gathering, members[:3], [5, 4, 4])
    settings.SECRET_KEY = "a-new-secret-" + "w" * 50
    client.force_login(gathering.created_by)

    results = client.get(url("survey_results", gathering))
    detail = client.get(url("gathering_detail", gathering))

    assert results.status_code == detail.status_code == 200
    assert "3 of 6 attendees answered." in results.content.decode()
    gathering.refresh_from_db()
    assert gathering.status == "survey_open"
    assert gathering.next_due_at > timezone.now()


def test_a_visitor_is_sent_to_sign_in(client, held):
    gathering, _ = held

    response = client.get(url("survey_answer", gathering))

    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_while_open_organisers_see_only_how_many_answered(client, held):
    gathering, members = held
    answer_all(gathering, members[:5], [5, 4, 4, 3, 4])
    client.force_login(gathering.created_by)

    html = client.get(url("survey_results", gathering)).content.decode()
    csv_response = client.get(url("survey_results_csv", gathering))

    assert "5 of 6 attendees answered." in html
    assert 'id="survey-wait"' in html
    assert "배운 점" not in html
    # No chart (the nav's drawn picture is an SVG too).
    assert '<svg class="survey-bars"' not in html
    assert '<svg class="trend-chart"' not in html
    assert csv_response.status_code == 404


def test_after_the_close_below_k_organisers_see_not_enough(client, held):
    gathering, members = held
    answer_all(gathering, members[:4], [5, 4, 4, 3])
    close(gathering)
    client.force_login(gathering.created_by)

    html = client.get(url("survey_results", gathering)).content.decode()
    public = client.get(url("gathering_detail", gathering)).content.decode()

    assert "Not enough responses to keep answers anonymous" in html
    assert "배운 점" not in html
    assert 'id="survey-summary"' not in public


def test_after_the_close_from_k_organisers_see_averages_bars_and_texts(client, held):
    gathering, members = held
    answer_all(gathering, members[:5], [5, 4, 4, 3, 4])
    close(gathering)
    client.force_login(gathering.created_by)

    html = client.get(url("survey_results", gathering)).content.decode()

    assert "Average 4.0 out of 5" in html
    assert html.count('class="bar-fill"') == 5 + 2  # satisfaction 5-1, yes/no
    assert all(f"배운 점 {i}" in html for i in range(5))
    assert "style=" not in html.split("<main", 1)[-1]


def test_the_texts_come_in_a_fresh_order(client, held):
    gathering, members = held
    answer_all(gathering, members[:6], [5, 4, 4, 3, 4, 5])
    close(gathering)
    client.force_login(gathering.created_by)

    def order():
        html = client.get(url("survey_results", gathering)).content.decode()
        return [i for _, i in sorted((html.index(f"배운 점 {i}"), i) for i in range(6))]

    orders = {tuple(order()) for _ in range(12)}

    assert len(orders) > 1


def test_the_csv_carries_the_same_aggregates_and_texts(client, held):
    gathering, members = held
    answer_all(gathering, members[:5], [5, 4, 4, 3, 4])
    close(gathering)
    client.force_login(gathering.created_by)

    response = client.get(url("survey_results_csv", gathering))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))

    assert response["Content-Type"].startswith("text/csv")
    satisfaction = [r for r in rows if r[0].startswith("Overall")]
    assert [
        "Overall, how satisfied are you with this gathering?",
        "average",
        "",
        "4.00",
    ] in satisfaction
    assert [r[2] for r in satisfaction if r[1] in "54321" and r[1]] == [
        "1",
        "3",
        "1",
        "0",
        "0",
    ]
    assert sum(1 for r in rows if r[1].startswith("배운 점")) == 5


def test_the_public_page_shows_the_average_after_the_close_from_k(client, held):
    gathering, members = held
    answer_all(gathering, members[:5], [5, 4, 4, 3, 4])

    before = client.get(url("gathering_detail", gathering)).content.decode()
    close(gathering)
    after = client.get(url("gathering_detail", gathering)).content.decode()

    assert 'id="survey-summary"' not in before
    assert "Average 4.0 out of 5 (5 responses)" in after


def test_the_public_average_reads_naturally_in_korean(client, held):
    gathering, members = held
    answer_all(gathering, members[:5], [5, 4, 4, 3, 4])
    close(gathering)

    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "ko"
    html = client.get(url("gathering_detail", gathering)).content.decode()

    assert "평균 4.0점 (응답 5명)" in html


@pytest.mark.parametrize(
    "name", ["survey_results", "survey_results_csv", "survey_edit"]
)
def test_members_who_do_not_organise_are_refused(client, held, name):
    gathering, members = held
    client.force_login(members[0])

    assert client.get(url(name, gathering)).status_code == 403


def test_a_community_moderator_who_is_not_a_host_reads_the_results(client, held):
    gathering, members = held
    answer_all(gathering, members[:5], [5, 4, 4, 3, 4])
    close(gathering)
    client.force_login(organiser_of(gathering.community))

    assert client.get(url("survey_results", gathering)).status_code == 200


def test_organisers_add_a_question_until_the_first_response(client, held):
    gathering, members = held
    shift_to_now(gathering)
    client.force_login(gathering.created_by)

    added = client.post(
        url("survey_edit", gathering),
        {"action": "add", "kind": "choice", "label": "다음 주제", "choices": "A\nB"},
    )
    answer_all(gathering, members[:1], [4], q1="0")
    refused = client.post(
        url("survey_edit", gathering),
        {"action": "add", "kind": "text", "label": "늦은 질문"},
    )
    page = client.get(url("survey_edit", gathering)).content.decode()

    assert added.status_code == refused.status_code == 302
    assert 'id="survey-locked"' in page
    assert "늦은 질문" not in page
    assert [q["label"] for q in Survey.objects.get().questions] == ["다음 주제"]


def test_an_error_report_of_a_failed_submission_masks_the_answers(held):
    gathering, members = held
    shift_to_now(gathering)
    request = RequestFactory().post(
        url("survey_answer", gathering),
        {"satisfaction": "4", "useful": "SECRET-ANSWER"},
    )
    request.user = members[0]
    from events.views.surveys import survey_answer

    with (
        mock.patch(
            "events.services.surveys.SealedResponse.objects.create",
            side_effect=RuntimeError("disk full"),
        ),
        pytest.raises(RuntimeError) as failure,
    ):
        survey_answer(request, slug=gathering.community.slug, pk=gathering.pk)
    report = ExceptionReporter(
        request, RuntimeError, failure.value, failure.tb
    ).get_traceback_text()

    assert "SECRET-ANSWER" not in report
    assert "disk full" in report


# --- Query counts -----------------------------------------------------------------


@pytest.mark.parametrize("size", [6, 24])
def test_the_results_page_takes_as_many_queries_at_any_size(
    client, django_assert_max_num_queries, size
):
    gathering, members = gathering_held(attendees=size)
    answer_all(gathering, members, [4] * size)
    close(gathering)
    client.force_login(gathering.created_by)

    with django_assert_max_num_queries(14):
        response = client.get(url("survey_results", gathering))

    assert response.status_code == 200


@pytest.mark.parametrize("size", [6, 24])
def test_the_gathering_page_after_the_close_takes_as_many_queries(
    client, django_assert_max_num_queries, size
):
    gathering, members = gathering_held(attendees=size)
    answer_all(gathering, members, [4] * size)
    close(gathering)
    client.force_login(members[0])

    # The same at 6 and 24 attendees; 21 since the draw's public trail (the
    # community log's head) joined the page, 22 since its series did.
    with django_assert_max_num_queries(22):
        response = client.get(url("gathering_detail", gathering))

    assert response.status_code == 200


def test_every_new_page_carries_the_security_headers_and_loads_nothing_else(
    client, held
):
    from tests.config.test_security_headers import (
        assert_security_headers,
        external_references,
        inline_scripts,
    )

    gathering, members = held
    answer_all(gathering, members[:5], [5, 4, 4, 3, 4])
    close(gathering)
    from events.services.path import takeaway_save

    takeaway_save(member=members[0], gathering=gathering, learned="배운 점")
    pages = {
        gathering.created_by: [
            url("survey_results", gathering),
            url("survey_edit", gathering),
            reverse("community_detail", args=[gathering.community.slug]),
        ],
        members[0]: [
            url("gathering_detail", gathering),
            url("takeaway_edit", gathering),
            reverse("member_path", args=[members[0].public_id]),
        ],
    }
    for member, paths in pages.items():
        client.force_login(member)
        for path in paths:
            response = client.get(path)
            html = response.content.decode()
            assert_security_headers(response)
            assert external_references(html) == [], path
            assert inline_scripts(html) == [], path
            assert " style=" not in html, path
