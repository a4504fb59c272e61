"""Signed credentials (docs/path.md): the site's Ed25519 keys, signing an
Open Badges 3.0 credential as a VC-JWT (JOSE compact serialisation,
``alg: EdDSA``) with joserfc, checking one, and the W3C Bitstring Status
List that says which were revoked.

Keys come from ``MOIM_CREDENTIAL_KEYS``: a JWK set (JSON) of Ed25519 keys
(``kty: OKP``, ``crv: Ed25519``), each with a ``kid``. The last key that
holds its private part (``d``) signs; every key is published, public part
only, at ``/.well-known/jwks.json``. A retired key is listed without its
``d``: it no longer signs, and what it signed still verifies. Unset, the
key is derived from ``SECRET_KEY`` (the same in every process, never
stored), and those of ``SECRET_KEY_FALLBACKS`` are published beside it.

Nothing here reads the database: the views and services hand in what is
needed."""

import base64
import contextlib
import functools
import gzip
import hashlib
import json
import re
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings
from joserfc import jws
from joserfc.errors import JoseError, SecurityWarning
from joserfc.jwk import KeySet, OKPKey

ALGORITHM = "EdDSA"
# VC-JOSE-COSE 1.0: a credential secured as a JWT, its payload the
# credential itself.
MEDIA_TYPE = "vc+jwt"
CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
STATUS_CONTEXT = "https://www.w3.org/ns/credentials/v2"
# How long a credential is valid: also how long a retired key must stay
# published after the last credential it signed.
VALIDITY = timedelta(days=5 * 365)
# Bitstring Status List v1.0: at least 16 KB (131,072 entries), so that one
# revoked bit says nothing about whose it is.
STATUS_LIST_SIZE = 131_072
# The status list credential is signed afresh on every request and valid
# for a day; readers may keep it this many seconds.
STATUS_LIST_MAX_AGE = 300
# A pasted or uploaded credential: far above any Moim issues (about 2 KB).
TOKEN_LIMIT = 16_384
COMPACT = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
DEV_KEY_INFO = b"moim credential signing key (development)"


class CredentialInvalid(Exception):
    """A credential that does not check out; ``key`` says why
    (events.errors.MESSAGES, ``credential_<key>``)."""

    def __init__(self, key: str) -> None:
        self.key = key
        super().__init__(key)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def development_key(secret: str) -> dict:
    """The development key: the Ed25519 seed is HKDF-SHA256 of the secret,
    so every process of one deployment derives the same key."""
    seed = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=DEV_KEY_INFO
    ).derive(secret.encode())
    public = (
        Ed25519PrivateKey.from_private_bytes(seed)
        .public_key()
        .public_bytes(Encoding.Raw, PublicFormat.Raw)
    )
    kid = "dev-" + hashlib.sha256(public).hexdigest()[:12]
    return {
        "kty": "OKP",
        "crv": "Ed25519",
        "kid": kid,
        "d": _b64url(seed),
        "x": _b64url(public),
    }


def key_generate(kid: str) -> dict:
    """A new private key as a JWK, for ``manage.py credential_key``."""
    key = OKPKey.generate_key("Ed25519", parameters={"kid": kid}, private=True)
    return key.as_dict(private=True)


@dataclass(frozen=True)
class SiteKeys:
    keys: KeySet  # every key, private parts where configured
    signing: OKPKey | None
    public: dict  # the JWK set as published

    def key_ids(self) -> list[str]:
        return [key["kid"] for key in self.public["keys"]]


@functools.lru_cache(maxsize=4)
def _keys_from(configured: str, secret: str, fallbacks: tuple) -> SiteKeys:
    if configured.strip():
        data = json.loads(configured)
        entries = data["keys"] if isinstance(data, dict) else data
    else:
        # The keys of earlier secrets, public part only: still verify.
        entries = [
            {k: v for k, v in development_key(old).items() if k != "d"}
            for old in reversed(fallbacks)
        ]
        entries.append(development_key(secret))
    keys, public, signing = [], [], None
    for entry in entries:
        if entry.get("kty") != "OKP" or entry.get("crv") != "Ed25519":
            raise ValueError("MOIM_CREDENTIAL_KEYS holds Ed25519 (OKP) keys only")
        if not entry.get("kid"):
            raise ValueError("every key of MOIM_CREDENTIAL_KEYS needs a kid")
        key = OKPKey.import_key(entry)
        keys.append(key)
        if "d" in entry:
            signing = key
        public.append(
            {
                **key.as_dict(private=False),
                "kid": entry["kid"],
                "use": "sig",
                "alg": ALGORITHM,
            }
        )
    return SiteKeys(keys=KeySet(keys), signing=signing, public={"keys": public})


