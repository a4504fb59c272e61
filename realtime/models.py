"""Live chat rooms: one per gathering, one lounge per community.

A message is stored before anyone receives it and carries its room's next
sequence number, so a client that reconnects asks for "everything after n"
and misses nothing, whatever happened to the socket or to Redis meanwhile.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from community.models import Community, Member
from events.models import Gathering

BODY_LIMIT = 2000


class Room(models.Model):
    """Exactly one of ``gathering`` or ``community`` is set: a gathering's room
    or a community's lounge. ``last_seq`` is the sequence number of the newest
    message; incrementing it takes the row's lock, which orders the room's
    messages across processes."""

    gathering = models.OneToOneField(
        Gathering, null=True, blank=True, on_delete=models.CASCADE, related_name="room"
    )
    community = models.OneToOneField(
        Community,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="lounge",
    )
    last_seq = models.PositiveBigIntegerField(default=0)
    pinned = models.ForeignKey(
        "Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("chat room")
        verbose_name_plural = _("chat rooms")
        constraints = [
            models.CheckConstraint(
                condition=Q(gathering__isnull=True) ^ Q(community__isnull=True),
                name="room_gathering_xor_community",
            )
        ]

    def __str__(self) -> str:
        return self.key

    @property
    def key(self) -> str:
        """The room's name in websocket URLs: gathering-<id> or lounge-<slug>."""
        if self.gathering_id is not None:
            return f"gathering-{self.gathering_id}"
        return f"lounge-{self.community.slug}"


class Message(models.Model):
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="messages")
    seq = models.PositiveBigIntegerField()
    # Chosen by the sending client: a resend after a dropped connection finds
    # the stored message instead of storing it twice.
    client_id = models.CharField(max_length=64)
    author = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    body = models.TextField(max_length=BODY_LIMIT)
    created_at = models.DateTimeField(default=timezone.now)
    # Removed for everyone, kept for the audit log.
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("chat message")
        verbose_name_plural = _("chat messages")
        constraints = [
            models.UniqueConstraint(fields=["room", "seq"], name="message_room_seq"),
            models.UniqueConstraint(
                fields=["room", "author", "client_id"], name="message_client_id"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.room_id}#{self.seq}"


class RoomMute(models.Model):
    """A member may read but not write in one room until ``until``."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="mutes")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    until = models.DateTimeField()
    created_by = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["room", "member", "until"])]

    def __str__(self) -> str:
        return f"{self.member_id}@{self.room_id} until {self.until:%Y-%m-%d %H:%M}"


class Presence(models.Model):
    """One open socket in a room. A consumer refreshes ``expires_at`` while it
    lives and deletes its row when it closes; the row of a server process that
    died simply expires, so presence never shows a ghost for long."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    channel_name = models.CharField(max_length=200, unique=True)
    expires_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["room", "expires_at"])]

    def __str__(self) -> str:
        return f"{self.member_id}@{self.room_id}"
