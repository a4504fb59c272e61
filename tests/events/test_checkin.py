"""Check-in at a gathering's venue: the attendee's QR code and short code on
their page, the organisers' scan and typed code (events.services.attendance
checkin_scan), self check-in with the venue code (checkin_self), their
pages and their query counts. Online gatherings keep join-URL evidence
(tests/events/test_join.py)."""

import json
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from community.access import access_for
from community.models import Membership, MembershipRole, SanctionKind
from community.services.moderation import sanction_impose
from events import checkin_tokens
from events.errors import EventsError
from events.models import (
    Application,
    ApplicationStatus,
    Checkin,
    CheckinMethod,
    Gathering,
    GatheringFormat,
    SelectionMode,
    SelfCheckin,
)
from events.services import attendance, gatherings
from events.services.applications import application_submit, application_withdraw
from events.services.attendance import CheckinOutcome
from tests.factories import community_create, member_create

pytestmark = pytest.mark.django_db


def _join(community, member, role=MembershipRole.MEMBER):
    Membership.objects.create(community=community, member=member, role=role)
    return member


def venue_gathering(
    community, organiser, *, attendees=2, starts=timedelta(minutes=30), **extra
) -> tuple[Gathering, list[Application]]:
    """A first-come gathering at a venue, applications open until ten
    minutes before its start (``starts`` from now), with ``attendees``
    confirmed seats."""
    now = timezone.now()
    fields = {
        "title": "성수동 커피챗",
        "format": GatheringFormat.OFFLINE,
        "venue": "서울 성동구 성수동",
        "video_link": "",
        "starts_at": now + starts,
        "ends_at": now + starts + timedelta(hours=2),
        "applications_open_at": now - timedelta(hours=1),
        "applications_close_at": now + starts - timedelta(minutes=10),
        "capacity": max(attendees, 1) + 2,
        "selection_mode": SelectionMode.FIRST_COME,
        **extra,
    }
    gathering = gatherings.gathering_create(
        community=community, created_by=organiser, **fields
    )
    gathering = gatherings.gathering_publish(gathering=gathering)
    applications = [
        application_submit(
            member=_join(community, member_create(language="en")),
            gathering=gathering,
        )
        for _ in range(attendees)
    ]
    assert all(a.status == ApplicationStatus.CONFIRMED for a in applications)
    return gathering, applications


@pytest.fixture
def client():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def world():
    cache.clear()  # the rate limits count in the cache
    community = community_create()
    moderator = _join(community, member_create(language="en"), MembershipRole.MODERATOR)
    gathering, applications = venue_gathering(community, moderator)
    return {
        "community": community,
        "moderator": moderator,
        "gathering": gathering,
        "applications": applications,
    }


def pass_of(application: Application) -> str:
    return checkin_tokens.attendee_pass(
        gathering_id=application.gathering_id, public_id=application.public_id
    )


def code_of(application: Application) -> str:
    return checkin_tokens.attendee_code(
        gathering_id=application.gathering_id, public_id=application.public_id
    )


def url(name: str, gathering: Gathering) -> str:
    return reverse(name, args=[gathering.community.slug, gathering.pk])


# --- The organisers' scan ---------------------------------------------------------


def test_a_scanned_pass_checks_its_attendee_in(world):
    application = world["applications"][0]
    result = attendance.checkin_scan(
        gathering=world["gathering"], value=pass_of(application), by=world["moderator"]
    )
    assert result.outcome == CheckinOutcome.CHECKED_IN
    assert result.application == application
    application.refresh_from_db()
    assert application.attended is True
    checkin = Checkin.objects.get(application=application)
    assert checkin.method == CheckinMethod.SCAN
    assert checkin.by == world["moderator"]


def test_a_second_scan_changes_nothing_and_says_so(world):
    application = world["applications"][0]
    first = timezone.now() - timedelta(minutes=5)
    attendance.checkin_scan(
        gathering=world["gathering"],
        value=pass_of(application),
        by=world["moderator"],
        now=first,
    )
    again = attendance.checkin_scan(
        gathering=world["gathering"], value=code_of(application), by=world["moderator"]
    )
    assert again.outcome == CheckinOutcome.ALREADY
    checkin = Checkin.objects.get(application=application)
    assert checkin.checked_in_at == first
    assert checkin.method == CheckinMethod.SCAN


def test_a_typed_short_code_checks_in_whatever_its_case(world):
    application = world["applications"][1]
    typed = code_of(application).lower()[:3] + " " + code_of(application).lower()[3:]
    result = attendance.checkin_scan(
        gathering=world["gathering"], value=typed, by=world["moderator"]
    )
    assert result.outcome == CheckinOutcome.CHECKED_IN
    assert Checkin.objects.get(application=application).method == CheckinMethod.CODE


