"""Calendars: every file is read back with icalendar's parser, as a calendar
client would read it."""

import base64
import hashlib
import io
import logging
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from community.models import Membership, MembershipRole
from events import calendar as calendars
from events.join_tokens import join_path
from events.log_masking import (
    FeedTokenFilter,
    MaskedAccessLogGenerator,
    mask_feed_tokens,
)
from events.models import (
    Application,
    ApplicationStatus,
    CalendarFeed,
    Gathering,
    GatheringFormat,
)
from events.services import feeds
from events.services.applications import application_submit, application_withdraw
from events.services.attendance import join_pass_issue
from events.services.gatherings import (
    gathering_cancel,
    gathering_create,
    gathering_publish,
    gathering_update,
)
from events.services.lifecycle import gathering_advance
from tests.factories import community_create, member_create

MARKER_LINK = "https://zoom.example/j/MARKER-123"
TOKEN_PATTERN_PREFIX = "/feeds/"


# Helpers -----------------------------------------------------------------


def joined(community, **overrides):
    overrides.setdefault("language", "en")
    member = member_create(**overrides)
    Membership.objects.create(community=community, member=member)
    return member


def organiser_of(community):
    organiser = member_create(language="en")
    Membership.objects.create(
        community=community, member=organiser, role=MembershipRole.MODERATOR
    )
    return organiser


def gathering_make(
    community=None,
    *,
    starts_at=None,
    publish=True,
    organiser=None,
    hosts=None,
    **fields,
) -> Gathering:
    """A published online gathering a month ahead (applications open 6 to 4
    days before the start), with the marker video link planted."""
    community = community or community_create()
    organiser = organiser or organiser_of(community)
    starts_at = starts_at or (
        timezone.now().replace(microsecond=0) + timedelta(days=30)
    )
    values = {
        "title": "퍼포먼스 마케터끼리 만나요",
        "description": "Bring **questions**.",
        "video_link": MARKER_LINK,
        "starts_at": starts_at,
        "ends_at": starts_at + timedelta(hours=2),
        "applications_open_at": starts_at - timedelta(days=6),
        "applications_close_at": starts_at - timedelta(days=4),
        "capacity": 20,
    }
    values.update(fields)
    gathering = gathering_create(
        community=community, created_by=organiser, hosts=hosts, **values
    )
    if publish:
        gathering = gathering_publish(gathering=gathering)
    return gathering


def gathering_soon(community=None, **fields) -> Gathering:
    """A published gathering starting in two hours: its join link (released
    24 hours before the start) is already out."""
    now = timezone.now().replace(microsecond=0)
    starts_at = now + timedelta(hours=2)
    return gathering_make(
        community,
        starts_at=starts_at,
        applications_open_at=now - timedelta(hours=1),
        applications_close_at=now + timedelta(hours=1),
        **fields,
    )


def opened(gathering: Gathering) -> Gathering:
    return gathering_advance(
        gathering_id=gathering.pk, now=gathering.applications_open_at
    )


def apply(gathering: Gathering, member) -> Application:
    return application_submit(
        member=member,
        gathering=gathering,
        now=gathering.applications_open_at + timedelta(minutes=1),
    )


def confirmed(gathering: Gathering, member) -> Application:
    application = Application.objects.create(
        gathering=gathering,
        member=member,
        status=ApplicationStatus.CONFIRMED,
        confirmed_at=timezone.now(),
    )
    join_pass_issue(application)
    return application


def parse(body: bytes) -> Calendar:
    return Calendar.from_ical(body)


def events_by_uid(body: bytes) -> dict:
    return {str(event["UID"]): event for event in parse(body).walk("VEVENT")}


def feed_token(member) -> str:
    return feeds.feed_create(member=member)


def feed_get(client, token: str):
    return client.get(reverse("personal_calendar", args=[token]))


def uid_of(gathering: Gathering) -> str:
    return f"{gathering.uid}@moim"


# The gathering's own file ------------------------------------------------


