"""Authenticator-app codes computed in the tests from the secret, by RFC 6238
itself rather than by the code under test."""

import base64
import hashlib
import hmac
import struct
import time


def totp_now(secret: str, *, at: float | None = None, step: int = 30) -> str:
    """The six-digit code an authenticator app shows for ``secret`` (base32)
    at ``at`` (now by default)."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int((time.time() if at is None else at) // step)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"
