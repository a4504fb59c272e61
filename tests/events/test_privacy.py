"""The video link travels nowhere (SECURITY.md, "Secrets that must not
travel"): a marker link is planted, a whole gathering is run through the
services while every log record, email, notification and the draw record are
captured, and the marker is found only where it belongs: returned by
join_resolve to a confirmed attendee after the release. (Pages, calendars
and sockets are checked by their own tests.)

SQL statement logging, which would echo every column, exists only with
settings.DEBUG on; it is off here as in production."""

import json
import logging
from datetime import timedelta

import pytest
from django.core import mail

from community.models import Notification
from events.errors import EventsError
from events.join_tokens import join_token
from events.models import ApplicationStatus, Draw, JoinPass
from events.services.applications import application_withdraw
from events.services.attendance import checkin_record, join_resolve
from events.services.gatherings import gathering_cancel, gathering_update
from events.services.offers import offer_confirm, offer_decline
from tests.events.factories import (
    MARKER_LINK,
    SECOND,
    advance,
    application_of,
    apply_all,
    by_rank,
    gathering_make,
    gathering_open,
    members_joined,
    with_status,
)

pytestmark = pytest.mark.django_db

A = ApplicationStatus
MARKER = "MARKER-123"


@pytest.fixture
def all_logs(caplog):
    """Every logger at DEBUG, captured."""
    caplog.set_level(logging.DEBUG)
    for name in list(logging.root.manager.loggerDict):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def _log_text(caplog) -> str:
    lines = []
    for record in caplog.records:
        lines.append(record.getMessage())
        lines.append(repr(record.args))
        if record.exc_info:
            lines.append(logging.Formatter().formatException(record.exc_info))
    return "\n".join(lines)


def _mail_text() -> str:
    parts = []
    for message in mail.outbox:
        parts += [str(message.subject), message.body, str(message.extra_headers)]
        parts += [content for content, _mime in getattr(message, "alternatives", [])]
    return "\n".join(parts)


def _notification_text() -> str:
    return "\n".join(
        f"{detail} {message} {json.dumps(params, ensure_ascii=False)} {link}"
        for detail, message, params, link in Notification.objects.values_list(
            "detail", "message", "params", "link"
        )
    )


def _run_a_whole_gathering():
    """Two seats, five applicants: a draw, a confirmation, a decline that
    passes a seat on, a withdrawal, the promoted member's confirmation, both
    reminders, the start, check-in and the end; meanwhile another gathering
    with confirmed attendees is cancelled. Returns the gathering, its
    attendees and everyone else involved."""
    gathering = gathering_make(capacity=2, video_link="https://meet.example/other")
    # The marker is planted by an edit, as an organiser would paste it.
    gathering = gathering_update(gathering=gathering, video_link=MARKER_LINK)
    gathering = advance(gathering, gathering.applications_open_at)
    members = members_joined(gathering.community, 5)
    apply_all(gathering, members)
    gathering = advance(gathering, gathering.applications_close_at)
    first, second, third, fourth, _ = by_rank(gathering)
    now = gathering.applications_close_at + timedelta(hours=1)
    offer_confirm(member=first.member, gathering=gathering, now=now)
    offer_decline(member=second.member, gathering=gathering, now=now)
    application_withdraw(member=fourth.member, gathering=gathering, now=now)
    offer_confirm(member=third.member, gathering=gathering, now=now + SECOND)
    for before in (timedelta(hours=24), timedelta(hours=1), timedelta(0)):
        advance(gathering, gathering.starts_at - before)
    checkin_record(
        gathering=gathering,
        attended={first.pk: True, third.pk: False},
    )
    advance(gathering, gathering.ends_at)

    elsewhere = gathering_open(capacity=1, community=gathering.community)
    apply_all(elsewhere, members[:2])
    elsewhere = advance(elsewhere, elsewhere.applications_close_at)
    for offered in with_status(elsewhere, A.OFFERED):
        offer_confirm(
            member=offered.member,
            gathering=elsewhere,
            now=elsewhere.applications_close_at + SECOND,
        )
    gathering_cancel(gathering=elsewhere, reason="강사 사정으로 취소합니다")

    attendees = [first.member, third.member]
    others = [m for m in members if m not in attendees]
    return gathering, attendees, others


def test_the_video_link_appears_in_no_log_mail_notification_or_draw_record(all_logs):
    _, attendees, others = _run_a_whole_gathering()

    # The run did reach everyone, by mail and notification.
    for attendee in attendees:
        assert Notification.objects.filter(
            recipient=attendee, message__contains="starts in an hour"
        ).exists()
    for other in others:
        assert Notification.objects.filter(recipient=other).exists()
        assert any(other.email in message.to for message in mail.outbox)
    assert all_logs.records, "the run logged"
    assert MARKER not in _log_text(all_logs)
    assert MARKER not in _mail_text()
    assert MARKER not in _notification_text()
    for draw in Draw.objects.all():
        assert MARKER not in json.dumps(draw.record)


def test_the_link_reaches_the_attendee_through_their_join_url_only_after_release():
    gathering = gathering_open(capacity=1)
    winner, loser = members_joined(gathering.community, 2)
    apply_all(gathering, [winner, loser])
    gathering = advance(gathering, gathering.applications_close_at)
    won, lost = by_rank(gathering)
    offer_confirm(
        member=won.member,
        gathering=gathering,
        now=gathering.applications_close_at + SECOND,
    )
    token = join_token(JoinPass.objects.get(application=won))
    release = gathering.link_release_at

    with pytest.raises(EventsError) as early:
        join_resolve(token=token, member=won.member, now=release - SECOND)
    assert early.value.code == "join_not_released"
    assert MARKER not in early.value.message

    assert join_resolve(token=token, member=won.member, now=release) == MARKER_LINK
    for outsider in (lost.member, gathering.created_by):
        with pytest.raises(LookupError):
            join_resolve(token=token, member=outsider, now=release)
    assert application_of(gathering, won.member).join_pass.use_count == 1


def test_a_guessed_or_altered_join_token_learns_nothing():
    gathering = gathering_open(capacity=1)
    member = members_joined(gathering.community, 1)[0]
    apply_all(gathering, [member])
    gathering = advance(gathering, gathering.applications_close_at)
    offer_confirm(
        member=member,
        gathering=gathering,
        now=gathering.applications_close_at + SECOND,
    )
    join_pass = JoinPass.objects.get(application__member=member)
    token = join_token(join_pass)
    release = gathering.link_release_at

    for guess in (f"{join_pass.pk}-{'0' * 32}", token[:-1], "x-y", f"{join_pass.pk}"):
        with pytest.raises(LookupError):
            join_resolve(token=guess, member=member, now=release)
