"""Writes of the chat: a message is stored, then sent to the room's group
once the transaction commits (realtime.broadcast), so nothing reaches a
socket that a later read could not find again (see docs/realtime.md).
Consumers never broadcast."""

import math
from datetime import timedelta

from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from community.caching import cache_optional
from community.display import display_name
from community.ids import public_id_valid
from community.models import AuditEntry, Community, Member, ModerationAction
from realtime.access import RoomAccess, mute_duration_refusal, room_access
from realtime.broadcast import frame_on_commit, member_sockets_close
from realtime.errors import RealtimeError
from realtime.models import BODY_LIMIT, Message, Presence, Room, RoomMute

# At most RATE_LIMIT messages by one member in one room within RATE_WINDOW.
RATE_LIMIT = 5
RATE_WINDOW = timedelta(seconds=5)
PRESENCE_TTL = timedelta(seconds=90)


# --- Frames ------------------------------------------------------------------------


def _member_entry(member: Member, community: Community) -> dict:
    return {"id": member.public_id, "name": display_name(member, community)}


def message_payload(message: Message, community: Community) -> dict:
    if message.deleted_at is not None:
        return {"type": "message", "seq": message.seq, "deleted": True}
    return {
        "type": "message",
        "seq": message.seq,
        "id": message.client_id,
        "author": _member_entry(message.author, community),
        "body": message.body,
        "time": message.created_at.isoformat(),
    }


def pinned_payload(room: Room, community: Community) -> dict:
    pinned = room.pinned
    if pinned is not None and pinned.deleted_at is None:
        return {"type": "pinned", "message": message_payload(pinned, community)}
    return {"type": "pinned", "message": None}


# --- Messages -------------------------------------------------------------------


def _body_clean(body: str) -> str:
    # NUL shows nothing and PostgreSQL refuses it in text (it was a server
    # error): dropped, like the spaces around the message.
    body = body.replace("\x00", "").strip()
    if not body:
        raise RealtimeError("empty")
    if len(body) > BODY_LIMIT:
        raise RealtimeError("too_long", limit=BODY_LIMIT)
    return body


def _rate_check(room: Room, member: Member, now) -> None:
    recent = list(
        Message.objects.filter(
            room=room, author=member, created_at__gt=now - RATE_WINDOW
        )
        .order_by("-created_at")
        .values_list("created_at", flat=True)[:RATE_LIMIT]
    )
    if len(recent) >= RATE_LIMIT:
        wait = (recent[-1] + RATE_WINDOW - now).total_seconds()
        raise RealtimeError("rate_limited", seconds=max(1, math.ceil(wait)))


def message_send(
    *, member: Member, key: str, body: str, client_id: str
) -> tuple[Message, bool]:
    """Store a message and broadcast it after commit. Access is checked
    again inside the transaction; the room's row lock, taken to draw the next
    sequence number, orders senders so the rate limit is exact across
    processes. A ``client_id`` the member already used in this room returns
    the stored message and stores nothing; the flag says whether it is new."""
    body = _body_clean(body)
    now = timezone.now()
    with transaction.atomic():
        access = room_access(member=member, key=key)
        if access.write_refusal is not None:
            raise access.write_refusal
        room = access.room
        Room.objects.filter(pk=room.pk).update(last_seq=F("last_seq") + 1)
        existing = (
            Message.objects.filter(room=room, author=member, client_id=client_id)
            .select_related("author")
            .first()
        )
        if existing is not None:
            transaction.set_rollback(True)
            return existing, False
        _rate_check(room, member, now)
        seq = Room.objects.values_list("last_seq", flat=True).get(pk=room.pk)
        message = Message.objects.create(
            room=room,
            seq=seq,
            client_id=client_id,
            author=member,
            body=body,
            created_at=now,
        )
        frame_on_commit(room.pk, message_payload(message, access.community))
    return message, True


def _moderator_access(member: Member, key: str) -> RoomAccess:
    access = room_access(member=member, key=key)
    if not access.can_moderate:
        raise RealtimeError("moderator_only")
    return access


