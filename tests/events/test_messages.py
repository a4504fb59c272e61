"""Messages to applicants (events.services.messages): segments, sending now
and later, idempotency, the video-link rule with its variants, sanctions,
the audit entries, the notification and the email."""

import json
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone, translation

from community.access import access_for
from community.models import (
    AuditEntry,
    Member,
    ModerationAction,
    Notification,
    NotificationKind,
    SanctionKind,
)
from community.selectors.moderation import audit_log
from community.services.communities import community_leave
from community.services.moderation import sanction_impose
from community.services.preferences import preferences_update
from events.access import names_video_link
from events.errors import EventsError
from events.models import (
    ApplicationStatus,
    Gathering,
    GatheringMessage,
    MessageDelivery,
    MessageSegment,
    MessageStatus,
)
from events.selectors.messages import segment_counts, segment_recipients
from events.services.attendance import checkin_record
from events.services.messages import (
    message_cancel,
    message_create,
    message_deliver,
    messages_deliver_due,
)
from events.services.offers import offer_confirm
from tests.events.factories import (
    MARKER_LINK,
    gathering_drawn,
    guards_bypassed,
    member_joined,
    with_status,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def held():
    """Five applicants for two seats, drawn: both winners confirmed, one
    checked in and one recorded as a no-show; three waitlisted."""
    gathering, _members = gathering_drawn(capacity=2, applicants=5)
    offered = with_status(gathering, ApplicationStatus.OFFERED)
    for application in offered:
        offer_confirm(
            member=application.member,
            gathering=gathering,
            now=gathering.applications_close_at + timedelta(minutes=5),
        )
    checkin_record(
        gathering=gathering,
        attended={offered[0].pk: True, offered[1].pk: False},
    )
    mail.outbox.clear()
    return {
        "gathering": gathering,
        "organiser": gathering.created_by,
        "attended": offered[0].member,
        "no_show": offered[1].member,
        "waitlisted": [a.member for a in with_status(gathering, "waitlisted")],
    }


def _access(member: Member, gathering: Gathering):
    return access_for(member, gathering.community)


def _write(held, segment=MessageSegment.ALL, *, subject="안내", body="본문", **kw):
    return message_create(
        access=_access(held["organiser"], held["gathering"]),
        gathering=held["gathering"],
        segment=segment,
        subject=subject,
        body=body,
        **kw,
    )


def _received(message: GatheringMessage) -> set[int]:
    return set(
        MessageDelivery.objects.filter(message=message).values_list(
            "member_id", flat=True
        )
    )


# --- Segments ---------------------------------------------------------------------


def test_each_segment_counts_whom_it_reaches(held):
    counts = segment_counts(gathering=held["gathering"])

    assert counts == {
        "all": 5,
        "waitlisted": 3,
        "confirmed": 2,
        "attended": 1,
        "no_show": 1,
    }


def test_attended_and_no_show_segments_follow_check_in(held):
    gathering = held["gathering"]

    attended = segment_recipients(gathering=gathering, segment="attended")
    no_show = segment_recipients(gathering=gathering, segment="no_show")

    assert attended == [held["attended"]]
    assert no_show == [held["no_show"]]


def test_a_confirmed_seat_without_check_in_counts_as_attended():
    """The one rule analytics and the survey use (``attendee_filter``):
    attendance recorded by nobody counts as attended, not as a no-show."""
    gathering, _members = gathering_drawn(capacity=1, applicants=1)
    (offered,) = with_status(gathering, ApplicationStatus.OFFERED)
    offer_confirm(
        member=offered.member,
        gathering=gathering,
        now=gathering.applications_close_at + timedelta(minutes=5),
    )

    counts = segment_counts(gathering=gathering)

    assert (counts["confirmed"], counts["attended"], counts["no_show"]) == (1, 1, 0)


def test_banned_and_departed_members_are_in_no_segment(held):
    gathering = held["gathering"]
    banned, departed, *_ = held["waitlisted"]
    moderator = _access(held["organiser"], gathering)
    sanction_impose(
        access=moderator, member=banned, kind=SanctionKind.BAN, reason="x", ends_at=None
    )
    community_leave(access=_access(departed, gathering))

    recipients = segment_recipients(gathering=gathering, segment="all")

    assert banned not in recipients and departed not in recipients
    assert segment_counts(gathering=gathering)["all"] == len(recipients)


def test_the_segment_query_count_is_pinned(held, django_assert_num_queries):
    with django_assert_num_queries(1):
        segment_counts(gathering=held["gathering"])
    with django_assert_num_queries(1):
        segment_recipients(gathering=held["gathering"], segment="waitlisted")


# --- Sending now ------------------------------------------------------------------


def test_a_message_sent_now_reaches_its_segment_in_app_and_by_email(held):
    message = _write(held, "waitlisted", subject="대기 안내", body="**곧** 알려드려요")

    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.recipient_count == 3
    waiting = held["waitlisted"]
    assert _received(message) == {m.pk for m in waiting}
    notices = Notification.objects.filter(kind=NotificationKind.MESSAGE)
    assert {n.recipient_id for n in notices} == {m.pk for m in waiting}
    assert {n.link for n in notices} == {
        f"/c/{held['gathering'].community.slug}/g/{held['gathering'].pk}"
        f"/messages/{message.pk}/"
    }
    assert sorted(to for m in mail.outbox for to in m.to) == sorted(
        m.email for m in waiting
    )


def test_a_message_mail_offers_one_click_unsubscribe(held):
    _write(held, "waitlisted", subject="대기 안내")

    assert mail.outbox
    for message in mail.outbox:
        assert message.extra_headers["List-Unsubscribe-Post"] == (
            "List-Unsubscribe=One-Click"
        )
        assert "/unsubscribe/" in message.body


def test_a_member_who_turned_organiser_mails_off_reads_the_message_on_moim(held):
    quiet, *others = held["waitlisted"]
    preferences_update(member=quiet, choices={("message", "email"): False})

    _write(held, "waitlisted", subject="대기 안내")

    assert sorted(to for m in mail.outbox for to in m.to) == sorted(
        m.email for m in others
    )
    assert Notification.objects.filter(
        kind=NotificationKind.MESSAGE, recipient=quiet
    ).exists()


def test_the_notification_shows_the_subject_in_the_readers_language(held):
    _write(held, "attended", subject="후기 부탁해요")
    notice = Notification.objects.get(
        recipient=held["attended"], kind=NotificationKind.MESSAGE
    )

    from community.templatetags.notifications import notification_text

    with translation.override("en"):
        english = notification_text(notice)
    with translation.override("ko"):
        korean = notification_text(notice)

    assert "후기 부탁해요" in english and "Message from the organisers" in english
    assert "후기 부탁해요" in korean and "Message from" not in korean


def test_the_email_keeps_the_organisers_text_and_speaks_the_members_language(held):
    member = held["attended"]
    Member.objects.filter(pk=member.pk).update(language="ko")

    _write(held, "attended", subject="Slides", body="See **the slides** <b>here</b>")

    (sent,) = mail.outbox
    assert "Slides" in sent.subject
    assert "See **the slides** <b>here</b>" in sent.body
    assert "님" in sent.body or "안녕하세요" in sent.body
    assert "/messages/" in sent.body


def test_the_body_is_rendered_through_the_sanitising_markdown(held):
    message = _write(
        held, "confirmed", body="**굵게** <script>alert(1)</script> [x](javascript:1)"
    )

    assert "<strong>굵게</strong>" in message.body_html
    assert "<script>" not in message.body_html
    assert 'href="javascript' not in message.body_html


def test_the_sender_is_not_among_the_recipients(held):
    gathering = held["gathering"]
    host = held["attended"]
    gathering.hosts.add(host)

    message = message_create(
        access=_access(host, gathering),
        gathering=gathering,
        segment="confirmed",
        subject="s",
        body="b",
    )

    assert _received(message) == {held["no_show"].pk}


# --- Idempotency ------------------------------------------------------------------


def test_a_second_run_sends_nobody_anything(held):
    message = _write(held)
    notifications, mails = Notification.objects.count(), len(mail.outbox)

    assert message_deliver(message_id=message.pk) == 0

    assert (Notification.objects.count(), len(mail.outbox)) == (notifications, mails)


def test_a_run_that_finds_deliveries_already_written_skips_those_members(held):
    """As if a worker had died between the delivery rows and the status (a
    status restored by hand): each member still gets the message once."""
    message = _write(held, "waitlisted")
    GatheringMessage.objects.filter(pk=message.pk).update(
        status=MessageStatus.SCHEDULED
    )
    late = member_joined(held["gathering"].community)
    mails = len(mail.outbox)

    assert message_deliver(message_id=message.pk) == 0
    assert len(mail.outbox) == mails
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.recipient_count == 3
    assert late.pk not in _received(message)


# --- Scheduling -------------------------------------------------------------------


def test_a_scheduled_message_waits_for_its_time(held):
    now = timezone.now()
    message = _write(held, send_at=now + timedelta(hours=2), now=now)

    assert message.status == MessageStatus.SCHEDULED
    assert message_deliver(message_id=message.pk, now=now + timedelta(hours=1)) == 0
    assert mail.outbox == []

    assert message_deliver(message_id=message.pk, now=now + timedelta(hours=2)) == 5
    assert len(mail.outbox) == 5


def test_the_page_path_delivers_what_fell_due(held):
    now = timezone.now()
    message = _write(held, send_at=now + timedelta(hours=2), now=now)

    assert messages_deliver_due(gathering=held["gathering"], now=now) == 0
    sent = messages_deliver_due(
        gathering=held["gathering"], now=now + timedelta(hours=3)
    )

    assert sent == 5
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT


def test_recipients_are_resolved_when_the_message_is_sent(held):
    """A segment means who is in it when the message goes: a member banned
    after it was scheduled receives nothing."""
    now = timezone.now()
    gathering = held["gathering"]
    message = _write(held, "waitlisted", send_at=now + timedelta(hours=1), now=now)
    banned = held["waitlisted"][0]
    sanction_impose(
        access=_access(held["organiser"], gathering),
        member=banned,
        kind=SanctionKind.BAN,
        reason="x",
        ends_at=None,
    )
    mail.outbox.clear()

    message_deliver(message_id=message.pk, now=now + timedelta(hours=1))

    assert banned.pk not in _received(message)
    assert len(_received(message)) == 2
    assert banned.email not in [to for m in mail.outbox for to in m.to]


@pytest.mark.parametrize(
    ("offset", "code"),
    [
        (timedelta(minutes=-10), "message_time_past"),
        (timedelta(days=91), "message_time_far"),
    ],
)
def test_a_time_in_the_past_or_too_far_ahead_is_refused(held, offset, code):
    now = timezone.now()
    with pytest.raises(EventsError) as refused:
        _write(held, send_at=now + offset, now=now)

    assert refused.value.code == code
    assert not GatheringMessage.objects.exists()


def test_a_scheduled_message_can_be_cancelled_before_it_goes(held):
    now = timezone.now()
    gathering = held["gathering"]
    message = _write(held, send_at=now + timedelta(hours=1), now=now)

    message_cancel(
        access=_access(held["organiser"], gathering),
        gathering=gathering,
        message_id=message.pk,
    )

    assert message_deliver(message_id=message.pk, now=now + timedelta(hours=2)) == 0
    message.refresh_from_db()
    assert message.status == MessageStatus.CANCELLED
    assert mail.outbox == []


def test_a_sent_message_cannot_be_cancelled(held):
    message = _write(held)

    with pytest.raises(EventsError) as refused:
        message_cancel(
            access=_access(held["organiser"], held["gathering"]),
            gathering=held["gathering"],
            message_id=message.pk,
        )

    assert refused.value.code == "message_not_scheduled"


# --- The video link ---------------------------------------------------------------

LINK_VARIANTS = [
    MARKER_LINK,
    MARKER_LINK.removeprefix("https://"),
    MARKER_LINK + "/",
    "http://zoom.example/j/MARKER-123",
    "HTTPS://ZOOM.EXAMPLE/J/MARKER-123",
    "https://www.zoom.example/j/MARKER-123",
    "https://zoom.example/j/MARKER%2D123",
    "https%3A%2F%2Fzoom.example%2Fj%2FMARKER-123",
    f"[들어오세요]({MARKER_LINK})",
    f"<{MARKER_LINK}>",
    "zoom\\.example/j/MARKER\\-123",
    "zoom.example/j/MARK\u200bER-123",
    "ｚｏｏｍ.example/j/MARKER-123",
    "zoom.example/j/MARKER-123?pwd=x",
    "zoom.example/j/MARKER-&#49;23",
]


@pytest.mark.parametrize("written", LINK_VARIANTS)
def test_the_video_link_is_found_however_it_is_written(written):
    gathering = Gathering(video_link=MARKER_LINK)

    assert names_video_link(gathering, f"링크는 {written} 입니다")


@pytest.mark.parametrize(
    "written",
    ["https://zoom.example/j/OTHER-999", "zoom.example", "MARKER", "https://x.test/"],
)
def test_other_links_are_not_the_video_link(written):
    assert not names_video_link(Gathering(video_link=MARKER_LINK), written)


@pytest.mark.parametrize("segment", ["all", "waitlisted"])
@pytest.mark.parametrize("where", ["subject", "body"])
def test_a_message_with_the_link_to_anyone_without_a_seat_is_refused(
    held, segment, where
):
    texts = {"subject": "안내", "body": "본문"}
    texts[where] += f" {MARKER_LINK.removeprefix('https://')}/"

    with pytest.raises(EventsError) as refused:
        _write(held, segment, **texts)

    expected = "message_link_subject" if where == "subject" else "message_video_link"
    assert refused.value.code == expected
    assert not GatheringMessage.objects.exists()
    assert mail.outbox == []


@pytest.mark.parametrize("segment", ["confirmed", "attended", "no_show"])
def test_seat_holders_may_be_sent_the_link(held, segment):
    _released(held["gathering"])
    message = _write(held, segment, body=f"링크: {MARKER_LINK}")

    message.refresh_from_db()
    assert message.status == MessageStatus.SENT


def test_the_link_is_checked_again_when_a_scheduled_message_goes(held):
    """The link changed after the message was scheduled, to one its body
    names: nobody receives it, and the log says why."""
    now = timezone.now()
    gathering = held["gathering"]
    new_link = "https://meet.example/new-room"
    message = _write(
        held,
        "all",
        body="새 방: meet.example/new-room",
        send_at=now + timedelta(hours=1),
        now=now,
    )
    with guards_bypassed():
        Gathering.objects.filter(pk=gathering.pk).update(video_link=new_link)

    assert message_deliver(message_id=message.pk, now=now + timedelta(hours=1)) == 0

    message.refresh_from_db()
    assert message.status == MessageStatus.REFUSED
    assert mail.outbox == []
    assert AuditEntry.objects.filter(action=ModerationAction.MESSAGE_REFUSED).exists()


# --- Sanctions ----------------------------------------------------------------------


def _host(held, kind: str) -> Member:
    gathering = held["gathering"]
    host = member_joined(gathering.community)
    gathering.hosts.add(host)
    sanction_impose(
        access=_access(held["organiser"], gathering),
        member=host,
        kind=kind,
        reason="x",
        ends_at=None,
    )
    return host


@pytest.mark.parametrize(
    ("kind", "code"),
    [(SanctionKind.MUTE, "muted"), (SanctionKind.BAN, "not_organiser")],
)
def test_a_sanctioned_host_cannot_send(held, kind, code):
    host = _host(held, kind)

    with pytest.raises(EventsError) as refused:
        message_create(
            access=_access(host, held["gathering"]),
            gathering=held["gathering"],
            segment="all",
            subject="s",
            body="b",
        )

    assert refused.value.code == code


def test_a_host_muted_after_scheduling_sends_nothing(held):
    now = timezone.now()
    gathering = held["gathering"]
    host = member_joined(gathering.community)
    gathering.hosts.add(host)
    message = message_create(
        access=_access(host, gathering),
        gathering=gathering,
        segment="all",
        subject="s",
        body="b",
        send_at=now + timedelta(hours=1),
        now=now,
    )
    sanction_impose(
        access=_access(held["organiser"], gathering),
        member=host,
        kind=SanctionKind.MUTE,
        reason="x",
        ends_at=None,
    )
    mail.outbox.clear()

    message_deliver(message_id=message.pk, now=now + timedelta(hours=1))

    message.refresh_from_db()
    assert message.status == MessageStatus.REFUSED
    assert mail.outbox == []


# --- The audit log ----------------------------------------------------------------


def test_writing_and_sending_are_in_the_audit_log(held):
    now = timezone.now()
    at = now + timedelta(hours=1)
    message = _write(held, "waitlisted", subject="대기 안내", send_at=at, now=now)
    message_deliver(message_id=message.pk, now=at)

    entries = list(
        AuditEntry.objects.filter(community=held["gathering"].community)
        .filter(action__in=[ModerationAction.MESSAGE, ModerationAction.MESSAGE_SENT])
        .order_by("pk")
    )

    assert [e.action for e in entries] == ["message", "msg_sent"]
    assert all(e.moderator == held["organiser"] for e in entries)
    written = json.loads(entries[0].reason)
    assert written["params"]["subject"] == "대기 안내"
    assert written["params"]["count"] == 3
    assert "본문" not in entries[0].reason
    with translation.override("en"):
        shown = [
            e.reason_shown
            for e in audit_log(community=held["gathering"].community).object_list
            if e.action in {"message", "msg_sent"}
        ]
    assert "‘대기 안내’ to Waitlisted: 3 recipients" in shown[0]
    assert "to be sent" in shown[1]


def test_cancelling_is_in_the_audit_log(held):
    now = timezone.now()
    message = _write(held, send_at=now + timedelta(hours=1), now=now)

    message_cancel(
        access=_access(held["organiser"], held["gathering"]),
        gathering=held["gathering"],
        message_id=message.pk,
    )

    assert AuditEntry.objects.filter(action=ModerationAction.MESSAGE_CANCEL).exists()


# --- Review fixes: the link's identifying parts, its own rule, the subject -------

ZOOM = "https://us02web.zoom.us/j/85512345678?pwd=AbCdEf123"
MEET = "https://meet.google.com/abc-defg-hij?authuser=0"
TEAMS = (
    "https://teams.microsoft.com/l/meetup-join/19%3ameeting_NzQ4YjQxZTUt%40thread.v2"
    "/0?context=%7b%22Tid%22%3a%2272f988bf%22%7d"
)


@pytest.mark.parametrize(
    ("stored", "written"),
    [
        (ZOOM, "https://zoom.us/j/85512345678?pwd=AbCdEf123"),
        (ZOOM, "https://us02web.zoom.us/j/85512345678"),
        (ZOOM, "https://us02web.zoom.us/j/85512345678?uname=x&pwd=AbCdEf123"),
        (ZOOM, "회의 ID 855 1234 5678"),
        (ZOOM, "암호: AbCdEf123"),
        (MEET, "meet.google.com/abc-defg-hij"),
        (TEAMS, TEAMS.split("?")[0]),
    ],
)
def test_the_link_is_found_by_its_meeting_id_or_passcode(stored, written):
    assert names_video_link(Gathering(video_link=stored), f"들어오세요 {written}")


def test_a_short_path_is_still_matched_only_as_the_whole_link():
    gathering = Gathering(video_link="https://meet.test/ab?k=1")

    assert not names_video_link(gathering, "경로 /ab 와 k=1")
    assert names_video_link(gathering, "meet.test/ab?k=1")


def _released(gathering: Gathering) -> None:
    """The link's release time moved into the past (the factory's start is
    weeks ahead)."""
    with guards_bypassed():
        Gathering.objects.filter(pk=gathering.pk).update(
            link_release_before=timedelta(days=365)
        )
    gathering.refresh_from_db()


def test_a_message_naming_the_link_before_its_release_is_refused(held):
    with pytest.raises(EventsError) as refused:
        _write(held, "confirmed", body=f"링크: {MARKER_LINK}")

    assert refused.value.code == "message_link_early"
    assert not GatheringMessage.objects.exists()


def test_a_message_naming_the_link_leaves_out_a_revoked_join_pass(held):
    from events.models import Application
    from events.services.attendance import join_revoke

    gathering = held["gathering"]
    _released(gathering)
    join_revoke(
        application=Application.objects.get(gathering=gathering, member=held["no_show"])
    )
    mail.outbox.clear()

    message = _write(held, "confirmed", body=f"링크: {MARKER_LINK}")

    assert _received(message) == {held["attended"].pk}
    assert [to for m in mail.outbox for to in m.to] == [held["attended"].email]


def test_a_scheduled_message_naming_the_link_is_refused_if_the_release_moved(held):
    gathering = held["gathering"]
    _released(gathering)
    now = timezone.now()
    message = _write(
        held,
        "confirmed",
        body=f"링크: {MARKER_LINK}",
        send_at=now + timedelta(hours=1),
        now=now,
    )
    with guards_bypassed():
        Gathering.objects.filter(pk=gathering.pk).update(
            link_release_before=timedelta(hours=1)
        )

    assert message_deliver(message_id=message.pk, now=now + timedelta(hours=1)) == 0
    message.refresh_from_db()
    assert message.status == MessageStatus.REFUSED
    entry = AuditEntry.objects.get(action=ModerationAction.MESSAGE_REFUSED)
    assert len(entry.reason) <= 300
    assert json.loads(entry.reason)["params"]["reason"]["error"] == (
        "events:message_link_early"
    )


@pytest.mark.parametrize("segment", ["confirmed", "attended", "no_show"])
def test_the_link_in_the_subject_is_refused_for_every_segment(held, segment):
    _released(held["gathering"])

    with pytest.raises(EventsError) as refused:
        _write(held, segment, subject=f"링크 {MARKER_LINK}")

    assert refused.value.code == "message_link_subject"


def test_a_refused_message_is_said_in_full_in_the_audit_log(held):
    now = timezone.now()
    gathering = held["gathering"]
    message = _write(
        held,
        "all",
        subject="가" * 80,
        body="새 방: meet.example/new-room",
        send_at=now + timedelta(hours=1),
        now=now,
    )
    with guards_bypassed():
        Gathering.objects.filter(pk=gathering.pk).update(
            video_link="https://meet.example/new-room"
        )
    message_deliver(message_id=message.pk, now=now + timedelta(hours=1))

    entry = AuditEntry.objects.get(action=ModerationAction.MESSAGE_REFUSED)
    json.loads(entry.reason)
    with translation.override("en"):
        (shown,) = [
            e.reason_shown
            for e in audit_log(community=gathering.community).object_list
            if e.action == ModerationAction.MESSAGE_REFUSED
        ]
        assert shown.endswith(EventsError("message_video_link").message)
    assert "was not sent" in shown
