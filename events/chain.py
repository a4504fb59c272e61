"""Reading the per-community hash chain (docs/draw.md section 17): an
entry's public form, the head. Appending is events.services.chain."""

from datetime import UTC, datetime

from events.models import Gathering, LogEntry


def log_time(moment: datetime) -> str:
    """A log entry's time: UTC, microseconds, as the database keeps it."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def log_entry_json(entry: LogEntry, gathering_uid: str | None = None) -> dict:
    """The public form of an entry, the one its digest is taken over."""
    if gathering_uid is None and entry.gathering_id is not None:
        gathering_uid = str(entry.gathering.uid)
    return {
        "community": entry.community_id,
        "seq": entry.seq,
        "kind": entry.kind,
        "gathering": gathering_uid,
        "at": log_time(entry.at),
        "payload": entry.payload,
        "previous": entry.previous,
        "digest": entry.digest,
    }


def log_head(community_id: int) -> dict | None:
    """The community's latest entry as {seq, digest}, or None."""
    head = (
        LogEntry.objects.filter(community_id=community_id)
        .order_by("-seq")
        .values("seq", "digest")
        .first()
    )
    return dict(head) if head else None


def movements_for_record(gathering: Gathering) -> list[dict]:
    """The gathering's seat movements, in the log's public form, in order:
    what the published record carries after the draw. One query."""
    uid = str(gathering.uid)
    return [
        log_entry_json(entry, uid)
        for entry in LogEntry.objects.filter(
            gathering=gathering, kind="movement"
        ).order_by("seq")
    ]