def _locked_message(room: Room, seq: int) -> Message:
    message = (
        Message.objects.select_for_update()
        .filter(room=room, seq=seq, deleted_at__isnull=True)
        .first()
    )
    if message is None:
        raise RealtimeError("message_not_found")
    return message


def _audit(access: RoomAccess, action: str, **target) -> None:
    AuditEntry.objects.create(
        community=access.community, moderator=access.member, action=action, **target
    )


@transaction.atomic
def message_delete(*, member: Member, key: str, seq: int) -> None:
    """Remove a message for everyone; the row stays for the audit log."""
    access = _moderator_access(member, key)
    room = access.room
    message = _locked_message(room, seq)
    message.deleted_at = timezone.now()
    message.deleted_by = member
    message.save(update_fields=["deleted_at", "deleted_by"])
    _audit(
        access,
        ModerationAction.CHAT_DELETE,
        target_member=message.author,
        chat_message=message,
    )
    frame_on_commit(room.pk, {"type": "deleted", "seq": seq})
    if room.pinned_id == message.pk:
        Room.objects.filter(pk=room.pk).update(pinned=None)
        frame_on_commit(room.pk, {"type": "pinned", "message": None})


@transaction.atomic
def message_pin(*, member: Member, key: str, seq: int | None) -> None:
    """Pin one message as the room's announcement (``seq`` None unpins)."""
    access = _moderator_access(member, key)
    room = access.room
    message = None if seq is None else _locked_message(room, seq)
    Room.objects.filter(pk=room.pk).update(pinned=message)
    room.pinned = message
    _audit(
        access,
        ModerationAction.CHAT_PIN if message else ModerationAction.CHAT_UNPIN,
        target_member=message.author if message else None,
        chat_message=message,
    )
    frame_on_commit(room.pk, pinned_payload(room, access.community))


@transaction.atomic
def room_mute(
    *, member: Member, key: str, target_id: str, duration: timedelta
) -> RoomMute:
    """Let ``target_id`` (a public id) read but not write in this room for
    ``duration``; their sockets here close and reconnect read-only."""
    if refusal := mute_duration_refusal(duration / timedelta(minutes=1)):
        raise refusal
    access = _moderator_access(member, key)
    target = (
        Member.objects.filter(public_id=target_id, is_active=True).first()
        if public_id_valid(target_id)
        else None
    )
    if target is None:
        raise RealtimeError("member_not_found")
    try:
        target_access = room_access(member=target, key=key)
    except RealtimeError:
        raise RealtimeError("member_not_found") from None
    if target_access.can_moderate:
        raise RealtimeError("cannot_mute_moderator")
    mute = RoomMute.objects.create(
        room=access.room,
        member=target,
        until=timezone.now() + duration,
        created_by=member,
    )
    _audit(access, ModerationAction.CHAT_MUTE, target_member=target)
    member_sockets_close(member_id=target.pk, room_id=access.room.pk)
    return mute


# --- Presence ---------------------------------------------------------------------


def presence_frame(*, room_id: int, community: Community) -> dict:
    """Who is in the room now, each member once."""
    members = Member.objects.filter(
        pk__in=Presence.objects.filter(
            room_id=room_id, expires_at__gt=timezone.now()
        ).values("member")
    )
    listed = sorted(
        (_member_entry(m, community) for m in members), key=lambda e: e["name"]
    )
    return {"type": "presence", "members": listed}


