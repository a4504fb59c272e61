"""A member's notifications."""

from django.core.paginator import Page, Paginator

from community.models import (
    Member,
    Notification,
)


def notification_list(*, member: Member, page: int | str = 1) -> Page:
    notifications = Notification.objects.filter(recipient=member).select_related(
        "actor", "thread", "thread__community", "comment"
    )
    return Paginator(notifications, 30).get_page(page)


def notification_unread_count(member: Member) -> int:
    return Notification.objects.filter(recipient=member, read_at__isnull=True).count()


def notification_get(*, member: Member, notification_id: int) -> Notification | None:
    """One of the member's own notifications (never someone else's), with
    what its link needs."""
    return (
        Notification.objects.select_related("thread__community")
        .filter(pk=notification_id, recipient=member)
        .first()
    )
