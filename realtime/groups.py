"""Channel-layer group names: the one place that spells them, so services that
broadcast and consumers that listen always agree."""


def room_group(room_id: int) -> str:
    return f"room.{room_id}"


def member_group(member_id: int) -> str:
    """Every open socket of one member: told to close when the member's
    access changes, and sent their unread notification count."""
    return f"member.{member_id}"
