"""Reads for organisers' messages to applicants: who is in each segment,
how many, the messages written so far, and one message for its reader."""

from datetime import datetime
from typing import NamedTuple

from django.db.models import Count, Q

from community.models import Member
from events.access import recipient_barred, segment_filter
from events.models import (
    Application,
    Gathering,
    GatheringMessage,
    MessageDelivery,
    MessageSegment,
    MessageStatus,
)


def segment_recipients(
    *, gathering: Gathering, segment: str, exclude: Member | None = None
) -> list[Member]:
    """The members ``segment`` reaches now: its applications
    (``segment_filter``) whose member is neither banned, gone from Moim nor
    gone from the community (``recipient_barred``); ``exclude`` (the sender)
    left out. One query."""
    applications = (
        Application.objects.filter(segment_filter(segment), gathering=gathering)
        .exclude(recipient_barred(gathering.community_id))
        .values("member_id")
    )
    members = Member.objects.filter(pk__in=applications).order_by("pk")
    if exclude is not None:
        members = members.exclude(pk=exclude.pk)
    return list(members)


def segment_counts(*, gathering: Gathering) -> dict[str, int]:
    """How many members each segment reaches now (as ``segment_recipients``
    counts them, the sender included), keyed by segment. One query."""
    counted = (
        Application.objects.filter(gathering=gathering)
        .exclude(recipient_barred(gathering.community_id))
        .aggregate(
            **{
                f"n_{segment.value}": Count("pk", filter=segment_filter(segment))
                for segment in MessageSegment
            }
        )
    )
    return {
        segment.value: counted[f"n_{segment.value}"] or 0 for segment in MessageSegment
    }


class MessageRow(NamedTuple):
    pk: int
    subject: str
    segment: str
    segment_label: str
    status: str
    status_label: str
    send_at: datetime
    sent_at: datetime | None
    recipient_count: int | None
    sender: Member
    cancellable: bool
    # How many its segment reaches now (``counts``), for a scheduled one.
    count_now: int | None


def messages_for_organiser(
    *, gathering: Gathering, counts: dict[str, int] | None = None
) -> list[MessageRow]:
    """Every message of ``gathering``, scheduled ones first (soonest
    first), then the rest newest first; ``counts``: ``segment_counts``.
    One query."""
    messages = GatheringMessage.objects.filter(gathering=gathering).select_related(
        "sender"
    )
    rows = [
        MessageRow(
            pk=message.pk,
            subject=message.subject,
            segment=message.segment,
            segment_label=message.get_segment_display(),
            status=message.status,
            status_label=message.get_status_display(),
            send_at=message.send_at,
            sent_at=message.sent_at,
            recipient_count=message.recipient_count,
            sender=message.sender,
            cancellable=message.status == MessageStatus.SCHEDULED,
            count_now=(counts or {}).get(message.segment),
        )
        for message in messages
    ]
    scheduled = sorted(
        (row for row in rows if row.cancellable), key=lambda row: row.send_at
    )
    return scheduled + [row for row in rows if not row.cancellable]


def messages_due(*, gathering: Gathering, now: datetime) -> list[int]:
    """The ids of ``gathering``'s scheduled messages whose time has come.
    One query."""
    return list(
        GatheringMessage.objects.filter(
            gathering=gathering, status=MessageStatus.SCHEDULED, send_at__lte=now
        )
        .order_by("send_at", "pk")
        .values_list("pk", flat=True)
    )


def message_for_reader(
    *, gathering: Gathering, message_id: int, member: Member, organiser: bool
) -> GatheringMessage | None:
    """``gathering``'s message ``message_id`` as ``member`` may read it: an
    organiser any of them, anyone else only one delivered to them; None
    otherwise. One query."""
    messages = GatheringMessage.objects.filter(
        pk=message_id, gathering=gathering
    ).select_related("sender")
    if not organiser:
        messages = messages.filter(
            Q(
                pk__in=MessageDelivery.objects.filter(
                    member=member, message_id=message_id
                ).values("message_id")
            )
        )
    return messages.first()
