"""Who may read, write and moderate in a chat room: decided in one place, on
connect and again for every frame.

A gathering's room is for its confirmed attendees and its organisers: it
opens as a lobby ``lobby_before`` the start, is live until the end and then
stays readable as an archive. A community's lounge is for its members, who
write in it under the community's posting policy.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.core.validators import slug_re
from django.utils import timezone

from community.access import Access, access_for
from community.ids import id_parse
from community.models import Community, Member
from community.services.threads import post_refusal
from community.timefmt import local_format
from events.access import is_organiser
from events.models import Application, ApplicationStatus, Gathering, GatheringStatus
from events.services.lifecycle import gathering_advance_if_due
from realtime.errors import RealtimeError
from realtime.models import Room, RoomMute

# How long a moderator may mute someone in a room.
MUTE_LIMITS = (timedelta(minutes=1), timedelta(days=7))


def mute_duration_refusal(minutes: float) -> RealtimeError | None:
    """Why a mute of ``minutes`` is refused, or None: within ``MUTE_LIMITS``.
    Takes minutes, as a frame carries them, so that no number a client
    sends can overflow a duration before it is checked."""
    low, high = (limit / timedelta(minutes=1) for limit in MUTE_LIMITS)
    if not (low <= minutes <= high):
        return RealtimeError("bad_duration")
    return None


@dataclass(frozen=True)
class RoomAccess:
    room: Room
    member: Member
    community: Community
    # lobby, live, archive (a gathering's room) or lounge.
    state: str
    can_moderate: bool
    write_refusal: RealtimeError | None

    @property
    def can_write(self) -> bool:
        return self.write_refusal is None


def _room_for_key(key: str) -> Room:
    """The room named ``key``, created on first use."""
    kind, _sep, ident = key.partition("-")
    gathering_id = id_parse(ident) if kind == "gathering" else None
    if gathering_id is not None:
        gathering = (
            Gathering.objects.select_related("community")
            .filter(pk=gathering_id)
            .exclude(status=GatheringStatus.DRAFT)
            .first()
        )
        if gathering is None:
            raise RealtimeError("not_found")
        room, _created = Room.objects.get_or_create(gathering=gathering)
        room.gathering = gathering
        return room
    if kind == "lounge" and slug_re.match(ident):
        community = Community.objects.filter(slug=ident).first()
        if community is None:
            raise RealtimeError("not_found")
        room, _created = Room.objects.get_or_create(community=community)
        room.community = community
        return room
    raise RealtimeError("not_found")


def _muted_until(room: Room, member: Member):
    mute = (
        RoomMute.objects.filter(room=room, member=member, until__gt=timezone.now())
        .order_by("-until")
        .first()
    )
    return mute.until if mute else None


def _gathering_access(room: Room, member: Member) -> RoomAccess:
    gathering = gathering_advance_if_due(room.gathering)
    room.gathering = gathering
    community_access: Access = access_for(member, gathering.community)
    # A ban comes first: it takes away hosting as well as the seat.
    if community_access.banned is not None:
        raise RealtimeError("banned")
    organiser = is_organiser(member, gathering, community_access)
    if not organiser:
        attending = Application.objects.filter(
            gathering=gathering, member=member, status=ApplicationStatus.CONFIRMED
        ).exists()
        if not attending:
            raise RealtimeError("forbidden")
    state = gathering.chat_state
    if state == "before":
        raise RealtimeError("not_open_yet", time=local_format(gathering.lobby_at))
    # A community mute reaches its organisers too: they read their room but
    # neither write nor moderate in it.
    moderates = organiser and community_access.muted is None
    refusal = None
    if state == "archive":
        refusal = RealtimeError("read_only")
    elif not moderates:
        refusal = _mute_refusal(room, member, community_access)
    return RoomAccess(
        room, member, gathering.community, state, moderates, write_refusal=refusal
    )


def _mute_refusal(
    room: Room, member: Member, community_access: Access
) -> RealtimeError | None:
    """A community mute or a mute in this room."""
    if community_access.muted is not None:
        return RealtimeError(
            "cannot_post", reason=post_refusal(access=community_access).message
        )
    until = _muted_until(room, member)
    if until is not None:
        return RealtimeError("muted", until=local_format(until))
    return None


def _lounge_access(room: Room, member: Member) -> RoomAccess:
    community_access = access_for(member, room.community)
    if community_access.banned is not None and not community_access.is_moderator:
        raise RealtimeError("banned")
    if not (community_access.is_member or community_access.is_moderator):
        raise RealtimeError("lounge_members_only")
    refusal = None
    if not community_access.is_moderator:
        community_refusal = post_refusal(access=community_access)
        if community_refusal is not None:
            refusal = RealtimeError("cannot_post", reason=community_refusal.message)
        else:
            refusal = _mute_refusal(room, member, community_access)
    return RoomAccess(
        room,
        member,
        room.community,
        "lounge",
        community_access.is_moderator,
        write_refusal=refusal,
    )


def room_access(*, member: Member | None, key: str) -> RoomAccess:
    """What ``member`` may do in the room named ``key``; raises RealtimeError
    when they may not even read it. Six queries at most."""
    if member is None or not member.is_authenticated or not member.is_active:
        raise RealtimeError("login_required")
    room = _room_for_key(key)
    if room.gathering_id is not None:
        return _gathering_access(room, member)
    return _lounge_access(room, member)
