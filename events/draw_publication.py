"""How a draw record is published: always the same bytes for the same record
(served at its stable URL), and the SHA-256 of those bytes, which the
receipts carry and anyone can check with ``sha256sum``."""

import hashlib
import json


def draw_record_bytes(record: dict) -> bytes:
    """UTF-8 JSON with sorted keys and two-space indents: the same record
    always gives the same bytes, whichever database stored it (PostgreSQL's
    jsonb does not keep key order)."""
    text = json.dumps(record, ensure_ascii=False, indent=2, sort_keys=True)
    return text.encode("utf-8")


def draw_record_hash(record: dict) -> str:
    """SHA-256 of the published bytes of the record, lowercase hex."""
    return hashlib.sha256(draw_record_bytes(record)).hexdigest()
