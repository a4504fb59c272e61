"""Reads of the chat: pages of a room's history, by sequence number."""

from realtime.access import RoomAccess
from realtime.models import Message
from realtime.services import message_payload

PAGE = 50


def history_page(
    *, access: RoomAccess, before: int | None = None, after: int | None = None
) -> tuple[list[dict], bool]:
    """Up to PAGE messages, oldest first, and whether more exist in that
    direction: the newest page (neither bound), the page before ``before``
    (scrolling back) or the page after ``after`` (a reconnecting client's
    resync; it asks again while more remain). Deleted messages keep their
    place with no author or body, so a client sees no gap in the sequence.
    One query."""
    messages = Message.objects.filter(room=access.room).select_related("author")
    if after is not None:
        rows = list(messages.filter(seq__gt=after).order_by("seq")[: PAGE + 1])
        more = len(rows) > PAGE
        rows = rows[:PAGE]
    else:
        if before is not None:
            messages = messages.filter(seq__lt=before)
        rows = list(messages.order_by("-seq")[: PAGE + 1])
        more = len(rows) > PAGE
        rows = rows[:PAGE][::-1]
    return [message_payload(m, access.community) for m in rows], more
