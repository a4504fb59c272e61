"""The personal join URL (/join/<token>/): it leads its own attendee, and
only them, to the video link, from the release time on; it records use, can
be revoked, and the link travels in the redirect's Location header only."""

import logging
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from events.access import ATTENDANCE_EVIDENCE_BEFORE, join_refusal
from events.join_tokens import join_path
from events.models import (
    Application,
    Gathering,
    GatheringFormat,
    JoinPass,
    SelectionMode,
)
from events.selectors.organise import organise_checkin_rows
from events.services.attendance import join_resolve, join_revoke
from events.services.offers import offer_confirm
from tests.community.forum_data import community_make
from tests.events.test_attend_views import (
    MARKER,
    apply,
    close_and_draw,
    gathering_make,
    joined,
    release_link,
)
from tests.factories import member_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def community():
    return community_make(owner=member_create())


@pytest.fixture
def attendee_pass(community):
    """A confirmed attendee of a drawn gathering and their join pass (the
    link not released yet)."""
    gathering = gathering_make(community)
    member = joined(community)
    apply(member, gathering)
    close_and_draw(gathering)
    application = offer_confirm(member=member, gathering=gathering)
    return member, JoinPass.objects.get(application=application)


def test_the_attendee_is_redirected_to_the_video_link_after_release(
    client, attendee_pass
):
    member, join_pass = attendee_pass
    release_link(join_pass.application.gathering)
    client.force_login(member)
    response = client.get(join_path(join_pass))
    assert response.status_code == 302
    assert response["Location"] == MARKER
    assert MARKER not in response.content.decode()
    assert response["Cache-Control"] == "no-store"


def test_a_use_is_recorded(client, attendee_pass):
    member, join_pass = attendee_pass
    # Five minutes before the start: a use that is attendance evidence.
    now = timezone.now()
    Gathering.objects.filter(pk=join_pass.application.gathering_id).update(
        starts_at=now + timedelta(minutes=5), ends_at=now + timedelta(hours=2)
    )
    client.force_login(member)
    client.get(join_path(join_pass))
    client.get(join_path(join_pass))
    join_pass.refresh_from_db()
    assert join_pass.use_count == 2
    assert join_pass.first_used_at is not None


def test_before_the_release_the_link_says_when(client, attendee_pass):
    member, join_pass = attendee_pass
    client.force_login(member)
    response = client.get(join_path(join_pass), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert "The join link is available from" in response.text
    assert "MARKER-123" not in response.text
    join_pass.refresh_from_db()
    assert join_pass.use_count == 0


def test_another_members_token_is_not_found(client, attendee_pass, community):
    _member, join_pass = attendee_pass
    release_link(join_pass.application.gathering)
    for other in [joined(community), member_create(is_staff=True)]:
        client.force_login(other)
        response = client.get(join_path(join_pass))
        assert response.status_code == 404
        assert "MARKER-123" not in response.content.decode()
    join_pass.refresh_from_db()
    assert join_pass.use_count == 0


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1] + ("0" if token[-1] != "0" else "1"),
        lambda token: token.split("-")[0],
        lambda token: "x" + token,
        lambda token: str(int(token.split("-")[0]) + 1) + "-" + token.split("-")[1],
    ],
)
def test_a_tampered_token_is_not_found(client, attendee_pass, tamper):
    member, join_pass = attendee_pass
    release_link(join_pass.application.gathering)
    client.force_login(member)
    token = join_path(join_pass).rstrip("/").rsplit("/", 1)[1]
    url = reverse("gathering_join", args=[tamper(token)])
    assert client.get(url).status_code == 404


