"""The per-community hash chain (docs/draw.md section 17): commitments,
amendments, closes, draws, seat movements and cancellations appended one
after the other, each entry's digest covering its content and the previous
entry's digest. Rows are never changed: database triggers refuse it."""

from datetime import datetime

from django.db import IntegrityError, transaction

from events import draw as algorithm
from events.chain import log_time
from events.models import Gathering, LogEntry

# Two transactions appending to one community at once: the second's insert
# meets the unique (community, seq) and is tried again on the new head.
ATTEMPTS = 8


def log_append(
    *,
    community_id: int,
    items: list[tuple[str, Gathering | None, dict]],
    now: datetime,
) -> list[LogEntry]:
    """Append ``items`` (kind, gathering, payload) after the community's
    head, in order, in one insert. Runs inside the caller's transaction;
    a concurrent append is retried on the new head."""
    if not items:
        return []
    for attempt in range(ATTEMPTS):
        head = (
            LogEntry.objects.filter(community_id=community_id)
            .order_by("-seq")
            .values_list("seq", "digest")
            .first()
        )
        seq, previous = head or (0, algorithm.ZERO_DIGEST)
        rows = []
        for kind, gathering, payload in items:
            seq += 1
            entry = {
                "community": community_id,
                "seq": seq,
                "kind": kind,
                "gathering": str(gathering.uid) if gathering else None,
                "at": log_time(now),
                "payload": payload,
                "previous": previous,
            }
            previous = algorithm.chain_entry_digest(entry)
            rows.append(
                LogEntry(
                    community_id=community_id,
                    seq=seq,
                    kind=kind,
                    gathering=gathering,
                    at=now,
                    payload=payload,
                    previous=entry["previous"],
                    digest=previous,
                )
            )
        try:
            with transaction.atomic():
                return LogEntry.objects.bulk_create(rows, batch_size=500)
        except IntegrityError:
            if attempt == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def movements_log(
    *,
    gathering: Gathering,
    moves: list[tuple[str, str | None]],
    reason: str,
    now: datetime,
) -> None:
    """Append seat movements (movement kind, public id) of a v2 lottery
    gathering's drawn seats, with their reason; nothing for a gathering
    without committed terms or without a draw. Caller holds the lock."""
    if not gathering.terms or not gathering.frozen_at or not moves:
        return
    log_append(
        community_id=gathering.community_id,
        items=[
            (
                "movement",
                gathering,
                {"movement": kind, "public_id": public_id, "reason": reason},
            )
            for kind, public_id in moves
        ],
        now=now,
    )