def presence_enter(*, access: RoomAccess, channel_name: str) -> dict:
    """Record an open socket and return who is in the room, for that socket.
    The others hear ``presence_join`` only when the member was not present
    before (another tab of theirs counts once): one small frame per arrival,
    never the whole list to everyone."""
    now = timezone.now()
    with transaction.atomic():
        # Rows of sockets whose process died, in this room (the index on
        # room and expiry serves it; other rooms clean up on their own).
        Presence.objects.filter(room=access.room, expires_at__lte=now).delete()
        present = Presence.objects.filter(
            room=access.room, member=access.member, expires_at__gt=now
        ).exists()
        Presence.objects.update_or_create(
            channel_name=channel_name,
            defaults={
                "room": access.room,
                "member": access.member,
                "expires_at": now + PRESENCE_TTL,
            },
        )
        if not present:
            frame_on_commit(
                access.room.pk,
                {
                    "type": "presence_join",
                    "member": _member_entry(access.member, access.community),
                },
            )
        return presence_frame(room_id=access.room.pk, community=access.community)


def presence_refresh(*, channel_name: str, room_id: int) -> int:
    """Keep the socket's presence alive; returns the room's newest sequence
    number, which the socket passes on so that a client that missed a
    broadcast (lost in a channel-layer restart) notices even in a quiet
    room."""
    Presence.objects.filter(channel_name=channel_name).update(
        expires_at=timezone.now() + PRESENCE_TTL
    )
    return Room.objects.values_list("last_seq", flat=True).get(pk=room_id)


def presence_leave(*, access: RoomAccess, channel_name: str) -> None:
    """Forget a closed socket; the room hears ``presence_leave`` when it was
    the member's last one there."""
    Presence.objects.filter(channel_name=channel_name).delete()
    still_here = Presence.objects.filter(
        room=access.room, member=access.member, expires_at__gt=timezone.now()
    ).exists()
    if not still_here:
        frame_on_commit(
            access.room.pk,
            {"type": "presence_leave", "member": {"id": access.member.public_id}},
        )


def typing_broadcast(*, access: RoomAccess) -> None:
    """Tell the room that this member is typing (clients drop their own)."""
    entry = _member_entry(access.member, access.community)
    frame_on_commit(access.room.pk, {"type": "typing", "member": entry})


# --- Sockets per member -------------------------------------------------------------

# At most SOCKET_LIMIT open sockets per member, across every server process:
# each holds a presence row or a group in the channel layer, and a heartbeat.
SOCKET_LIMIT = 20
# A slot outlives a silent socket (its process died) by at most this long; a
# living socket refreshes it every consumers.HEARTBEAT (30 seconds).
SOCKET_TTL = timedelta(seconds=90)


def _socket_slots(member_id: int) -> list[str]:
    return [f"socket-slot:{member_id}:{n}" for n in range(SOCKET_LIMIT)]


@cache_optional
def socket_open(*, member: Member, channel_name: str) -> str | None:
    """Count one more open socket of ``member``: take a free one of their
    SOCKET_LIMIT slots in the shared cache (``add`` is atomic, in Redis as
    in local memory, so two processes never take the same slot). Returns
    the slot's key; raises RealtimeError("too_many_sockets") when every slot
    is held, with ``seconds``, how long a held slot can outlive its socket.
    While the cache is unavailable nothing is counted (None), as for the
    cache's other counters."""
    keys = _socket_slots(member.pk)
    held = cache.get_many(keys)
    timeout = SOCKET_TTL.total_seconds()
    for key in keys:
        if key not in held and cache.add(key, channel_name, timeout=timeout):
            return key
    # The refusal carries the slots' lifetime (the error frame's
    # retry_after): by then a dead process's slots have freed themselves, and
    # static/js/live.js tries once more.
    raise RealtimeError("too_many_sockets", limit=SOCKET_LIMIT, seconds=int(timeout))


@cache_optional
def socket_refresh(*, slot: str, channel_name: str) -> None:
    """Keep a living socket's slot; one that expired meanwhile is taken
    again when still free."""
    timeout = SOCKET_TTL.total_seconds()
    if not cache.touch(slot, timeout):
        cache.add(slot, channel_name, timeout=timeout)


@cache_optional
def socket_close(*, slot: str, channel_name: str) -> None:
    """Free a closed socket's slot (unless it expired and another socket
    holds it now)."""
    if cache.get(slot) == channel_name:
        cache.delete(slot)