def test_a_revoked_link_is_refused(client, attendee_pass):
    member, join_pass = attendee_pass
    release_link(join_pass.application.gathering)
    join_revoke(application=join_pass.application)
    client.force_login(member)
    response = client.get(join_path(join_pass), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert "revoked" in response.text
    assert "MARKER-123" not in response.text


def test_a_withdrawn_attendees_link_is_refused(client, attendee_pass):
    member, join_pass = attendee_pass
    release_link(join_pass.application.gathering)
    client.force_login(member)
    client.post(
        reverse(
            "gathering_withdraw",
            args=[
                join_pass.application.gathering.community.slug,
                join_pass.application.gathering_id,
            ],
        )
    )
    assert client.get(join_path(join_pass)).status_code == 403


def test_after_the_end_the_link_is_refused(client, attendee_pass):
    member, join_pass = attendee_pass
    gathering = join_pass.application.gathering
    now = timezone.now()
    Gathering.objects.filter(pk=gathering.pk).update(
        applications_close_at=now - timedelta(hours=4),
        applications_open_at=now - timedelta(hours=5),
        starts_at=now - timedelta(hours=3),
        ends_at=now - timedelta(hours=1),
    )
    client.force_login(member)
    response = client.get(join_path(join_pass), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert "This gathering is over." in response.text


def test_anonymous_is_sent_to_sign_in(client, attendee_pass):
    _member, join_pass = attendee_pass
    response = client.get(join_path(join_pass))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert MARKER not in response["Location"]


def test_the_video_link_is_never_logged(client, attendee_pass, caplog, community):
    member, join_pass = attendee_pass
    caplog.set_level(logging.DEBUG)
    client.force_login(member)
    client.get(join_path(join_pass))  # not released yet
    release_link(join_pass.application.gathering)
    client.get(join_path(join_pass))
    client.force_login(joined(community))
    client.get(join_path(join_pass))  # someone else's
    assert caplog.records
    assert not [r for r in caplog.records if "MARKER-123" in r.getMessage()]


def test_join_urls_are_personal(client, community):
    gathering = gathering_make(community, capacity=2)
    first, second = joined(community), joined(community)
    apply(first, gathering)
    apply(second, gathering)
    close_and_draw(gathering)
    passes = []
    for member in [first, second]:
        offer_confirm(member=member, gathering=gathering)
        passes.append(
            JoinPass.objects.get(
                application=Application.objects.get(member=member, gathering=gathering)
            )
        )
    assert join_path(passes[0]) != join_path(passes[1])
    release_link(gathering)
    client.force_login(first)
    assert client.get(join_path(passes[0])).status_code == 302
    assert client.get(join_path(passes[1])).status_code == 404


# --- Attendance evidence: only from shortly before the start to the end -------


def _open_at(attendee_pass, client, when):
    """The attendee follows their join URL at ``when`` (the release moved
    before it), through the view; the page answers as it would then."""
    member, join_pass = attendee_pass
    gathering = join_pass.application.gathering
    Gathering.objects.filter(pk=gathering.pk).update(
        link_release_before=gathering.starts_at - when + timedelta(hours=1)
    )
    token = join_path(join_pass).rstrip("/").rsplit("/", 1)[1]
    link = join_resolve(token=token, member=member, now=when)
    join_pass.refresh_from_db()
    return link, join_pass


def test_opening_the_link_two_days_early_is_no_attendance_evidence(
    client, attendee_pass
):
    gathering = attendee_pass[1].application.gathering
    link, join_pass = _open_at(
        attendee_pass, client, gathering.starts_at - timedelta(days=2)
    )
    assert link == MARKER  # the link opens: the attendee may test their setup
    assert join_pass.use_count == 1
    assert join_pass.first_used_at is None


def test_opening_the_link_from_shortly_before_the_start_is_evidence(
    client, attendee_pass
):
    gathering = attendee_pass[1].application.gathering
    early = gathering.starts_at - timedelta(days=2)
    _open_at(attendee_pass, client, early)
    at = gathering.starts_at - ATTENDANCE_EVIDENCE_BEFORE
    _link, join_pass = _open_at(attendee_pass, client, at)
    assert join_pass.use_count == 2
    assert join_pass.first_used_at == at
    _link, join_pass = _open_at(attendee_pass, client, at + timedelta(minutes=30))
    assert join_pass.first_used_at == at  # the first use in the window stays


def test_a_minute_before_the_window_is_no_evidence(client, attendee_pass):
    gathering = attendee_pass[1].application.gathering
    at = gathering.starts_at - ATTENDANCE_EVIDENCE_BEFORE - timedelta(minutes=1)
    _link, join_pass = _open_at(attendee_pass, client, at)
    assert join_pass.first_used_at is None


def test_checkin_does_not_pre_mark_a_member_who_opened_the_link_days_early(
    client, attendee_pass, community
):
    _member, join_pass = attendee_pass
    gathering = join_pass.application.gathering
    _open_at(attendee_pass, client, gathering.starts_at - timedelta(days=2))
    client.force_login(member_create(is_staff=True))
    html = client.get(
        reverse("gathering_checkin", args=[community.slug, gathering.pk])
    ).text
    field = f'name="attended-{join_pass.application_id}" value="attended"'
    assert field in html
    tag = html.split(field)[1]
    assert " checked" not in tag[: tag.index(">")]


def test_checkin_ignores_early_use_stored_before_the_rule(
    client, attendee_pass, community
):
    """Rows written before the window existed: a first use two days early
    pre-marks nobody either."""
    _member, join_pass = attendee_pass
    gathering = join_pass.application.gathering
    JoinPass.objects.filter(pk=join_pass.pk).update(
        first_used_at=gathering.starts_at - timedelta(days=2), use_count=1
    )
    rows = organise_checkin_rows(gathering=gathering)
    assert [row.prefill for row in rows] == [None]
    JoinPass.objects.filter(pk=join_pass.pk).update(
        first_used_at=gathering.starts_at + timedelta(minutes=3)
    )
    assert [row.prefill for row in organise_checkin_rows(gathering=gathering)] == [
        "attended"
    ]


def test_an_offline_gathering_offers_no_join_link_anywhere(client, community):
    """Not on the page, in the calendar or in a reminder: all ask
    ``join_refusal``, which says there is no link to join."""
    gathering = gathering_make(
        community,
        format=GatheringFormat.OFFLINE,
        venue="성수동 카페",
        video_link="",
        selection_mode=SelectionMode.FIRST_COME,
    )
    member = joined(community)
    application = apply(member, gathering)
    release_link(gathering)
    application.refresh_from_db()
    refusal = join_refusal(application, timezone.now())
    assert refusal is not None and refusal.code == "join_no_link"
    client.force_login(member)
    response = client.get(join_path(application.join_pass))
    assert response.status_code == 403