def site_keys() -> SiteKeys:
    """The configured keys (parsed once per value of the setting)."""
    return _keys_from(
        settings.MOIM_CREDENTIAL_KEYS,
        settings.SECRET_KEY,
        tuple(settings.SECRET_KEY_FALLBACKS),
    )


def issuer_id() -> str:
    """Who issues: the site, named by its address (docs/path.md)."""
    return settings.SITE_URL.rstrip("/") + "/"


def timestamp(moment: datetime) -> str:
    """A VC date-time: UTC, to the second, with a Z."""
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_timestamp(value) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else None


@contextlib.contextmanager
def _eddsa_quiet():
    """joserfc warns on every use of ``EdDSA``: RFC 9864 prefers the fully
    specified ``Ed25519``. Moim keeps ``EdDSA`` on purpose (the VC-JOSE-COSE
    and Open Badges examples use it, and common verifiers such as PyJWT and
    jwcrypto do not accept ``Ed25519`` as an ``alg`` yet); the curve is
    fixed by the keys, which are all Ed25519."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=SecurityWarning)
        yield


def sign(payload: dict, keys: SiteKeys | None = None) -> tuple[str, str]:
    """``payload`` signed with the newest key: (compact JWS, its kid)."""
    keys = keys or site_keys()
    if keys.signing is None:
        raise ValueError("MOIM_CREDENTIAL_KEYS holds no private key to sign with")
    kid = keys.signing.kid
    header = {"alg": ALGORITHM, "kid": kid, "typ": MEDIA_TYPE}
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    with _eddsa_quiet():
        token = jws.serialize_compact(
            header, body.encode(), keys.signing, algorithms=[ALGORITHM]
        )
    return token, kid


def token_clean(raw: str) -> str:
    """A pasted credential as a compact JWS, or CredentialInvalid: spaces
    and line breaks a mail or a file added are dropped."""
    if len(raw) > TOKEN_LIMIT:
        raise CredentialInvalid("too_large")
    token = "".join(raw.split())
    if not token:
        raise CredentialInvalid("empty")
    if not COMPACT.fullmatch(token):
        raise CredentialInvalid("malformed")
    return token


def verify(token: str, keys: SiteKeys | None = None) -> tuple[dict, dict]:
    """The (header, payload) of a credential whose EdDSA signature one of
    the site's keys (by its ``kid``) checks; else CredentialInvalid. Claims
    are not judged here (``claims_check``)."""
    keys = keys or site_keys()
    try:
        header_part = token.split(".", 1)[0]
        header = json.loads(base64.urlsafe_b64decode(header_part + "=" * 4))
    except (ValueError, UnicodeDecodeError):
        raise CredentialInvalid("malformed") from None
    if not isinstance(header, dict) or header.get("alg") != ALGORITHM:
        raise CredentialInvalid("malformed")
    if header.get("kid") not in keys.key_ids():
        raise CredentialInvalid("unknown_key")
    try:
        with _eddsa_quiet():
            signed = jws.deserialize_compact(token, keys.keys, algorithms=[ALGORITHM])
    except JoseError:
        raise CredentialInvalid("signature") from None
    except ValueError:
        raise CredentialInvalid("malformed") from None
    try:
        payload = json.loads(signed.payload)
    except (ValueError, UnicodeDecodeError):
        raise CredentialInvalid("malformed") from None
    if not isinstance(payload, dict):
        raise CredentialInvalid("malformed")
    return header, payload


def claims_check(payload: dict, *, now: datetime, status_list_url: str) -> int:
    """Judge a signed credential's claims: an Open Badge of this issuer,
    valid now, with a revocation entry in this site's status list. Its
    index in that list, or CredentialInvalid."""
    types = payload.get("type")
    if not isinstance(types, list) or "OpenBadgeCredential" not in types:
        raise CredentialInvalid("not_badge")
    issuer = payload.get("issuer")
    issuer = issuer.get("id") if isinstance(issuer, dict) else issuer
    if issuer != issuer_id() or payload.get("iss") != issuer_id():
        raise CredentialInvalid("issuer")
    valid_from = parse_timestamp(payload.get("validFrom"))
    valid_until = parse_timestamp(payload.get("validUntil"))
    if valid_from is None or valid_until is None:
        raise CredentialInvalid("malformed")
    if now < valid_from:
        raise CredentialInvalid("not_yet_valid")
    if now >= valid_until:
        raise CredentialInvalid("expired")
    status = payload.get("credentialStatus")
    if (
        not isinstance(status, dict)
        or status.get("type") != "BitstringStatusListEntry"
        or status.get("statusPurpose") != "revocation"
        or status.get("statusListCredential") != status_list_url
    ):
        raise CredentialInvalid("status")
    index = status.get("statusListIndex")
    if not isinstance(index, str) or not index.isdecimal():
        raise CredentialInvalid("status")
    if not 0 <= int(index) < STATUS_LIST_SIZE:
        raise CredentialInvalid("status")
    return int(index)


# --- The status list ------------------------------------------------------------


def bitstring_encode(revoked: set[int]) -> str:
    """Bitstring Status List v1.0: bit ``i`` is bit 7 - i % 8 of byte i // 8
    (the first index is the leftmost bit), GZIP-compressed, multibase
    base64url without padding (the ``u`` prefix)."""
    bits = bytearray(STATUS_LIST_SIZE // 8)
    for index in revoked:
        bits[index // 8] |= 0x80 >> (index % 8)
    # mtime 0: the same revocations give the same bytes.
    return "u" + _b64url(gzip.compress(bytes(bits), mtime=0))


def bitstring_bit(encoded: str, index: int) -> bool:
    """Whether bit ``index`` of an encoded list is set."""
    data = base64.urlsafe_b64decode(encoded.removeprefix("u") + "=" * 4)
    bits = gzip.decompress(data)
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def status_list_payload(*, url: str, revoked: set[int], now: datetime) -> dict:
    """The status list credential (unsigned): who issued it, and the list."""
    return {
        "@context": [STATUS_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_id(),
        "iss": issuer_id(),
        "validFrom": timestamp(now),
        "validUntil": timestamp(now + timedelta(days=1)),
        "nbf": int(now.timestamp()),
        "exp": int((now + timedelta(days=1)).timestamp()),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": bitstring_encode(revoked),
        },
    }


# --- The credential -------------------------------------------------------------


def badge_payload(
    *,
    credential_id: str,
    subject_id: str,
    subject_name: str,
    achievement_id: str,
    name: str,
    criteria: str,
    role: str = "",
    creator: dict | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    issued: datetime,
    status_url: str,
    status_index: int,
    issuer_name: str = "Moim",
) -> dict:
    """An OpenBadgeCredential (Open Badges 3.0 on the VC 2.0 data model),
    with the JWT claims VC-JOSE-COSE allows beside it (``iss``, ``sub``,
    ``jti``, ``nbf``, ``exp``), which say the same as the credential. Only
    what is given is in it: the member chose ``role``, ``creator`` (the
    community) and the dates."""
    until = issued + VALIDITY
    achievement: dict = {
        "id": achievement_id,
        "type": ["Achievement"],
        "name": name,
        "criteria": {"narrative": criteria},
    }
    if creator:
        achievement["creator"] = {"type": ["Profile"], **creator}
    subject: dict = {
        "id": subject_id,
        "type": ["AchievementSubject"],
        "name": subject_name,
        "achievement": achievement,
    }
    if role:
        subject["role"] = role
    if start is not None:
        subject["activityStartDate"] = timestamp(start)
    if end is not None:
        subject["activityEndDate"] = timestamp(end)
    return {
        "@context": CONTEXTS,
        "id": credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer_id(), "type": ["Profile"], "name": issuer_name},
        "name": name,
        "validFrom": timestamp(issued),
        "validUntil": timestamp(until),
        "credentialSubject": subject,
        "credentialStatus": {
            "id": f"{status_url}#{status_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(status_index),
            "statusListCredential": status_url,
        },
        "iss": issuer_id(),
        "sub": subject_id,
        "jti": credential_id,
        "nbf": int(issued.timestamp()),
        "exp": int(until.timestamp()),
    }