def test_a_pass_of_another_gathering_is_refused(world):
    _other, (stranger,) = venue_gathering(
        world["community"], world["moderator"], attendees=1
    )
    result = attendance.checkin_scan(
        gathering=world["gathering"], value=pass_of(stranger), by=world["moderator"]
    )
    assert result.outcome == CheckinOutcome.OTHER_GATHERING
    # Its short code is not one of this gathering's either.
    result = attendance.checkin_scan(
        gathering=world["gathering"], value=code_of(stranger), by=world["moderator"]
    )
    assert result.outcome == CheckinOutcome.INVALID
    assert not Checkin.objects.exists()
    assert not Application.objects.filter(attended__isnull=False).exists()


def test_a_tampered_pass_is_invalid(world):
    application = world["applications"][0]
    value = pass_of(application)
    for tampered in (value[:-1] + ("x" if value[-1] != "x" else "y"), value[:20], ""):
        result = attendance.checkin_scan(
            gathering=world["gathering"], value=tampered, by=world["moderator"]
        )
        assert result.outcome == CheckinOutcome.INVALID
    assert not Checkin.objects.exists()


def test_a_withdrawn_seat_no_longer_checks_in(world):
    application = world["applications"][0]
    application_withdraw(member=application.member, gathering=world["gathering"])
    for value in (pass_of(application), code_of(application)):
        result = attendance.checkin_scan(
            gathering=world["gathering"], value=value, by=world["moderator"]
        )
        assert result.outcome == CheckinOutcome.NOT_ATTENDEE
    application.refresh_from_db()
    assert application.attended is None


def test_a_banned_attendee_is_not_checked_in(world):
    application = world["applications"][0]
    sanction_impose(
        access=access_for(world["moderator"], world["community"]),
        member=application.member,
        kind=SanctionKind.BAN,
        reason="규칙 위반",
        ends_at=None,
    )
    result = attendance.checkin_scan(
        gathering=world["gathering"], value=pass_of(application), by=world["moderator"]
    )
    assert result.outcome == CheckinOutcome.NOT_ATTENDEE
    assert not Checkin.objects.exists()


def test_two_attendees_sharing_a_short_code_are_told_to_scan(world, monkeypatch):
    monkeypatch.setattr(
        checkin_tokens, "attendee_code", lambda **ids: "ABCDEF", raising=True
    )
    result = attendance.checkin_scan(
        gathering=world["gathering"], value="abcdef", by=world["moderator"]
    )
    assert result.outcome == CheckinOutcome.AMBIGUOUS
    assert not Checkin.objects.exists()


# --- Self check-in ----------------------------------------------------------------


def test_self_checkin_is_off_until_an_organiser_turns_it_on(world):
    application = world["applications"][0]
    with pytest.raises(EventsError) as refused:
        attendance.checkin_self(
            member=application.member, gathering=world["gathering"], code="ABCDEF"
        )
    assert refused.value.code == "self_checkin_off"


def test_self_checkin_with_the_venue_code_in_the_window(world):
    gathering = world["gathering"]
    application = world["applications"][0]
    venue = attendance.self_checkin_set(gathering=gathering, enabled=True)
    code = checkin_tokens.venue_code(venue)
    with pytest.raises(EventsError) as wrong:
        attendance.checkin_self(
            member=application.member, gathering=gathering, code="ABCDEF"
        )
    assert wrong.value.code == "venue_code_wrong"
    assert attendance.checkin_self(
        member=application.member, gathering=gathering, code=code.lower()
    )
    assert not attendance.checkin_self(
        member=application.member, gathering=gathering, code=code
    )
    checkin = Checkin.objects.get(application=application)
    assert checkin.method == CheckinMethod.SELF and checkin.by is None


def test_self_checkin_only_from_an_hour_before_the_start_to_the_end(world):
    gathering = world["gathering"]
    member = world["applications"][0].member
    code = checkin_tokens.venue_code(
        attendance.self_checkin_set(gathering=gathering, enabled=True)
    )
    for now in (
        gathering.starts_at - timedelta(hours=1, seconds=1),
        gathering.ends_at,
    ):
        with pytest.raises(EventsError) as refused:
            attendance.checkin_self(
                member=member, gathering=gathering, code=code, now=now
            )
        assert refused.value.code == "checkin_closed"
    assert attendance.checkin_self(
        member=member, gathering=gathering, code=code, now=gathering.starts_at
    )


def test_self_checkin_refuses_a_member_without_a_confirmed_seat(world):
    gathering = world["gathering"]
    code = checkin_tokens.venue_code(
        attendance.self_checkin_set(gathering=gathering, enabled=True)
    )
    outsider = _join(world["community"], member_create())
    withdrawn = world["applications"][0]
    application_withdraw(member=withdrawn.member, gathering=gathering)
    for member in (outsider, withdrawn.member):
        with pytest.raises(EventsError) as refused:
            attendance.checkin_self(member=member, gathering=gathering, code=code)
        assert refused.value.code == "not_attendee"


