"""The sealed box of a member's follow-up answer (docs/anonymity.md, "The
follow-up"): the answer and note, padded to one fixed size and encrypted
(AES-GCM) under a key derived from the site's secret, the round and the
member, which is not in the database. Read by the member's own pages
(events.selectors.followups) and by the close that counts the answers
(events.services.followups); a rotated ``SECRET_KEY`` keeps boxes readable
through ``SECRET_KEY_FALLBACKS``."""

import hashlib
import hmac
import json
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.views.decorators.debug import sensitive_variables

NONCE_SIZE = 12


# A follow-up answer and its note, padded to this size: 500 characters of
# note at up to 6 bytes each (a JSON escape), and the answer, fit.
FOLLOWUP_SEAL_SIZE = 4 * 1024


def _followup_key(secret: str, round_id: int, member_id: int) -> bytes:
    message = f"moim.followup-seal:{round_id}:{member_id}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).digest()


@sensitive_variables("answer", "note", "plain")
def followup_seal(*, round_id: int, member_id: int, answer: str, note: str) -> bytes:
    """The member's answer and note, padded and encrypted under a key of the
    site's secret, this round and this member: the box opens only in its
    own row (the ids are the associated data too)."""
    plain = json.dumps(
        {"answer": answer, "note": note}, ensure_ascii=False, separators=(",", ":")
    ).encode()
    # The service limits the note; a box that could not hold it would tell
    # its length.
    assert len(plain) <= FOLLOWUP_SEAL_SIZE
    plain = plain.ljust(FOLLOWUP_SEAL_SIZE, b" ")
    nonce = os.urandom(NONCE_SIZE)
    aad = f"{round_id}:{member_id}".encode()
    key = _followup_key(settings.SECRET_KEY, round_id, member_id)
    return nonce + AESGCM(key).encrypt(nonce, plain, aad)


def followup_unseal(*, round_id: int, member_id: int, box: bytes) -> dict | None:
    """The answer and note in a follow-up box, under the current secret or a
    fallback; None when no key of the site opens it."""
    box = bytes(box)
    nonce, sealed = box[:NONCE_SIZE], box[NONCE_SIZE:]
    aad = f"{round_id}:{member_id}".encode()
    for secret in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]:
        key = _followup_key(secret, round_id, member_id)
        try:
            plain = AESGCM(key).decrypt(nonce, sealed, aad)
        except InvalidTag:
            continue
        return json.loads(plain)
    return None
