"""Every broadcast, sent after the transaction that made the change commits.

Chat services send frames to rooms here; services elsewhere in the project
that change who may be in a room (a ban, a withdrawal, a logout) call
``member_sockets_close`` (``session_sockets_close`` for one ended session), a
gathering that moves to its next state calls ``room_recheck``, and new
notifications call ``unread_counts_push``. This module imports no service, so
any of them may import it.
"""

import json
import logging
from collections.abc import Iterable

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.db.models import Count

from community.models import Notification
from community.selectors.notifications import (
    unread_counts_forget,
    unread_counts_remember,
)
from realtime.groups import member_group, room_group, session_group
from realtime.models import Room

logger = logging.getLogger(__name__)


def _group_send(group: str, event: dict) -> None:
    try:
        async_to_sync(get_channel_layer().group_send)(group, event)
    except Exception:
        # The change is stored: a client that missed this frame gets it when
        # it resyncs. Logged, never raised into the request that made it.
        logger.warning("Broadcast to %s failed", group, exc_info=True)


def _send_on_commit(group: str, event: dict) -> None:
    transaction.on_commit(lambda: _group_send(group, event))


def frame_on_commit(room_id: int, payload: dict) -> None:
    """Send ``payload`` to every socket in the room after commit, serialised
    once here rather than once per receiving consumer."""
    text = json.dumps(payload, ensure_ascii=False)
    _send_on_commit(room_group(room_id), {"type": "room.frame", "text": text})


def member_sockets_close(*, member_id: int, room_id: int | None = None) -> None:
    """Close the member's open sockets (only those in ``room_id``, if given)
    after commit: they reconnect at once, and the new connection is allowed
    only what the member is now allowed."""
    _send_on_commit(member_group(member_id), {"type": "member.close", "room": room_id})


def session_sockets_close(*, session_key: str) -> None:
    """Close every socket that the session authenticated, after commit: the
    session has ended (signed out from another device), so they must not
    keep listening. They reconnect and, with no session, are refused."""
    _send_on_commit(session_group(session_key), {"type": "member.close", "room": None})


def room_recheck(*, gathering_id: int) -> None:
    """The gathering changed state (lobby, live, ended, cancelled): after
    commit every socket in its room checks what it may now do."""
    room_id = (
        Room.objects.filter(gathering_id=gathering_id).values_list("pk", flat=True)
    ).first()
    if room_id is not None:
        _send_on_commit(room_group(room_id), {"type": "room.recheck"})


def unread_counts_push(*, member_ids: Iterable[int]) -> None:
    """Send each member's unread notification count to their open pages after
    commit."""
    ids = set(member_ids)
    if not ids:
        return
    # The count each page's navigation reads is cached
    # (community.selectors.notifications): forgotten now, stored after the
    # commit.
    unread_counts_forget(ids)

    def push():
        counts = dict.fromkeys(ids, 0)
        counts.update(
            Notification.objects.filter(recipient_id__in=ids, read_at__isnull=True)
            .values_list("recipient_id")
            .annotate(n=Count("pk"))
            .values_list("recipient_id", "n")
        )
        unread_counts_remember(counts)
        for member_id, count in counts.items():
            _group_send(member_group(member_id), {"type": "unread.count", "n": count})

    transaction.on_commit(push)
