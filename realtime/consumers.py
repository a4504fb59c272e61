"""Websocket consumers. docs/realtime.md is the protocol's specification.

A consumer authenticates on connect, joins its groups, validates each frame
and calls a service; it never decides a permission itself, and never
broadcasts: services do both (realtime.access, realtime.services).
"""

import asyncio
import json
import logging
import random
from datetime import timedelta
from urllib.parse import parse_qs

from asgiref.sync import sync_to_async
from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.utils import translation
from django.utils.translation import get_supported_language_variant
from django.utils.translation.trans_real import parse_accept_lang_header

from realtime import selectors, services
from realtime.access import RoomAccess, mute_duration_refusal, room_access
from realtime.errors import RealtimeError
from realtime.groups import member_group, room_group, session_group

logger = logging.getLogger(__name__)

# A frame carries one message of at most 2,000 characters; anything much
# larger is refused before it is parsed.
FRAME_LIMIT = 16 * 1024
CLIENT_ID_LIMIT = 64
TYPING_INTERVAL = 2.0
HEARTBEAT = 30.0
SEQ_LIMIT = 2**63 - 1

# Close codes (4000–4999 are the application's). The client reconnects at
# once after 4000 and never after the others.
CLOSE_RECONNECT = 4000
CLOSE_FOR = {"login_required": 4401, "not_found": 4404, "too_many_sockets": 4429}
CLOSE_REFUSED = 4403
# Refusals that mean the member may not read the room (at all, or any more).
READ_REFUSALS = {
    "login_required",
    "forbidden",
    "lounge_members_only",
    "banned",
    "not_found",
    "not_open_yet",
}


def _language(scope: dict) -> str:
    """The language of the page that opened the socket, found as Django's
    LocaleMiddleware finds it for the page: the language menu's cookie, then
    the browser's Accept-Language, then Korean."""
    available = {code for code, _name in settings.LANGUAGES}
    chosen = scope.get("cookies", {}).get(settings.LANGUAGE_COOKIE_NAME)
    if chosen in available:
        return chosen
    headers = dict(scope.get("headers", []))
    accept = headers.get(b"accept-language", b"").decode("latin-1")
    for code, _quality in parse_accept_lang_header(accept):
        try:
            return get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


def _field(frame: dict, name: str, kind: type, *, optional: bool = False):
    """``frame[name]`` if it has type ``kind`` (bool is not an int here)."""
    value = frame.get(name)
    if value is None and optional:
        return None
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise RealtimeError("bad_field", field=name)
    if kind is int and not 0 <= value <= SEQ_LIMIT:
        raise RealtimeError("bad_field", field=name)
    return value


