"""Channel-layer group names: the one place that spells them, so services that
broadcast and consumers that listen always agree."""

from hashlib import sha256


def room_group(room_id: int) -> str:
    return f"room.{room_id}"


def member_group(member_id: int) -> str:
    """Every open socket of one member: told to close when the member's
    access changes, and sent their unread notification count."""
    return f"member.{member_id}"


def session_group(session_key: str) -> str:
    """Every open socket authenticated by one session: told to close when
    that session ends. The session key is a bearer secret, so the group (a
    key in Redis) is named by its digest."""
    return "session." + sha256(session_key.encode()).hexdigest()[:40]
