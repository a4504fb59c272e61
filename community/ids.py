"""Database ids typed, posted or put in a URL by a client."""

import re

# ASCII digits only: str.isdigit() also accepts '²' and '١', which int()
# refuses; at most 18 digits, so the value fits every integer column.
_ID = re.compile(r"[0-9]{1,18}")


def id_parse(raw: object) -> int | None:
    """The positive id ``raw`` spells, or None for anything else (any type,
    signs, spaces, other scripts' digits, a number too large to be an
    id)."""
    if isinstance(raw, str) and _ID.fullmatch(raw):
        value = int(raw)
        return value if value > 0 else None
    return None
