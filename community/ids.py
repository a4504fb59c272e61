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


# A member's public id: secrets.token_urlsafe(8) (community.models), at most
# the column's 16 characters.
PUBLIC_ID_PATTERN = "[A-Za-z0-9_-]{1,16}"
_PUBLIC_ID = re.compile(PUBLIC_ID_PATTERN)


def public_id_valid(raw: object) -> bool:
    """Whether ``raw`` could be a member's public id. Checked before a
    lookup: PostgreSQL refuses a NUL character in a text parameter (an
    error, not an empty result)."""
    return isinstance(raw, str) and _PUBLIC_ID.fullmatch(raw) is not None


class PublicIdConverter:
    """``<public_id:...>`` in a URL: anything else is not found before the
    view runs."""

    regex = PUBLIC_ID_PATTERN

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value
