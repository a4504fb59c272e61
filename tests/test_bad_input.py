"""Defects the fuzz tests found (tests/test_forms_fuzz.py,
tests/realtime/test_frames_fuzz.py), each pinned by the input that showed
it. The world is the access matrix's (tests/access_matrix.py); every request
runs in a savepoint rolled back afterwards."""

import pytest
from django.contrib.messages import get_messages
from django.db import transaction
from django.urls import reverse

from community.ids import id_parse
from events.models import Survey
from tests import access_matrix as m

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(world):
    """POST as ``kind`` in ``language``, in a savepoint rolled back after;
    the response and whether the row counts changed."""

    def send(kind: str, path: str, data: dict, language: str = "ko"):
        client = m.client_for(world, kind, language)
        with transaction.atomic():
            before = m.fingerprint()
            response = client.post(path, data)
            changed = m.fingerprint() != before
            transaction.set_rollback(True)
        return response, changed

    return send


@pytest.mark.parametrize(
    "raw",
    ["²", "١٢", "0", "-1", " 7", "7 ", "1.0", "9" * 19, "9" * 5000, "", None, 7],
)
def test_an_id_is_ascii_digits_of_a_positive_number_that_fits_a_column(raw):
    assert id_parse(raw) is None


def test_an_id_is_read_from_its_digits():
    assert id_parse("42") == 42
    assert id_parse("9" * 18) == int("9" * 18)


@pytest.mark.parametrize("raw", ["²", "9" * 5000, "99999999999999999999"])
def test_a_path_item_id_that_is_no_number_is_refused_in_words(world, post, raw):
    """'²' passed str.isdigit() and then failed int(): a server error."""
    response, changed = post(
        "attendee",
        reverse("path_visibility"),
        {"kind": "attended", "object_id": raw, "visibility": "public"},
    )
    assert response.status_code == 302
    (message,) = get_messages(response.wsgi_request)
    assert message.level_tag == "error"
    assert "경로" in str(message)
    assert not changed


def test_a_join_url_revoked_with_no_number_is_not_found(world, post):
    path = reverse("gathering_join_revoke", args=[world.community.slug, world.main.pk])
    response, changed = post("organiser", path, {"application": "²"})
    assert response.status_code == 404
    assert not changed


def test_a_join_url_whose_id_is_no_number_is_not_found(world):
    client = m.client_for(world, "attendee")
    response = client.get(reverse("gathering_join", args=["²-signature"]))
    assert response.status_code == 404


@pytest.mark.parametrize("next_url", ["0", "home", "gathering_detail"])
def test_a_next_that_is_no_path_goes_to_the_fallback(world, post, next_url):
    """A bare word reached redirect() as a URL name: NoReverseMatch, a
    server error (or, for a real name, a redirect the form never meant)."""
    response, _changed = post(
        "outsider",
        reverse("community_join", args=[world.other_community.slug]),
        {"next": next_url},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "community_detail", args=[world.other_community.slug]
    )


@pytest.mark.parametrize("language, words", [("ko", "요청을"), ("en", "request")])
def test_an_unknown_calendar_action_is_a_bad_request_in_words(
    world, post, language, words
):
    """It was a bare 400 with an empty body."""
    response, changed = post(
        "member", reverse("calendar_feed"), {"action": "x"}, language
    )
    assert response.status_code == 400
    assert words in response.content.decode()
    assert not changed


def test_an_unknown_survey_action_is_a_bad_request_that_creates_nothing(world, post):
    """It was a bare 400, after the page had created the gathering's survey
    row."""
    assert not Survey.objects.filter(gathering=world.main).exists()
    response, changed = post(
        "organiser",
        reverse("survey_edit", args=[world.community.slug, world.main.pk]),
        {"action": "x"},
    )
    assert response.status_code == 400
    assert "요청을" in response.content.decode()
    assert not changed