@pytest.mark.django_db
def test_gathering_file_holds_one_event_with_public_facts(client):
    gathering = gathering_make()
    response = client.get(
        reverse("gathering_ics", args=[gathering.community.slug, gathering.pk]),
        headers={"accept-language": "en"},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert ".ics" in response["Content-Disposition"]
    parsed = parse(response.content)
    [event] = parsed.walk("VEVENT")
    assert str(event["UID"]) == uid_of(gathering)
    assert str(event["SUMMARY"]) == gathering.title
    assert str(event["STATUS"]) == "CONFIRMED"
    assert event["SEQUENCE"] == gathering.sequence
    assert "DTSTAMP" in event
    assert "Bring **questions**." in str(event["DESCRIPTION"])
    page = reverse("gathering_detail", args=[gathering.community.slug, gathering.pk])
    assert str(event["URL"]).endswith(page)
    assert str(event["LOCATION"]) == "Online"


@pytest.mark.django_db
def test_times_carry_seoul_zone_and_the_right_instant(client):
    starts = datetime(2031, 3, 14, 10, 0, tzinfo=UTC)  # 19:00 in Seoul
    gathering = gathering_make(starts_at=starts)
    body = client.get(
        reverse("gathering_ics", args=[gathering.community.slug, gathering.pk])
    ).content
    parsed = parse(body)
    [zone] = parsed.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "Asia/Seoul"
    [event] = parsed.walk("VEVENT")
    assert event["DTSTART"].params["TZID"] == "Asia/Seoul"
    assert event["DTEND"].params["TZID"] == "Asia/Seoul"
    assert event.start.hour == 19
    assert event.start.astimezone(UTC) == starts
    assert event.end.astimezone(UTC) == starts + timedelta(hours=2)
    assert b"DTSTART;TZID=Asia/Seoul:20310314T190000" in body


@pytest.mark.django_db
def test_offline_gathering_gives_its_venue(client):
    gathering = gathering_make(
        format=GatheringFormat.OFFLINE, venue="서울 강남구 테헤란로 1", video_link=""
    )
    body = client.get(
        reverse("gathering_ics", args=[gathering.community.slug, gathering.pk])
    ).content
    [event] = parse(body).walk("VEVENT")
    assert str(event["LOCATION"]) == "서울 강남구 테헤란로 1"


@pytest.mark.django_db
def test_draft_gathering_has_no_file(client):
    gathering = gathering_make(publish=False)
    organiser = gathering.created_by
    client.force_login(organiser)
    response = client.get(
        reverse("gathering_ics", args=[gathering.community.slug, gathering.pk])
    )
    assert response.status_code == 404


@pytest.mark.django_db
def test_gathering_of_another_community_is_not_found(client):
    gathering = gathering_make()
    other = community_create()
    response = client.get(reverse("gathering_ics", args=[other.slug, gathering.pk]))
    assert response.status_code == 404


@pytest.mark.django_db
def test_members_only_community_calendars_are_for_members(client):
    community = community_create(public_read=False)
    gathering = gathering_make(community)
    urls = [
        reverse("gathering_ics", args=[community.slug, gathering.pk]),
        reverse("community_calendar", args=[community.slug]),
    ]
    for url in urls:
        assert client.get(url).status_code == 403
    client.force_login(joined(community))
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200
        assert "private" in response["Cache-Control"]


@pytest.mark.django_db
def test_edit_keeps_uid_and_raises_sequence(client):
    gathering = gathering_make()
    url = reverse("gathering_ics", args=[gathering.community.slug, gathering.pk])
    [before] = parse(client.get(url).content).walk("VEVENT")
    gathering_update(gathering=gathering, title="새 제목")
    [after] = parse(client.get(url).content).walk("VEVENT")
    assert str(after["UID"]) == str(before["UID"]) == uid_of(gathering)
    assert after["SEQUENCE"] > before["SEQUENCE"]
    assert str(after["SUMMARY"]) == "새 제목"


@pytest.mark.django_db
def test_cancelled_gathering_is_cancelled_with_a_higher_sequence(client):
    gathering = gathering_make()
    url = reverse("gathering_ics", args=[gathering.community.slug, gathering.pk])
    [before] = parse(client.get(url).content).walk("VEVENT")
    gathering_cancel(gathering=gathering, reason="연사 사정")
    [after] = parse(client.get(url).content).walk("VEVENT")
    assert str(after["STATUS"]) == "CANCELLED"
    assert after["SEQUENCE"] > before["SEQUENCE"]
    assert "연사 사정" in str(after["DESCRIPTION"])


# The community feed ------------------------------------------------------


@pytest.mark.django_db
def test_community_feed_lists_published_gatherings_only(client):
    community = community_create()
    organiser = organiser_of(community)
    published = gathering_make(community, organiser=organiser)
    cancelled = gathering_make(community, organiser=organiser)
    gathering_cancel(gathering=cancelled, reason="")
    draft = gathering_make(community, organiser=organiser, publish=False)
    elsewhere = gathering_make()
    response = client.get(reverse("community_calendar", args=[community.slug]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    events = events_by_uid(response.content)
    assert set(events) == {uid_of(published), uid_of(cancelled)}
    assert str(events[uid_of(published)]["STATUS"]) == "CONFIRMED"
    assert str(events[uid_of(cancelled)]["STATUS"]) == "CANCELLED"
    assert uid_of(draft) not in events and uid_of(elsewhere) not in events


@pytest.mark.django_db
def test_community_feed_query_count_does_not_grow(client):
    def count_for(n: int) -> int:
        community = community_create()
        organiser = organiser_of(community)
        for _ in range(n):
            gathering_make(community, organiser=organiser)
        url = reverse("community_calendar", args=[community.slug])
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    assert count_for(2) == count_for(12)


# The personal feed -------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (ApplicationStatus.APPLIED, "TENTATIVE"),
        (ApplicationStatus.WAITLISTED, "TENTATIVE"),
        (ApplicationStatus.OFFERED, "TENTATIVE"),
        (ApplicationStatus.CONFIRMED, "CONFIRMED"),
        (ApplicationStatus.NOT_SELECTED, "CANCELLED"),
        (ApplicationStatus.DECLINED, "CANCELLED"),
        (ApplicationStatus.EXPIRED, "CANCELLED"),
        (ApplicationStatus.WITHDRAWN, "CANCELLED"),
        (ApplicationStatus.CANCELLED, "CANCELLED"),
    ],
)
def test_application_status_becomes_event_status(client, status, expected):
    gathering = gathering_make()
    member = joined(gathering.community)
    Application.objects.create(
        gathering=gathering, member=member, status=status, waitlist_position=3
    )
    response = feed_get(client, feed_token(member))
    assert response.status_code == 200
    event = events_by_uid(response.content)[uid_of(gathering)]
    assert str(event["STATUS"]) == expected


def test_every_application_status_has_an_event_status():
    assert set(calendars.APPLICATION_EVENT_STATUS) == set(ApplicationStatus)


@pytest.mark.django_db
def test_cancelled_gathering_cancels_a_confirmed_seat(client):
    gathering = gathering_soon()
    member = joined(gathering.community)
    confirmed(gathering, member)
    gathering_cancel(gathering=gathering, reason="")
    body = feed_get(client, feed_token(member)).content
    event = events_by_uid(body)[uid_of(gathering)]
    assert str(event["STATUS"]) == "CANCELLED"
    assert b"/join/" not in body


@pytest.mark.django_db
def test_personal_feed_is_private_and_not_cached(client):
    member = member_create()
    response = feed_get(client, feed_token(member))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    parsed = parse(response.content)
    assert parsed.walk("VEVENT") == []
    # Subscribing clients are asked to look again hourly.
    assert str(parsed["X-PUBLISHED-TTL"]) == "PT1H"
    assert "REFRESH-INTERVAL" in parsed


@pytest.mark.django_db
def test_personal_and_public_files_share_the_uid(client):
    gathering = gathering_make()
    member = joined(gathering.community)
    opened(gathering)
    apply(gathering, member)
    public = client.get(
        reverse("gathering_ics", args=[gathering.community.slug, gathering.pk])
    ).content
    personal = feed_get(client, feed_token(member)).content
    assert set(events_by_uid(public)) == set(events_by_uid(personal))


@pytest.mark.django_db
def test_sequence_rises_with_application_changes_and_gathering_edits(client):
    gathering = opened(gathering_make())
    member = joined(gathering.community)
    token = feed_token(member)
    apply(gathering, member)

    def current():
        body = feed_get(client, token).content
        return events_by_uid(body)[uid_of(gathering)]

    applied = current()
    assert str(applied["STATUS"]) == "TENTATIVE"
    application_withdraw(
        member=member,
        gathering=gathering,
        now=gathering.applications_open_at + timedelta(minutes=2),
    )
    withdrawn = current()
    assert str(withdrawn["STATUS"]) == "CANCELLED"
    assert withdrawn["SEQUENCE"] > applied["SEQUENCE"]
    gathering_update(gathering=gathering, title="Edited")
    edited = current()
    assert edited["SEQUENCE"] > withdrawn["SEQUENCE"]
    assert str(edited["UID"]) == str(applied["UID"]) == uid_of(gathering)
    application = Application.objects.get(gathering=gathering, member=member)
    gathering.refresh_from_db()
    assert edited["SEQUENCE"] == gathering.sequence + application.sequence


@pytest.mark.django_db
def test_join_url_only_for_confirmed_after_release(client):
    gathering = gathering_soon()
    attendee = joined(gathering.community)
    waiting = joined(gathering.community)
    application = confirmed(gathering, attendee)
    Application.objects.create(
        gathering=gathering, member=waiting, status=ApplicationStatus.WAITLISTED
    )
    join_url = "http://testserver" + join_path(application.join_pass)
    body = feed_get(client, feed_token(attendee)).content
    event = events_by_uid(body)[uid_of(gathering)]
    assert str(event["STATUS"]) == "CONFIRMED"
    assert join_url.removeprefix("http://testserver") in str(event["DESCRIPTION"])
    assert str(event["URL"]).endswith(join_path(application.join_pass))
    other = feed_get(client, feed_token(waiting)).content
    assert b"/join/" not in other


@pytest.mark.django_db
def test_join_url_is_absolute_from_site_url(client, settings):
    settings.SITE_URL = "https://moim.example"
    gathering = gathering_soon()
    attendee = joined(gathering.community)
    application = confirmed(gathering, attendee)
    event = events_by_uid(feed_get(client, feed_token(attendee)).content)[
        uid_of(gathering)
    ]
    assert str(event["URL"]) == "https://moim.example" + join_path(
        application.join_pass
    )


@pytest.mark.django_db
def test_no_join_url_before_release():
    gathering = gathering_make()
    attendee = joined(gathering.community)
    confirmed(gathering, attendee)
    before = gathering.link_release_at - timedelta(minutes=1)
    body = calendars.personal_calendar(attendee, now=before)
    event = events_by_uid(body)[uid_of(gathering)]
    assert str(event["STATUS"]) == "CONFIRMED"
    assert b"/join/" not in body
    after = calendars.personal_calendar(attendee, now=gathering.link_release_at)
    assert b"/join/" in after


@pytest.mark.django_db
def test_no_join_url_after_the_end():
    """The calendar shows the join URL by the same rule as the pages and the
    URL itself (events.access.join_refusal): not once the gathering is
    over, when following it answers "This gathering is over"."""
    gathering = gathering_soon()
    attendee = joined(gathering.community)
    confirmed(gathering, attendee)
    during = calendars.personal_calendar(attendee, now=gathering.starts_at)
    assert b"/join/" in during
    after = calendars.personal_calendar(attendee, now=gathering.ends_at)
    assert b"/join/" not in after


@pytest.mark.django_db
def test_no_join_url_once_revoked(client):
    gathering = gathering_soon()
    attendee = joined(gathering.community)
    application = confirmed(gathering, attendee)
    application.join_pass.revoked_at = timezone.now()
    application.join_pass.save()
    assert b"/join/" not in feed_get(client, feed_token(attendee)).content


@pytest.mark.django_db
def test_hosted_gatherings_are_confirmed(client):
    community = community_create()
    host = joined(community)
    gathering = gathering_make(community, hosts=[host])
    body = feed_get(client, feed_token(host)).content
    event = events_by_uid(body)[uid_of(gathering)]
    assert str(event["STATUS"]) == "CONFIRMED"
    assert event["SEQUENCE"] == gathering.sequence


@pytest.mark.django_db
def test_personal_feed_query_count_is_constant(client, django_assert_num_queries):
    """5 and 100 applications (and a hosted gathering) take the same number
    of queries."""
    community = community_create()
    organiser = organiser_of(community)
    template = gathering_make(community, organiser=organiser)
    statuses = list(ApplicationStatus)

    def member_with(n: int):
        member = joined(community)
        rows = Gathering.objects.bulk_create(
            [
                Gathering(
                    community=community,
                    created_by=organiser,
                    title=f"G{i}",
                    video_link=MARKER_LINK,
                    starts_at=template.starts_at,
                    ends_at=template.ends_at,
                    applications_open_at=template.applications_open_at,
                    applications_close_at=template.applications_close_at,
                    capacity=5,
                    published_at=template.published_at,
                )
                for i in range(n)
            ]
        )
        applications = Application.objects.bulk_create(
            [
                Application(
                    gathering=gathering,
                    member=member,
                    status=statuses[i % len(statuses)],
                )
                for i, gathering in enumerate(rows)
            ]
        )
        for application in applications:
            if application.status == ApplicationStatus.CONFIRMED:
                join_pass_issue(application)
        gathering_make(community, organiser=organiser, hosts=[member])
        return feeds.feed_create(member=member)

    small, large = member_with(5), member_with(100)
    with django_assert_num_queries(3):
        assert feed_get(client, small).status_code == 200
    with django_assert_num_queries(3):
        response = feed_get(client, large)
    assert len(parse(response.content).walk("VEVENT")) == 101


# Tokens --------------------------------------------------------------------


def token_from(response) -> str:
    content = response.content.decode()
    start = content.index(TOKEN_PATTERN_PREFIX) + len(TOKEN_PATTERN_PREFIX)
    end = content.index(".ics", start)
    return content[start:end]


@pytest.mark.django_db
def test_feed_page_needs_login(client):
    response = client.get(reverse("calendar_feed"))
    assert response.status_code == 302
    assert "login" in response["Location"]


@pytest.mark.django_db
def test_created_token_has_128_bits_and_only_its_hash_is_stored(client_member, member):
    page = client_member.get(reverse("calendar_feed"))
    assert page.status_code == 200
    assert TOKEN_PATTERN_PREFIX not in page.content.decode()
    response = client_member.post(reverse("calendar_feed"), {"action": "create"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    token = token_from(response)
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    assert len(raw) * 8 >= 128
    feed = CalendarFeed.objects.get(member=member)
    assert feed.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = " ".join(str(v) for v in CalendarFeed.objects.values().get().values())
    assert token not in stored
    assert feed_get(client_member, token).status_code == 200
    # Shown once: the page no longer holds it.
    assert token not in client_member.get(reverse("calendar_feed")).content.decode()


@pytest.mark.django_db
def test_tokens_differ_each_time(member):
    assert len({feeds.feed_create(member=member) for _ in range(5)}) == 5
    assert CalendarFeed.objects.filter(member=member).count() == 1


@pytest.mark.django_db
def test_regenerate_kills_the_old_url_at_once(client_member, member):
    old = token_from(client_member.post(reverse("calendar_feed"), {"action": "create"}))
    assert feed_get(client_member, old).status_code == 200
    new = token_from(client_member.post(reverse("calendar_feed"), {"action": "create"}))
    assert new != old
    assert feed_get(client_member, old).status_code == 404
    assert feed_get(client_member, new).status_code == 200


@pytest.mark.django_db
def test_delete_removes_the_feed(client_member, member):
    token = token_from(
        client_member.post(reverse("calendar_feed"), {"action": "create"})
    )
    response = client_member.post(reverse("calendar_feed"), {"action": "delete"})
    assert response.status_code == 302
    assert not CalendarFeed.objects.filter(member=member).exists()
    assert feed_get(client_member, token).status_code == 404


@pytest.mark.django_db
def test_unknown_token_is_not_found(client):
    assert feed_get(client, "x" * 43).status_code == 404
    assert feed_get(client, "x" * 500).status_code == 404


@pytest.mark.django_db
def test_deactivated_member_feed_is_not_found(client):
    member = member_create()
    token = feed_token(member)
    member.is_active = False
    member.save()
    assert feed_get(client, token).status_code == 404


@pytest.mark.django_db
def test_someone_elses_feed_is_unreachable(client):
    gathering = gathering_make()
    alice = joined(gathering.community)
    bob = joined(gathering.community)
    Application.objects.create(gathering=gathering, member=alice)
    alice_token = feed_token(alice)
    # Bob's own page and feed carry nothing of Alice's.
    client.force_login(bob)
    page = client.post(reverse("calendar_feed"), {"action": "create"})
    bob_token = token_from(page)
    assert alice_token not in page.content.decode()
    assert uid_of(gathering) not in events_by_uid(feed_get(client, bob_token).content)
    # Bob making his feed left Alice's untouched.
    assert feed_get(client, alice_token).status_code == 200
    assert CalendarFeed.objects.get(member=alice).token_hash == (
        feeds.feed_token_hash(alice_token)
    )


# The video link never travels ----------------------------------------------


@pytest.mark.django_db
def test_marker_link_is_in_no_calendar(client, member):
    community = community_create()
    organiser = organiser_of(community)
    soon = gathering_soon(community, organiser=organiser, hosts=[organiser])
    later = gathering_make(community, organiser=organiser)
    cancelled = gathering_make(community, organiser=organiser)
    attendee = joined(community)
    confirmed(soon, attendee)
    Application.objects.create(gathering=later, member=attendee)
    confirmed(cancelled, attendee)
    gathering_cancel(gathering=cancelled, reason="")
    bodies = [
        client.get(reverse("gathering_ics", args=[community.slug, g.pk])).content
        for g in (soon, later, cancelled)
    ]
    bodies.append(client.get(reverse("community_calendar", args=[community.slug])))
    bodies[-1] = bodies[-1].content
    attendee_feed = feed_get(client, feed_token(attendee)).content
    assert b"/join/" in attendee_feed  # released: the join URL, not the link
    bodies += [attendee_feed, feed_get(client, feed_token(organiser)).content]
    client.force_login(attendee)
    bodies.append(client.post(reverse("calendar_feed"), {"action": "create"}).content)
    for body in bodies:
        assert MARKER_LINK.encode() not in body
        assert b"MARKER-123" not in body


# Logs ------------------------------------------------------------------------


@pytest.mark.django_db
def test_refused_feed_request_logs_no_token(client, caplog):
    member = member_create()
    token = feed_token(member)
    member.is_active = False
    member.save()
    with caplog.at_level(logging.INFO):
        assert feed_get(client, token).status_code == 404
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert "/feeds/****" in text
    assert token not in text
    for record in caplog.records:
        assert getattr(record, "request", None) is None or token not in str(
            record.request.path
        )


def test_filter_masks_tokens_in_any_record():
    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"%s" %s',
        ("GET /feeds/AbC-123_xyz.ics HTTP/1.1", 200),
        None,
    )
    assert FeedTokenFilter().filter(record)
    assert record.getMessage() == '"GET /feeds/****.ics HTTP/1.1" 200'


def test_mask_leaves_other_paths_alone():
    assert mask_feed_tokens("GET /c/x/calendar.ics") == "GET /c/x/calendar.ics"
    assert mask_feed_tokens("/feeds/abc.ics?x=1") == "/feeds/****.ics?x=1"


def test_daphne_access_log_is_masked():
    stream = io.StringIO()
    MaskedAccessLogGenerator(stream)(
        "http",
        "complete",
        {
            "client": "127.0.0.1:5000",
            "method": "GET",
            "path": "/feeds/SECRET-token_value.ics",
            "status": 200,
            "size": 10,
        },
    )
    assert "SECRET" not in stream.getvalue()
    assert "/feeds/****.ics" in stream.getvalue()


# Stored text never breaks a calendar ---------------------------------------

# (No NUL: PostgreSQL stores none.)
BROKEN_TITLE = "줄바꿈\r\nX-INJECTED:1\r제목\n끝\x07\u2028"


@pytest.mark.django_db
def test_control_characters_stored_in_a_title_break_no_calendar(client):
    # A row saved before the forms refused them (or past them): every
    # calendar that carries the gathering still answers, on one line.
    community = community_create(name="커뮤니티\r\n이름")
    host = joined(community)
    gathering = gathering_make(
        community, hosts=[host], format=GatheringFormat.OFFLINE, venue="강남\n역"
    )
    Gathering.objects.filter(pk=gathering.pk).update(
        title=BROKEN_TITLE, description="첫 줄\r\n둘째 줄\x1b"
    )
    responses = [
        client.get(
            reverse("gathering_ics", args=[gathering.community.slug, gathering.pk])
        ),
        client.get(reverse("community_calendar", args=[community.slug])),
        feed_get(client, feed_token(host)),
    ]

    for response in responses:
        assert response.status_code == 200
        body = response.content
        assert not any(line.startswith(b"X-INJECTED") for line in body.split(b"\r\n"))
        assert b"\x07" not in body and b"\x1b" not in body
        event = events_by_uid(body)[uid_of(gathering)]
        assert str(event["SUMMARY"]) == "줄바꿈 X-INJECTED:1 제목 끝"
        assert str(event["LOCATION"]) == "강남 역"
        assert "첫 줄\n둘째 줄" in str(event["DESCRIPTION"])
    file_name = parse(responses[0].content)["X-WR-CALNAME"]
    assert "\n" not in str(file_name) and "\r" not in str(file_name)
