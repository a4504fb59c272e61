"""How a draw record is published: always the same bytes for the same record
at its stable URL, and the record's hash, which the receipts carry: the
SHA-256 of the canonical JSON of the record as stored at the draw
(docs/draw.md sections 14 and 17: the digest the community log's draw entry
holds), without the seat movements a v2 record is served with."""

import json

from events import draw as algorithm


def draw_record_bytes(record: dict) -> bytes:
    """UTF-8 JSON with sorted keys and two-space indents: the same record
    always gives the same bytes, whichever database stored it (PostgreSQL's
    jsonb does not keep key order)."""
    text = json.dumps(record, ensure_ascii=False, indent=2, sort_keys=True)
    return text.encode("utf-8")


def draw_record_hash(record: dict) -> str:
    """SHA-256 of the canonical JSON of the record as drawn (without
    ``movements``), lowercase hex."""
    return algorithm.digest_of({k: v for k, v in record.items() if k != "movements"})