FAR = {
    "starts_at": "9999-12-31T20:00",
    "ends_at": "9999-12-31T23:59",
    "applications_open_at": "9999-12-30T00:00",
    "applications_close_at": "9999-12-31T00:30",
}


@pytest.mark.parametrize("language, words", [("ko", "사이의 날짜"), ("en", "between")])
def test_a_gathering_in_year_9999_is_refused_on_its_fields(
    world, post, language, words
):
    """It was stored, and its calendar file then failed (OverflowError)."""
    from tests.test_forms_fuzz import gathering_body

    response, changed = post(
        "moderator",
        reverse("gathering_create", args=[world.community.slug]),
        {**gathering_body(world, None), **FAR},
        language,
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert set(FAR) <= set(form.errors)
    assert words in form.errors["starts_at"][0]
    assert not changed


@pytest.mark.parametrize("ends_at", ["9999-12-31T23:59", "0001-01-01T00:00"])
def test_a_sanction_lasting_past_any_horizon_is_refused(world, post, ends_at):
    response, changed = post(
        "moderator",
        reverse("sanctions", args=[world.community.slug]),
        {
            "member": world.member("member").public_id,
            "kind": "mute",
            "reason": "도배",
            "ends_at": ends_at,
        },
    )
    assert response.status_code in (200, 400)
    assert "사이의 날짜" in response.context["form"].errors["ends_at"][0]
    assert not changed


@pytest.mark.parametrize("name", ["member_detail", "member_path"])
def test_a_public_id_with_a_nul_is_not_found(world, name):
    """PostgreSQL refuses NUL in a text parameter: it was a server error."""
    client = m.client_for(world, "member")
    assert (
        client.get(reverse(name, args=["x"]).replace("/x/", "/a%00b/")).status_code
        == 404
    )


def test_a_member_lookup_by_a_public_id_with_a_nul_finds_no_one(world):
    from community.selectors.members import community_member_by_public_id

    found = community_member_by_public_id(community=world.community, public_id="\x00")
    assert found is None


@pytest.mark.parametrize("method", ["get", "post"])
def test_the_survey_page_and_a_refused_setting_create_no_survey(world, method):
    """The page created the survey row on every visit, so a refused form
    stored it (found by the hunt profile)."""
    client = m.client_for(world, "organiser")
    path = reverse("survey_edit", args=[world.community.slug, world.main.pk])
    with transaction.atomic():
        response = getattr(client, method)(path, {"action": "settings"})
        created = Survey.objects.filter(gathering=world.main).exists()
        transaction.set_rollback(True)
    assert response.status_code == (200 if method == "get" else 400)
    assert not created


def test_a_work_email_longer_than_its_column_is_refused_on_the_field(world, post):
    """A form's EmailField takes 320 characters, the column 254: on
    PostgreSQL it was a server error."""
    response, changed = post(
        "member", reverse("work_email"), {"email": "x" * 300 + "@example.org"}
    )
    assert response.status_code in (200, 400)
    assert response.context["form"].errors["email"]
    assert not changed


@pytest.mark.parametrize("kind", ["attended\n", "참석", "attended\r\nSet-Cookie: x"])
def test_a_path_item_kind_no_header_can_carry_is_refused_in_words(world, post, kind):
    """The raw kind went into the Location header: a server error."""
    response, changed = post(
        "attendee",
        reverse("path_visibility"),
        {"kind": kind, "object_id": "1", "visibility": "public"},
    )
    assert response.status_code == 302
    assert "#" not in response["Location"]
    assert not changed


def test_a_survey_question_list_with_a_huge_number_is_invalid_json(world):
    """json.loads raises ValueError past 4,300 digits, which Django's JSON
    field let through: a server error in the admin."""
    from events.admin import SurveyAdminForm

    form = SurveyAdminForm(
        {"min_responses": "5", "duration": "7 00:00:00", "questions": "9" * 5000}
    )
    assert not form.is_valid()
    assert form.errors["questions"]
    assert "9" * 5000 in str(form["questions"].value())
