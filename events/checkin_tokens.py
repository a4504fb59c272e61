"""The codes of check-in at a venue. Pure functions: pages show them,
``events.services.attendance`` checks them.

- An attendee's pass (the QR code on their gathering page): the gathering's
  id and the application's public id (already public in the draw record),
  signed with the site's secret under a salt of its own. Decoded it tells
  nothing about the person; it names one application of one gathering, and
  is worth something only while that application holds a confirmed seat.
- Its short code: six characters of an alphabet without look-alikes (no 0/O,
  1/I/L), an HMAC of the same two ids, for typing when a camera cannot read
  the QR code. 31^6 (about 887 million) codes per gathering; two attendees
  of one gathering sharing a code (a chance of about 1 in 450 for a
  gathering of 2,000) are told to scan instead (``attendee_code_matches``).
- The venue code (self check-in): six characters too, an HMAC of the
  gathering's id and the nonce of its ``SelfCheckin``; a new nonce is a new
  code.
"""

import hashlib
import hmac

from django.conf import settings
from django.core import signing

from events.models import SelfCheckin

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 6
PASS_SALT = "moim.checkin.pass"
# The characters a person may type for one of the alphabet's.
_LOOKALIKES = str.maketrans({"0": "O", "1": "I", "L": "I"})


def _code(message: str) -> str:
    digest = hmac.new(
        settings.SECRET_KEY.encode(), message.encode(), hashlib.sha256
    ).digest()
    number = int.from_bytes(digest[:8], "big")
    characters = []
    for _ in range(CODE_LENGTH):
        number, index = divmod(number, len(ALPHABET))
        characters.append(ALPHABET[index])
    return "".join(characters)


def code_normalise(typed: str) -> str:
    """What a person typed, as a code of the alphabet: case, spaces and
    dashes do not matter. A look-alike (0, 1, L) is kept as a character
    outside the alphabet, so it matches nothing rather than something
    else."""
    cleaned = "".join(typed.split()).replace("-", "").upper()
    return cleaned.translate(_LOOKALIKES)


def attendee_pass(*, gathering_id: int, public_id: str) -> str:
    """The value of an attendee's QR code."""
    return signing.Signer(salt=PASS_SALT).sign(f"{gathering_id}.{public_id}")


def attendee_pass_read(value: str) -> tuple[int, str] | None:
    """The gathering id and application public id a pass names, or None
    when it is not one of ours (tampered, truncated, signed for another
    purpose)."""
    try:
        payload = signing.Signer(salt=PASS_SALT).unsign(value.strip())
    except signing.BadSignature:
        return None
    raw_gathering, _, public_id = payload.partition(".")
    if not (raw_gathering.isascii() and raw_gathering.isdigit()):
        return None
    if not (public_id.isascii() and public_id.isalnum()):
        return None
    return int(raw_gathering), public_id


def attendee_code(*, gathering_id: int, public_id: str) -> str:
    """The short code shown under an attendee's QR code."""
    return _code(f"moim.checkin.code:{gathering_id}:{public_id}")


def venue_code(self_checkin: SelfCheckin) -> str:
    return _code(f"moim.checkin.venue:{self_checkin.gathering_id}:{self_checkin.nonce}")


def looks_like_code(value: str) -> bool:
    normalised = code_normalise(value)
    return len(normalised) == CODE_LENGTH and all(c in ALPHABET for c in normalised)


def venue_code_matches(self_checkin: SelfCheckin, typed: str) -> bool:
    return hmac.compare_digest(code_normalise(typed), venue_code(self_checkin))