def test_a_new_venue_code_stops_the_old_one(world):
    gathering = world["gathering"]
    old = checkin_tokens.venue_code(
        attendance.self_checkin_set(gathering=gathering, enabled=True)
    )
    attendance.self_checkin_set(gathering=gathering, new_code=True)
    with pytest.raises(EventsError) as refused:
        attendance.checkin_self(
            member=world["applications"][0].member, gathering=gathering, code=old
        )
    assert refused.value.code == "venue_code_wrong"


def test_an_online_gathering_has_no_self_checkin(world):
    online, _ = venue_gathering(
        world["community"],
        world["moderator"],
        attendees=1,
        format=GatheringFormat.ONLINE,
        venue="",
        video_link="https://meet.example/checkin",
    )
    SelfCheckin.objects.create(gathering=online, enabled=True)
    member = Application.objects.get(gathering=online).member
    with pytest.raises(EventsError) as refused:
        attendance.checkin_self(member=member, gathering=online, code="ABCDEF")
    assert refused.value.code == "checkin_not_venue"


# --- The attendee's page ------------------------------------------------------------


def test_the_attendee_sees_their_own_qr_code_and_short_code(client, world):
    application = world["applications"][0]
    client.force_login(application.member)
    response = client.get(url("gathering_detail", world["gathering"]))
    html = response.content.decode()
    assert code_of(application) in html
    assert 'class="qr checkin-qr"' in html
    assert {"private", "no-store"} <= {
        part.strip() for part in response["Cache-Control"].split(",")
    }
    other = world["applications"][1]
    assert code_of(other) not in html


def test_nobody_else_sees_an_attendees_codes(client, world):
    codes = [code_of(a) for a in world["applications"]]
    client.force_login(world["moderator"])
    html = client.get(url("gathering_detail", world["gathering"])).content.decode()
    assert not any(code in html for code in codes)
    assert "checkin-qr" not in html


def test_an_online_gathering_shows_no_check_in_code(client, world):
    online, (application,) = venue_gathering(
        world["community"],
        world["moderator"],
        attendees=1,
        format=GatheringFormat.ONLINE,
        venue="",
        video_link="https://meet.example/checkin",
    )
    client.force_login(application.member)
    html = client.get(url("gathering_detail", online)).content.decode()
    assert "checkin-qr" not in html and code_of(application) not in html


def test_the_venue_qr_code_fills_in_the_code_on_the_attendees_page(client, world):
    gathering = world["gathering"]
    code = checkin_tokens.venue_code(
        attendance.self_checkin_set(gathering=gathering, enabled=True)
    )
    client.force_login(world["applications"][0].member)
    html = client.get(url("gathering_detail", gathering) + f"?venue={code}").content
    assert f'value="{code}"'.encode() in html
    assert b'id="self-checkin"' in html


def test_self_checkin_view_checks_in_and_redirects(client, world):
    gathering = world["gathering"]
    application = world["applications"][0]
    code = checkin_tokens.venue_code(
        attendance.self_checkin_set(gathering=gathering, enabled=True)
    )
    client.force_login(application.member)
    response = client.post(
        url("gathering_self_checkin", gathering), {"code": code}, follow=True
    )
    html = response.content.decode()
    assert "You are checked in. Enjoy the gathering!" in html
    # Checked in: the venue code's form is gone.
    assert 'id="self-checkin"' not in html
    application.refresh_from_db()
    assert application.attended is True


def test_self_checkin_tries_are_limited_against_guessing(client, world):
    gathering = world["gathering"]
    application = world["applications"][0]
    code = checkin_tokens.venue_code(
        attendance.self_checkin_set(gathering=gathering, enabled=True)
    )
    client.force_login(application.member)
    target = url("gathering_self_checkin", gathering)
    for guess in range(10):
        client.post(target, {"code": f"AAAA{guess:02d}"})
    response = client.post(target, {"code": code}, follow=True)
    assert "Too many tries" in response.content.decode()
    application.refresh_from_db()
    assert application.attended is None


# --- The organisers' pages --------------------------------------------------------


def test_the_scan_endpoint_answers_the_script_with_name_and_count(client, world):
    gathering = world["gathering"]
    application = world["applications"][0]
    client.force_login(world["moderator"])
    target = url("gathering_checkin_scan", gathering)
    answer = client.post(
        target, {"value": pass_of(application)}, headers={"accept": "application/json"}
    ).json()
    assert answer["outcome"] == "checked_in"
    assert answer["application"] == application.pk
    assert answer["name"] and answer["name"] in answer["message"]
    assert (answer["checked_in"], answer["confirmed"]) == (1, 2)
    assert answer["count_text"] == "1 of 2 checked in"
    again = client.post(
        target, {"value": pass_of(application)}, headers={"accept": "application/json"}
    ).json()
    assert again["outcome"] == "already"
    assert "Nothing changed" in again["message"]
    assert again["checked_in"] == 1


