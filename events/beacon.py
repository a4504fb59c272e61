"""drand's quicknet, the public randomness beacon of the draw (docs/draw.md,
"The beacon").

The League of Entropy's quicknet chain publishes a round every 3 seconds.
Round ``r`` is a BLS signature, by the chain's threshold key, of
``SHA-256(r as 8 bytes big-endian)``: the signature is a point of G1, the
public key a point of G2, and the message is hashed to G1 as RFC 9380 says
(suite ``BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_``). The round's
randomness is ``SHA-256(signature)``. Nobody, the League included unless a
threshold of its members collude, knows a round's randomness before it is
published, and nobody can publish another one for the same round: a valid
BLS signature of a given message under a given key is unique.

This module knows the chain (``QUICKNET``, every value pinned, never read
from a server), computes which round comes at a given time, checks a round
offline (``round_verify``) and fetches one over drand's HTTP API
(``round_fetch``), looking first at rounds that staff entered by hand
(``BeaconRoundRecord``) for a server that cannot reach drand. Whatever the
source, a round is used only once its signature verifies against the pinned
public key: a relay, a proxy or an operator can withhold a round but cannot
change it.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import http.client
import json
import logging
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from events.errors import EventsError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Chain:
    """A drand chain's public parameters, as its ``/info`` publishes them."""

    hash: str
    public_key: bytes
    genesis: int
    period: int
    scheme: str
    beacon_id: str
    group_hash: str

    def info(self) -> dict:
        """The chain's ``/<hash>/info`` document (drand's v1 HTTP API)."""
        return {
            "public_key": self.public_key.hex(),
            "period": self.period,
            "genesis_time": self.genesis,
            "hash": self.hash,
            "groupHash": self.group_hash,
            "schemeID": self.scheme,
            "metadata": {"beaconID": self.beacon_id},
        }

    def computed_hash(self) -> str:
        """The chain hash recomputed from the other values, as drand does
        (``common/chain/info.go``, ``Info.Hash``): SHA-256 of the period
        (uint32 big-endian), the genesis time (int64 big-endian), the public
        key, the genesis seed (``groupHash``) and, for a beacon id other than
        "default", the id."""
        digest = hashlib.sha256()
        digest.update(self.period.to_bytes(4, "big"))
        digest.update(self.genesis.to_bytes(8, "big", signed=True))
        digest.update(self.public_key)
        digest.update(bytes.fromhex(self.group_hash))
        if self.beacon_id not in ("", "default"):
            digest.update(self.beacon_id.encode("ascii"))
        return digest.hexdigest()


# Pinned from drand's own publications, which agree value for value: the
# drand-client library (lib/defaults.ts, QUICKNET_CHAIN_INFO), drand's
# announcement "quicknet is live on the League of Entropy mainnet" (drand
# website, 2023-10-16) and drand's Go tests (common/chain/info_test.go,
# TestJsonFromRelay). ``computed_hash`` recomputes the chain hash from the
# other values (a test checks it).
QUICKNET = Chain(
    hash="52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971",
    public_key=bytes.fromhex(
        "83cf0f2896adee7eb8b5f01fcad3912212c437e0073e911fb90022d3e760183c"
        "8c4b450b6a0a6c3ac6a5776a2d1064510d1fec758c921cc22b0e17e63aaf4bcb"
        "5ed66304de9cf809bd274ca73bab4af5a6e9c76a4bc09e76eae8991ef5ece45a"
    ),
    genesis=1692803367,
    period=3,
    scheme="bls-unchained-g1-rfc9380",
    beacon_id="quicknet",
    group_hash="f477d5c89f21a17c863a7f937c6a6d15859414d2be09cd448d4279af331c5d3e",
)

# RFC 9380's suite for hashing to G1, with the "NUL" tag of BLS signatures
# without proof of possession (the suite drand's bls-unchained-g1-rfc9380
# scheme signs with).
DST = b"BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_"
SIGNATURE_BYTES = 48
RANDOMNESS_BYTES = 32
MAX_ROUND = 2**63 - 1  # drand's rounds are uint64; keep within SQL bigint

# A round answer is a few hundred bytes; more is refused unread.
MAX_ANSWER_BYTES = 16 * 1024
DEFAULT_TIMEOUT = 5.0
# A relay may lag the round's scheduled time by a few seconds; within this
# margin a 404 still means "not yet published" rather than "this relay does
# not have it".
PUBLICATION_GRACE = datetime.timedelta(seconds=60)

_HEX_RE = re.compile(r"[0-9a-f]*")


# --------------------------------------------------------------------------
# Rounds and time


def _genesis(chain: Chain) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(chain.genesis, tz=datetime.UTC)


