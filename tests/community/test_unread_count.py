"""The unread count every signed-in page shows is read once and kept in the
cache (community.selectors.notifications), and is never stale after a
change: a new notification, one read, all read."""

import pytest
from django.db import transaction

from community.models import NotificationKind
from community.selectors.notifications import notification_unread_count
from community.services.notifications import (
    notification_mark_read,
    notifications_mark_all_read,
    notify,
)
from tests.factories import member_create

pytestmark = pytest.mark.django_db


def test_the_count_is_read_once_then_kept(django_assert_num_queries):
    member = member_create()
    with django_assert_num_queries(1):
        assert notification_unread_count(member) == 0
    with django_assert_num_queries(0):
        assert notification_unread_count(member) == 0


def test_the_kept_count_follows_every_change(django_capture_on_commit_callbacks):
    member, actor = member_create(), member_create()
    assert notification_unread_count(member) == 0

    with django_capture_on_commit_callbacks(execute=True):
        (first,) = notify(
            recipients=[member], kind=NotificationKind.MODERATION, actor=actor
        )
    assert notification_unread_count(member) == 1
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[member], kind=NotificationKind.MODERATION, actor=actor)
    assert notification_unread_count(member) == 2

    with django_capture_on_commit_callbacks(execute=True):
        notification_mark_read(member=member, notification_id=first.pk)
    assert notification_unread_count(member) == 1
    with django_capture_on_commit_callbacks(execute=True):
        notifications_mark_all_read(member=member)
    assert notification_unread_count(member) == 0


def test_a_change_is_seen_before_its_commit_runs_the_push():
    # Forgotten in the changing transaction itself: even before the
    # after-commit push stores the new count, no page reads the old one.
    member, actor = member_create(), member_create()
    assert notification_unread_count(member) == 0
    with transaction.atomic():
        notify(recipients=[member], kind=NotificationKind.MODERATION, actor=actor)
        assert notification_unread_count(member) == 1