def test_the_scan_endpoint_answers_in_korean(client, world):
    client.force_login(world["moderator"])
    answer = client.post(
        url("gathering_checkin_scan", world["gathering"]),
        {"value": "ZZZZZZ"},
        headers={"accept": "application/json", "accept-language": "ko"},
    ).json()
    assert answer["outcome"] == "invalid"
    assert "올바른 코드가 아니에요" in answer["message"]


def test_the_code_form_works_without_javascript(client, world):
    application = world["applications"][1]
    client.force_login(world["moderator"])
    response = client.post(
        url("gathering_checkin_scan", world["gathering"]),
        {"value": code_of(application)},
        follow=True,
    )
    html = response.content.decode()
    assert response.redirect_chain[-1][0].endswith("/checkin/#scan")
    assert "is checked in." in html
    assert "1 of 2 checked in" in html
    assert "Code typed by an organiser" in html


def test_an_empty_code_is_refused_in_words(client, world):
    client.force_login(world["moderator"])
    response = client.post(
        url("gathering_checkin_scan", world["gathering"]),
        {"value": ""},
        headers={"accept": "application/json"},
    )
    assert response.status_code == 400
    assert json.loads(response.content)["message"] == "Please type the attendee's code."


def test_the_venue_page_turns_self_checkin_on_and_shows_the_code(client, world):
    gathering = world["gathering"]
    client.force_login(world["moderator"])
    target = url("gathering_checkin_venue", gathering)
    assert b"data-venue-code" not in client.get(target).content
    client.post(target, {"action": "on"})
    venue = SelfCheckin.objects.get(gathering=gathering)
    assert venue.enabled
    response = client.get(target)
    html = response.content.decode()
    assert checkin_tokens.venue_code(venue) in html
    assert 'class="qr venue-qr"' in html
    # Its QR code opens the gathering page at the site's address, code in.
    assert response.context["link"] == (
        settings.SITE_URL
        + url("gathering_detail", gathering)
        + f"?venue={checkin_tokens.venue_code(venue)}#self-checkin"
    )
    client.post(target, {"action": "new_code"})
    assert checkin_tokens.venue_code(venue) not in client.get(target).content.decode()
    client.post(target, {"action": "off"})
    assert not SelfCheckin.objects.get(gathering=gathering).enabled


def test_the_venue_page_refuses_an_online_gathering(client, world):
    online, _ = venue_gathering(
        world["community"],
        world["moderator"],
        attendees=1,
        format=GatheringFormat.ONLINE,
        venue="",
        video_link="https://meet.example/checkin",
    )
    client.force_login(world["moderator"])
    response = client.post(
        url("gathering_checkin_venue", online), {"action": "on"}, follow=True
    )
    assert "Check-in with a code is for gatherings at a venue." in (
        response.content.decode()
    )
    assert not SelfCheckin.objects.filter(gathering=online).exists()


@pytest.mark.parametrize("n", [5, 80])
def test_checkin_page_queries_do_not_grow_with_attendees(
    client, world, django_assert_max_num_queries, n
):
    gathering, applications = venue_gathering(
        world["community"], world["moderator"], attendees=n
    )
    for application in applications[::2]:
        attendance.checkin_scan(
            gathering=gathering, value=pass_of(application), by=world["moderator"]
        )
    attendance.self_checkin_set(gathering=gathering, enabled=True)
    client.force_login(world["moderator"])
    # The list page's nine, the count and the self check-in settings.
    with django_assert_max_num_queries(11):
        response = client.get(url("gathering_checkin", gathering))
    assert response.status_code == 200
    assert response.context["count"] == (len(applications[::2]), n)


@pytest.mark.parametrize("n", [5, 80])
def test_scan_queries_do_not_grow_with_attendees(
    client, world, django_assert_max_num_queries, n
):
    gathering, applications = venue_gathering(
        world["community"], world["moderator"], attendees=n
    )
    client.force_login(world["moderator"])
    # Sign-in, community and organiser checks (6), the codes of the
    # gathering, the application, the ban, the locked write with its
    # savepoints (10) and the count: the same for 5 as for 80.
    with django_assert_max_num_queries(20):
        answer = client.post(
            url("gathering_checkin_scan", gathering),
            {"value": code_of(applications[-1])},
            headers={"accept": "application/json"},
        ).json()
    assert answer["outcome"] == "checked_in"