class MemberSocket(AsyncWebsocketConsumer):
    """What every socket of a signed-in member shares: the per-member group
    (an order to close arrives there), the member's cap on open sockets and
    error frames in their language."""

    member = None
    language = settings.LANGUAGE_CODE
    closing = False
    slot: str | None = None
    slot_keeper: asyncio.Task | None = None

    async def dispatch(self, message: dict) -> None:
        """Channels' dispatch, without its hop to the sync thread before every
        handler (to close stale database connections): every database call
        here goes through database_sync_to_async, which closes them itself,
        and a frame on its way from the room's group to the socket (once per
        socket per message) touches no database at all."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def close(self, code=None, reason=None) -> None:
        """Leave every group before closing, and send nothing afterwards: a
        socket told to close receives nothing more, even before the client
        has acknowledged the close."""
        if self.closing:
            return
        self.closing = True
        await self.leave_groups()
        await self.slot_release()
        await super().close(code=code, reason=reason)

    async def send(self, text_data=None, bytes_data=None, close=False) -> None:
        if not self.closing:
            await super().send(text_data=text_data, bytes_data=bytes_data, close=close)

    async def leave_groups(self) -> None:
        await self._leave_member_group()

    async def slot_take(self) -> bool:
        """Count this accepted socket against the member's cap
        (services.socket_open); over it, the socket is told why and closed
        with 4429, which the client tries once more after retry_after."""
        if self.member is None or not self.member.is_authenticated:
            return True
        try:
            self.slot = await sync_to_async(
                services.socket_open, thread_sensitive=False
            )(member=self.member, channel_name=self.channel_name)
        except RealtimeError as error:
            await self.refuse(error)
            return False
        if self.slot is not None:
            self.slot_keeper = asyncio.create_task(self._slot_keep())
        return True

    async def _slot_keep(self) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT)
            await sync_to_async(services.socket_refresh, thread_sensitive=False)(
                slot=self.slot, channel_name=self.channel_name
            )

    async def slot_release(self) -> None:
        if self.slot_keeper is not None:
            self.slot_keeper.cancel()
            self.slot_keeper = None
        if self.slot is not None:
            slot, self.slot = self.slot, None
            await sync_to_async(services.socket_close, thread_sensitive=False)(
                slot=slot, channel_name=self.channel_name
            )

    def _groups_of_member(self) -> list[str]:
        """The member's group, and the group of the session that
        authenticated this socket (closed when that session is ended from
        another device)."""
        groups = [member_group(self.member.pk)]
        session = self.scope.get("session")
        session_key = getattr(session, "session_key", None)
        if session_key:
            groups.append(session_group(session_key))
        return groups

    async def _join_member_group(self) -> None:
        for group in self._groups_of_member():
            await self.channel_layer.group_add(group, self.channel_name)

    async def _leave_member_group(self) -> None:
        if self.member is not None and self.member.is_authenticated:
            for group in self._groups_of_member():
                await self.channel_layer.group_discard(group, self.channel_name)

    async def send_json(self, payload: dict) -> None:
        await self.send(text_data=json.dumps(payload, ensure_ascii=False))

    async def send_error(self, error: RealtimeError, ref=None) -> None:
        with translation.override(self.language):
            payload = {"type": "error", "code": error.code, "detail": error.message}
        if "seconds" in error.params:
            payload["retry_after"] = error.params["seconds"]
        if isinstance(ref, str):
            payload["ref"] = ref[:CLIENT_ID_LIMIT]
        await self.send_json(payload)

    async def refuse(self, error: RealtimeError) -> None:
        """Tell the client why, then close with a code it will not retry."""
        await self.send_error(error)
        await self.close(code=CLOSE_FOR.get(error.code, CLOSE_REFUSED))

    # Group events --------------------------------------------------------

    async def member_close(self, event: dict) -> None:
        await self.close(code=CLOSE_RECONNECT)

    async def unread_count(self, event: dict) -> None:
        """Only the notification socket shows the count."""


class RoomConsumer(MemberSocket):
    """/ws/rooms/<room>/: a gathering's room or a community's lounge."""

    access: RoomAccess | None = None
    heartbeat: asyncio.Task | None = None
    last_typing = 0.0

    async def connect(self) -> None:
        self.key = self.scope["url_route"]["kwargs"]["room"]
        self.member = self.scope.get("user")
        self.language = _language(self.scope)
        await self.accept()
        if not await self.slot_take():
            return
        try:
            with translation.override(self.language):
                self.access = await database_sync_to_async(room_access)(
                    member=self.member, key=self.key
                )
        except RealtimeError as error:
            await self.refuse(error)
            return
        self.room_id = self.access.room.pk
        await self.channel_layer.group_add(room_group(self.room_id), self.channel_name)
        await self._join_member_group()
        await self.send_json(self._state_frame("hello"))
        after = parse_qs(self.scope.get("query_string", b"").decode()).get("after")
        try:
            after = int(after[0]) if after else None
        except ValueError:
            after = None
        await self._send_history(after=after)
        await self.send_json(
            await database_sync_to_async(services.pinned_payload)(
                self.access.room, self.access.community
            )
        )
        await self.send_json(
            await database_sync_to_async(services.presence_enter)(
                access=self.access, channel_name=self.channel_name
            )
        )
        self.heartbeat = asyncio.create_task(self._heartbeat())

    async def leave_groups(self) -> None:
        if self.access is not None:
            await self.channel_layer.group_discard(
                room_group(self.room_id), self.channel_name
            )
        await self._leave_member_group()

    async def disconnect(self, code: int) -> None:
        await self.slot_release()
        if self.access is None:
            return
        if self.heartbeat is not None:
            self.heartbeat.cancel()
        await self.leave_groups()
        await database_sync_to_async(services.presence_leave)(
            access=self.access, channel_name=self.channel_name
        )

    def _state_frame(self, kind: str) -> dict:
        access = self.access
        with translation.override(self.language):
            refusal = access.write_refusal.message if access.write_refusal else None
        return {
            "type": kind,
            "room": self.key,
            "state": access.state,
            "can_write": access.can_write,
            "can_moderate": access.can_moderate,
            "write_refusal": refusal,
            "me": {"id": access.member.public_id},
            "last_seq": access.room.last_seq,
        }

    async def _send_history(self, *, before=None, after=None) -> None:
        messages, more = await database_sync_to_async(selectors.history_page)(
            access=self.access, before=before, after=after
        )
        await self.send_json(
            {
                "type": "history",
                "direction": "after" if after is not None else "before",
                "messages": messages,
                "more": more,
            }
        )

    # Presence ----------------------------------------------------------------

    async def _heartbeat(self) -> None:
        # Sockets that opened together refresh at different moments.
        await asyncio.sleep(random.uniform(0, HEARTBEAT))
        while True:
            last_seq = await database_sync_to_async(services.presence_refresh)(
                channel_name=self.channel_name, room_id=self.room_id
            )
            await self.send_json({"type": "sync", "last_seq": last_seq})
            await asyncio.sleep(HEARTBEAT)

    # Frames from the client ------------------------------------------------

    async def receive(self, text_data=None, bytes_data=None) -> None:
        if self.access is None or self.closing:
            return
        frame = None
        try:
            if text_data is None:
                raise RealtimeError("malformed")
            if len(text_data) > FRAME_LIMIT:
                raise RealtimeError("frame_too_large")
            try:
                frame = json.loads(text_data)
            except ValueError:
                raise RealtimeError("malformed") from None
            if not isinstance(frame, dict):
                raise RealtimeError("malformed")
            kind = frame.get("type")
            handler = self.HANDLERS.get(kind) if isinstance(kind, str) else None
            if handler is None:
                raise RealtimeError("unknown_type", type=str(kind)[:40])
            with translation.override(self.language):
                await handler(self, frame)
        except RealtimeError as error:
            ref = frame.get("id") if isinstance(frame, dict) else None
            if error.code in READ_REFUSALS:
                await self.refuse(error)
            else:
                await self.send_error(error, ref=ref)
        except Exception:
            # A fault of ours (or the database's) fails this frame, not the
            # socket: the client is told and may retry.
            logger.exception("Chat frame failed in room %s", self.key)
            await self.send_error(RealtimeError("server_error"))

    async def _checked(self) -> RoomAccess:
        """Access, decided again for this frame."""
        self.access = await database_sync_to_async(room_access)(
            member=self.member, key=self.key
        )
        return self.access

    async def on_send(self, frame: dict) -> None:
        client_id = _field(frame, "id", str)
        if not 0 < len(client_id) <= CLIENT_ID_LIMIT or "\x00" in client_id:
            # (PostgreSQL refuses NUL in text.)
            raise RealtimeError("bad_field", field="id")
        body = _field(frame, "body", str)
        if len(body) > 2 * FRAME_LIMIT:
            raise RealtimeError("frame_too_large")
        message, created = await database_sync_to_async(services.message_send)(
            member=self.member, key=self.key, body=body, client_id=client_id
        )
        if not created:
            # A resend of a stored message: the broadcast went out with the
            # first send, so only this socket hears it again, as its ack.
            await self.send_json(
                services.message_payload(message, self.access.community)
            )

    async def on_history(self, frame: dict) -> None:
        before = _field(frame, "before", int, optional=True)
        after = _field(frame, "after", int, optional=True)
        await self._checked()
        await self._send_history(before=before, after=after)

    async def on_typing(self, frame: dict) -> None:
        now = asyncio.get_running_loop().time()
        if now - self.last_typing < TYPING_INTERVAL:
            return
        self.last_typing = now
        access = await self._checked()
        if access.can_write:
            await database_sync_to_async(services.typing_broadcast)(access=access)

    async def on_delete(self, frame: dict) -> None:
        seq = _field(frame, "seq", int)
        await database_sync_to_async(services.message_delete)(
            member=self.member, key=self.key, seq=seq
        )

    async def on_pin(self, frame: dict) -> None:
        seq = _field(frame, "seq", int, optional=True)
        await database_sync_to_async(services.message_pin)(
            member=self.member, key=self.key, seq=seq
        )

    async def on_mute(self, frame: dict) -> None:
        target = _field(frame, "member", str)
        minutes = _field(frame, "minutes", int)
        if refusal := mute_duration_refusal(minutes):
            raise refusal
        await database_sync_to_async(services.room_mute)(
            member=self.member,
            key=self.key,
            target_id=target[:CLIENT_ID_LIMIT],
            duration=timedelta(minutes=minutes),
        )

    HANDLERS = {
        "send": on_send,
        "history": on_history,
        "typing": on_typing,
        "delete": on_delete,
        "pin": on_pin,
        "mute": on_mute,
    }

    # Group events ----------------------------------------------------------

    async def room_frame(self, event: dict) -> None:
        await self.send(text_data=event["text"])

    async def room_recheck(self, event: dict) -> None:
        try:
            with translation.override(self.language):
                await self._checked()
        except RealtimeError as error:
            await self.refuse(error)
            return
        await self.send_json(self._state_frame("state"))

    async def member_close(self, event: dict) -> None:
        if event.get("room") in (None, self.room_id):
            await self.close(code=CLOSE_RECONNECT)


class NotificationConsumer(MemberSocket):
    """/ws/me/: a signed-in member's open pages hear their unread count."""

    async def connect(self) -> None:
        self.member = self.scope.get("user")
        self.language = _language(self.scope)
        if self.member is None or not self.member.is_authenticated:
            await self.close(code=CLOSE_FOR["login_required"])
            return
        await self.accept()
        if not await self.slot_take():
            return
        await self._join_member_group()

    async def disconnect(self, code: int) -> None:
        await self.slot_release()
        await self._leave_member_group()

    async def receive(self, text_data=None, bytes_data=None) -> None:
        # Nothing to say to the server on this socket.
        await self.send_error(RealtimeError("unknown_type", type="?"))

    async def unread_count(self, event: dict) -> None:
        await self.send_json({"type": "unread", "count": event["n"]})


class BareBroadcastConsumer(AsyncWebsocketConsumer):
    """The baseline of bench/chat.py, mounted only when MOIM_BENCH=1: every
    text frame goes to everyone on the socket's URL, with no storage, checks
    or serialisation, through the same server and channel layer."""

    group = "bench.bare"

    async def connect(self) -> None:
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None) -> None:
        if text_data is not None:
            await self.channel_layer.group_send(
                self.group, {"type": "room.frame", "text": text_data}
            )

    async def room_frame(self, event: dict) -> None:
        await self.send(text_data=event["text"])