def quicknet_round_at(when: datetime.datetime) -> int:
    """The first quicknet round published at or after ``when`` (aware).

    Round 1 is at the genesis time and round ``r`` at ``genesis + (r - 1) ×
    period``, so this is ``1 + ceil((when − genesis) / period)``, or 1 before
    the genesis. Exact arithmetic in microseconds, no floating point.
    """
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError("quicknet_round_at needs an aware datetime")
    elapsed = when - _genesis(QUICKNET)
    if elapsed <= datetime.timedelta(0):
        return 1
    microseconds = (
        elapsed.days * 86_400 + elapsed.seconds
    ) * 1_000_000 + elapsed.microseconds
    period = QUICKNET.period * 1_000_000
    return 1 + -(-microseconds // period)


def quicknet_round_time(round: int) -> datetime.datetime:
    """When quicknet publishes ``round`` (UTC)."""
    if round < 1:
        raise ValueError("rounds start at 1")
    return _genesis(QUICKNET) + datetime.timedelta(
        seconds=(round - 1) * QUICKNET.period
    )


# --------------------------------------------------------------------------
# A round and its check


@dataclass(frozen=True)
class BeaconRound:
    """One quicknet round: its number, randomness (32 bytes) and signature
    (48 bytes, a compressed G1 point)."""

    round: int
    randomness: bytes
    signature: bytes


def round_message(round: int) -> bytes:
    """What quicknet signs for ``round``: SHA-256 of the round number as 8
    bytes big-endian."""
    return hashlib.sha256(round.to_bytes(8, "big")).digest()


def round_randomness(signature: bytes) -> bytes:
    """A round's randomness: SHA-256 of its signature's bytes."""
    return hashlib.sha256(signature).digest()


@functools.cache
def _public_key():
    from py_arkworks_bls12381 import G2Point

    return G2Point.from_compressed_bytes(QUICKNET.public_key)


def _signature_valid(round: int, signature: bytes) -> bool:
    from py_arkworks_bls12381 import GT, G1Point, G2Point

    try:
        # Checked decompression: on the curve and in the prime-order subgroup.
        sigma = G1Point.from_compressed_bytes(signature)
    except Exception:  # the binding raises a bare Exception for a bad point
        return False
    hashed = G1Point.hash_to_curve(round_message(round), DST)
    # e(σ, g₂) = e(H(m), pk)  ⇔  e(σ, g₂) · e(−H(m), pk) = 1
    return GT.pairing_check([sigma, -hashed], [G2Point(), _public_key()])


def round_verify(r: BeaconRound) -> bool:
    """Whether ``r`` is quicknet's round ``r.round``: a signature that
    verifies offline against the chain's pinned public key for that round's
    message, and randomness equal to SHA-256 of the signature."""
    if (
        not isinstance(r.round, int)
        or isinstance(r.round, bool)
        or not 1 <= r.round <= MAX_ROUND
        or not isinstance(r.signature, bytes)
        or not isinstance(r.randomness, bytes)
        or len(r.signature) != SIGNATURE_BYTES
        or r.randomness != round_randomness(r.signature)
    ):
        return False
    return _signature_valid(r.round, r.signature)


def round_from_hex(round: int, signature: str, randomness: str | None = None):
    """A ``BeaconRound`` from hex as drand's API and the draw record write
    it (lowercase; randomness derived from the signature when absent).
    Raises ValueError for malformed input; does not verify."""
    if isinstance(round, bool) or not isinstance(round, int):
        raise ValueError("round must be an integer")
    if not isinstance(signature, str) or len(signature) != 2 * SIGNATURE_BYTES:
        raise ValueError(f"signature must be {2 * SIGNATURE_BYTES} hex characters")
    if not _HEX_RE.fullmatch(signature):
        raise ValueError("signature must be lowercase hex")
    signature_bytes = bytes.fromhex(signature)
    if randomness is None:
        randomness_bytes = round_randomness(signature_bytes)
    else:
        if (
            not isinstance(randomness, str)
            or len(randomness) != 2 * RANDOMNESS_BYTES
            or not _HEX_RE.fullmatch(randomness)
        ):
            raise ValueError(
                f"randomness must be {2 * RANDOMNESS_BYTES} lowercase hex characters"
            )
        randomness_bytes = bytes.fromhex(randomness)
    return BeaconRound(
        round=round, randomness=randomness_bytes, signature=signature_bytes
    )


def round_record(r: BeaconRound) -> dict:
    """The ``beacon`` object of a draw record (docs/draw.md)."""
    return {
        "chain": QUICKNET.hash,
        "round": r.round,
        "randomness": r.randomness.hex(),
        "signature": r.signature.hex(),
    }


def effective_seed(seed: bytes, randomness: bytes) -> bytes:
    """The seed the draw ranks with once the beacon is in:
    ``SHA-256(seed || randomness)``, the 32 committed seed bytes followed by
    the round's 32 bytes of randomness (docs/draw.md)."""
    if len(seed) != 32 or len(randomness) != RANDOMNESS_BYTES:
        raise ValueError("seed and randomness are 32 bytes each")
    return hashlib.sha256(seed + randomness).digest()


# --------------------------------------------------------------------------
# Fetching


def beacon_urls() -> list[str]:
    """The drand HTTP relays to ask, from ``MOIM_BEACON_URLS`` (read at each
    call, so tests and operators can change it without a restart)."""
    from django.conf import settings

    urls = getattr(settings, "MOIM_BEACON_URLS", None) or []
    if isinstance(urls, str):
        urls = urls.split(",")
    return [url.strip().rstrip("/") for url in urls if url and url.strip()]


def beacon_configured() -> bool:
    """Whether a relay is configured (manual entry works without one)."""
    return bool(beacon_urls())


class _NotYet(Exception):
    """The relay says the round is not published yet."""


class _Refused(Exception):
    """The relay answered something that is not the round (logged)."""


class _Missing(Exception):
    """The relay answered with an error: it does not have the round, or
    failed (logged, counted as unreachable)."""


def _timeout() -> float:
    from django.conf import settings

    return float(getattr(settings, "MOIM_BEACON_TIMEOUT", DEFAULT_TIMEOUT))


def _read(response, deadline: float) -> bytes:
    body = b""
    while True:
        if time.monotonic() > deadline:
            raise TimeoutError("the answer took too long")
        chunk = response.read(4096)
        if not chunk:
            return body
        body += chunk
        if len(body) > MAX_ANSWER_BYTES:
            raise _Refused("answer too large")


def _due(round: int) -> bool:
    """Whether a relay should have ``round`` by now (its time, plus grace)."""
    try:
        due = quicknet_round_time(round) + PUBLICATION_GRACE
    except OverflowError:  # beyond the year 9999
        return False
    return datetime.datetime.now(tz=datetime.UTC) >= due


def _ask(base: str, round: int) -> BeaconRound:
    """Round ``round`` from one relay, verified; raises _NotYet, _Refused,
    _Missing, or an OSError for a relay that cannot be reached or is too
    slow."""
    scheme = urllib.parse.urlsplit(base).scheme
    if scheme not in ("http", "https"):
        raise _Refused(f"not an http(s) URL: {base!r}")
    url = f"{base}/{QUICKNET.hash}/public/{round}"
    timeout = _timeout()
    deadline = time.monotonic() + timeout
    request = urllib.request.Request(  # noqa: S310 (scheme checked above)
        url, headers={"Accept": "application/json", "User-Agent": "moim-beacon"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            body = _read(response, deadline)
    except urllib.error.HTTPError as error:
        if error.code == 425 or (error.code == 404 and not _due(round)):
            raise _NotYet from error
        raise _Missing(f"HTTP {error.code}") from error
    try:
        answer = json.loads(body)
    except ValueError as error:
        raise _Refused("not JSON") from error
    if not isinstance(answer, dict):
        raise _Refused("not a JSON object")
    if answer.get("round") != round:
        raise _Refused(f"asked for round {round}, got {answer.get('round')!r}")
    try:
        r = round_from_hex(round, answer.get("signature"), answer.get("randomness"))
    except ValueError as error:
        raise _Refused(str(error)) from error
    if not round_verify(r):
        raise _Refused("the signature or randomness does not verify")
    return r


def _entered(round: int) -> BeaconRound | None:
    from events.models import BeaconRoundRecord

    row = (
        BeaconRoundRecord.objects.filter(chain_hash=QUICKNET.hash, round=round)
        .values_list("randomness", "signature")
        .first()
    )
    if row is None:
        return None
    r = round_from_hex(round, row[1], row[0])
    # A row that no longer verifies (edited behind the app's back) is not
    # used; the relays decide instead.
    if round_verify(r):
        return r
    logger.error("beacon: the stored round %s does not verify; ignored", round)
    return None


def round_fetch(round: int, *, relays: bool = True) -> BeaconRound | None:
    """Quicknet's round ``round``, verified, or None while it is not yet
    published.

    A round staff entered by hand (``beacon_enter``) is used first; otherwise,
    unless ``relays`` is False (a page request, which must not wait on the
    network: only the stored round then), each relay of ``MOIM_BEACON_URLS``
    is asked in turn (``GET <base>/<chain hash>/public/<round>``,
    ``MOIM_BEACON_TIMEOUT`` seconds each) until one gives a round that
    verifies. A relay that answers 425, or 404 before the round's time (plus
    a minute's grace), says "not yet". Raises ``EventsError("beacon_invalid")``
    when relays answered only with rounds that do not verify, and
    ``EventsError("beacon_unavailable")`` when none could be reached (or none
    is configured).
    """
    if isinstance(round, bool) or not isinstance(round, int):
        raise EventsError("beacon_round_invalid")
    if not 1 <= round <= MAX_ROUND:
        raise EventsError("beacon_round_invalid")
    entered = _entered(round)
    if entered is not None or not relays:
        return entered
    not_yet = refused = False
    for base in beacon_urls():
        try:
            return _ask(base, round)
        except _NotYet:
            not_yet = True
        except _Refused as error:
            refused = True
            logger.warning("beacon: %s refused for round %s: %s", base, round, error)
        except (_Missing, OSError, http.client.HTTPException, ValueError) as error:
            # OSError: refused, reset, timed out (TimeoutError), DNS;
            # HTTPException: a broken HTTP answer; ValueError: a malformed URL.
            logger.warning(
                "beacon: %s unreachable for round %s: %s", base, round, error
            )
    if not_yet:
        return None
    raise EventsError("beacon_invalid" if refused else "beacon_unavailable")
