"""Staff pages for gatherings: the draw seed never shows, the video link
stays out of lists and searches, and a published draw cannot be edited."""

import pytest
from django.urls import reverse

from events.services.lifecycle import gathering_advance
from tests.events.factories import MARKER_LINK, gathering_make
from tests.factories import client_signed_in_with_two_factor, member_create


def staff_client(client):
    staff = member_create(is_staff=True, is_superuser=True)
    return client_signed_in_with_two_factor(client, staff)


def test_the_gathering_list_and_search_never_show_the_video_link(client, db):
    gathering = gathering_make()
    client = staff_client(client)
    listing = client.get(reverse("admin:events_gathering_changelist"))
    search = client.get(
        reverse("admin:events_gathering_changelist"), {"q": gathering.title}
    )
    assert listing.status_code == search.status_code == 200
    assert MARKER_LINK not in listing.text
    assert MARKER_LINK not in search.text


def test_the_change_form_never_shows_the_draw_seed(client, db):
    gathering = gathering_make()
    page = staff_client(client).get(
        reverse("admin:events_gathering_change", args=[gathering.pk])
    )
    assert page.status_code == 200
    assert gathering.draw_seed not in page.text
    assert gathering.draw_commitment in page.text


def test_a_published_draw_cannot_be_changed_in_the_admin(client, db):
    gathering = gathering_make()
    gathering = gathering_advance(
        gathering_id=gathering.pk, now=gathering.applications_close_at
    )
    client = staff_client(client)
    draw_url = reverse("admin:events_draw_change", args=[gathering.draw.pk])
    response = client.post(draw_url, {"algorithm": "tampered"})
    gathering.draw.refresh_from_db()
    assert response.status_code == 403
    assert gathering.draw.algorithm != "tampered"


def _survey_with_response():
    from datetime import timedelta

    from events.models import Survey
    from events.services.surveys import response_submit
    from tests.events.factories import gathering_held, survey_answers

    gathering, members = gathering_held(attendees=2)
    survey = Survey.objects.get(gathering=gathering)
    response_submit(
        member=members[0],
        gathering=gathering,
        answers=survey_answers(4),
        now=survey.opens_at + timedelta(hours=1),
    )
    return survey


def test_staff_change_k_before_the_first_response(client, db):
    from events.models import Survey
    from tests.events.factories import gathering_held

    gathering, _ = gathering_held(attendees=2)
    survey = Survey.objects.get(gathering=gathering)
    response = staff_client(client).post(
        reverse("admin:events_survey_change", args=[survey.pk]),
        {"min_responses": "3", "duration": "7 00:00:00", "questions": "[]"},
    )

    assert response.status_code == 302
    survey.refresh_from_db()
    assert survey.min_responses == 3


def test_staff_cannot_change_k_once_the_first_response_arrived(client, db):
    survey = _survey_with_response()
    client = staff_client(client)
    url = reverse("admin:events_survey_change", args=[survey.pk])

    page = client.get(url)
    client.post(
        url, {"min_responses": "3", "duration": "7 00:00:00", "questions": "[]"}
    )

    assert page.status_code == 200
    assert 'name="min_responses"' not in page.text
    survey.refresh_from_db()
    assert survey.min_responses == 5


def test_the_admin_has_no_page_for_responses_or_who_answered(client, db):
    from django.urls import NoReverseMatch

    for name in (
        "admin:events_surveyresponse_changelist",
        "admin:events_sealedresponse_changelist",
        "admin:events_surveyparticipation_changelist",
        "admin:events_surveyinvitation_changelist",
    ):
        with pytest.raises(NoReverseMatch):
            reverse(name)


def _closed_survey(ratings):
    from datetime import timedelta

    from events.models import Survey
    from events.services.survey_setup import survey_settings_update
    from events.services.surveys import response_submit
    from tests.events.factories import advance, gathering_held, survey_answers

    gathering, members = gathering_held(attendees=4)
    survey_settings_update(gathering=gathering, min_responses=3, duration_days=7)
    survey = Survey.objects.get(gathering=gathering)
    for member, rating in zip(members, ratings, strict=False):
        response_submit(
            member=member,
            gathering=gathering,
            answers=survey_answers(rating),
            now=survey.opens_at + timedelta(hours=1),
        )
    advance(gathering, survey.closes_at)
    return survey


def test_the_admin_shows_no_average_of_a_survey_below_k(client, db):
    below = _closed_survey([2, 3])
    above = _closed_survey([2, 3, 3])
    client = staff_client(client)

    below_page = client.get(reverse("admin:events_survey_change", args=[below.pk]))
    above_page = client.get(reverse("admin:events_survey_change", args=[above.pk]))

    assert below_page.status_code == above_page.status_code == 200
    assert '<div class="readonly">2.5</div>' not in below_page.text
    assert '<div class="readonly">2.7</div>' in above_page.text


def test_the_admin_tells_staff_of_sealed_responses_no_key_opens(client, db, settings):
    survey = _survey_with_response()
    old = settings.SECRET_KEY
    settings.SECRET_KEY = "a-new-secret-" + "z" * 50
    client = staff_client(client)
    url = reverse("admin:events_survey_change", args=[survey.pk])

    rotated = client.get(url)
    settings.SECRET_KEY_FALLBACKS = [old]
    restored = client.get(url)

    assert rotated.status_code == restored.status_code == 200
    # In the staff member's language (Korean here); the setting's name in any.
    assert "봉인된 응답 1건" in rotated.text
    assert "SECRET_KEY_FALLBACKS" in rotated.text
    assert "SECRET_KEY_FALLBACKS" not in restored.text
