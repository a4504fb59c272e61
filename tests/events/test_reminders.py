"""Reminders reach confirmed attendees the day before and an hour before,
with their personal join URL once it is released, never the video link."""

from datetime import timedelta

from django.core import mail
from django.utils import timezone, translation

from community.access import access_for
from community.models import Notification, NotificationKind
from community.services.communities import community_create, community_join
from community.services.preferences import preferences_update
from community.templatetags.notifications import notification_text
from events.models import (
    Application,
    ApplicationStatus,
    Gathering,
    GatheringFormat,
    ReminderKind,
    ReminderSent,
)
from events.services.applications import application_submit, application_withdraw
from events.services.gatherings import (
    gathering_cancel,
    gathering_create,
    gathering_publish,
)
from events.services.lifecycle import gathering_advance
from tests.factories import member_create

MARKER = "https://zoom.example/j/MARKER-REMIND"


def first_come_gathering(now, *, release_before):
    organiser = member_create()
    community = community_create(
        name="리마인드", slug="remind", role="hr", owner=organiser
    )
    attendee = member_create(language="en")
    community_join(access=access_for(attendee, community))
    gathering = gathering_create(
        community=community,
        created_by=organiser,
        title="Remind me",
        starts_at=now + timedelta(days=2),
        ends_at=now + timedelta(days=2, hours=2),
        capacity=5,
        selection_mode="first_come",
        applications_open_at=now - timedelta(minutes=1),
        applications_close_at=now + timedelta(hours=1),
        link_release_before=release_before,
        video_link=MARKER,
    )
    gathering = gathering_publish(gathering=gathering)
    application = application_submit(member=attendee, gathering=gathering)
    assert application.status == ApplicationStatus.CONFIRMED
    return gathering, attendee


def reminders_for(member):
    """The member's reminders as they read them, in English."""
    with translation.override("en"):
        return [
            notification_text(n)
            for n in Notification.objects.filter(
                recipient=member,
                kind=NotificationKind.GATHERING,
                message__startswith="Reminder",
            ).order_by("pk")
        ]


def test_the_day_before_reminder_carries_the_join_url_once_released(db):
    now = timezone.now()
    gathering, attendee = first_come_gathering(now, release_before=timedelta(days=3))
    gathering_advance(gathering_id=gathering.pk, now=now + timedelta(days=1, hours=1))

    (text,) = reminders_for(attendee)
    assert "/join/" in text
    assert MARKER not in text
    assert all(MARKER not in m.body for m in mail.outbox)


def test_before_release_the_reminder_has_no_join_url(db):
    now = timezone.now()
    gathering, attendee = first_come_gathering(now, release_before=timedelta(hours=2))
    gathering_advance(gathering_id=gathering.pk, now=now + timedelta(days=1, hours=1))

    (text,) = reminders_for(attendee)
    assert "/join/" not in text


def test_each_reminder_is_sent_once_however_often_the_job_runs(db):
    now = timezone.now()
    gathering, attendee = first_come_gathering(now, release_before=timedelta(days=3))
    for _ in range(3):
        gathering_advance(
            gathering_id=gathering.pk, now=now + timedelta(days=1, hours=1)
        )
    for _ in range(3):
        gathering_advance(
            gathering_id=gathering.pk, now=now + timedelta(days=1, hours=23, minutes=30)
        )

    assert len(reminders_for(attendee)) == 2


def test_a_first_come_offer_made_while_open_lapses_at_its_deadline(db):
    now = timezone.now()
    organiser = member_create()
    community = community_create(name="선착순", slug="fc", role="hr", owner=organiser)
    first, second = member_create(), member_create()
    for member in (first, second):
        community_join(access=access_for(member, community))
    gathering = gathering_publish(
        gathering=gathering_create(
            community=community,
            created_by=organiser,
            title="First come",
            starts_at=now + timedelta(days=5),
            ends_at=now + timedelta(days=5, hours=1),
            capacity=1,
            selection_mode="first_come",
            applications_open_at=now - timedelta(minutes=1),
            applications_close_at=now + timedelta(days=4),
            claim_window=timedelta(hours=6),
        )
    )
    application_submit(member=first, gathering=gathering, now=now)
    application_submit(member=second, gathering=gathering, now=now)
    application_withdraw(member=first, gathering=gathering, now=now)
    offered = Application.objects.get(gathering=gathering, member=second)
    assert offered.status == ApplicationStatus.OFFERED

    gathering.refresh_from_db()
    assert gathering.next_due_at == offered.offer_expires_at
    gathering_advance(gathering_id=gathering.pk, now=now + timedelta(hours=7))

    offered.refresh_from_db()
    assert offered.status == ApplicationStatus.EXPIRED


def test_a_reminder_mail_offers_one_click_unsubscribe_a_cancellation_does_not(db):
    now = timezone.now()
    gathering, attendee = first_come_gathering(now, release_before=timedelta(days=3))
    mail.outbox.clear()

    gathering_advance(gathering_id=gathering.pk, now=now + timedelta(days=1, hours=1))
    gathering_cancel(gathering=gathering, reason="사정이 생겼어요")

    reminder, cancellation = [m for m in mail.outbox if m.to == [attendee.email]]
    assert reminder.extra_headers["List-Unsubscribe-Post"] == (
        "List-Unsubscribe=One-Click"
    )
    assert "/unsubscribe/" in reminder.body
    assert "cancelled" in cancellation.body
    assert "List-Unsubscribe" not in cancellation.extra_headers
    assert "/unsubscribe/" not in cancellation.body


def test_a_member_who_turned_reminder_mails_off_still_sees_the_notice(db):
    now = timezone.now()
    gathering, attendee = first_come_gathering(now, release_before=timedelta(days=3))
    preferences_update(member=attendee, choices={("reminder", "email"): False})
    mail.outbox.clear()

    gathering_advance(gathering_id=gathering.pk, now=now + timedelta(days=1, hours=1))

    assert [m for m in mail.outbox if m.to == [attendee.email]] == []
    assert len(reminders_for(attendee)) == 1


def test_the_lifecycle_wakes_when_the_link_opens_and_marks_each_attendee_once(db):
    now = timezone.now()
    gathering, attendee = first_come_gathering(now, release_before=timedelta(hours=6))
    gathering = gathering_advance(
        gathering_id=gathering.pk, now=gathering.starts_at - timedelta(hours=23)
    )
    assert gathering.next_due_at == gathering.link_release_at

    for _ in range(2):
        gathering = gathering_advance(
            gathering_id=gathering.pk, now=gathering.link_release_at
        )

    sent = ReminderSent.objects.filter(application__member=attendee)
    assert sorted(sent.values_list("kind", flat=True)) == [
        ReminderKind.DAY_BEFORE,
        ReminderKind.LINK_RELEASE,
    ]
    assert gathering.next_due_at > gathering.link_release_at
    # Only the day-before reminder is a notification; the link's is a push.
    assert len(reminders_for(attendee)) == 1


def test_an_offline_gathering_has_no_link_to_release(db):
    now = timezone.now()
    gathering, _attendee = first_come_gathering(now, release_before=timedelta(hours=6))
    Gathering.objects.filter(pk=gathering.pk).update(
        format=GatheringFormat.OFFLINE, video_link=""
    )
    gathering = gathering_advance(
        gathering_id=gathering.pk, now=gathering.starts_at - timedelta(hours=23)
    )
    assert gathering.next_due_at != gathering.link_release_at

    gathering_advance(gathering_id=gathering.pk, now=gathering.link_release_at)

    assert not ReminderSent.objects.filter(kind=ReminderKind.LINK_RELEASE).exists()
