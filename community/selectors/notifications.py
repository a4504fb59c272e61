"""A member's notifications."""

from collections.abc import Iterable

from django.core.cache import cache
from django.core.paginator import Page, Paginator

from community.caching import optional
from community.models import (
    Member,
    Notification,
)

# The unread count is read on every page a member opens, so it is kept in
# the cache. Every change to it goes through
# realtime.broadcast.unread_counts_push, which forgets it at once (in the
# changing transaction) and stores the count read after the commit; an entry
# filled by a page read never overwrites one (``add``), so a read racing a
# change cannot put the old count back. The timeout bounds what a change
# made around that path (a cascade) leaves stale.
UNREAD_TIMEOUT = 300


def _unread_key(member_id: int) -> str:
    return f"unread:{member_id}"


def notification_list(*, member: Member, page: int | str = 1) -> Page:
    notifications = Notification.objects.filter(recipient=member).select_related(
        "actor", "thread", "thread__community", "comment"
    )
    return Paginator(notifications, 30).get_page(page)


def notification_unread_count(member: Member) -> int:
    key = _unread_key(member.pk)
    count = optional(lambda: cache.get(key), what="unread count")
    if count is None:
        count = Notification.objects.filter(
            recipient=member, read_at__isnull=True
        ).count()
        optional(
            lambda: cache.add(key, count, timeout=UNREAD_TIMEOUT), what="unread count"
        )
    return count


def unread_counts_forget(member_ids: Iterable[int]) -> None:
    keys = [_unread_key(pk) for pk in member_ids]
    optional(lambda: cache.delete_many(keys), what="unread count")


def unread_counts_remember(counts: dict[int, int]) -> None:
    """Store counts read after the commit that changed them."""
    entries = {_unread_key(pk): n for pk, n in counts.items()}
    optional(
        lambda: cache.set_many(entries, timeout=UNREAD_TIMEOUT), what="unread count"
    )


def notification_get(*, member: Member, notification_id: int) -> Notification | None:
    """One of the member's own notifications (never someone else's), with
    what its link needs."""
    return (
        Notification.objects.select_related("thread__community")
        .filter(pk=notification_id, recipient=member)
        .first()
    )
