"""The Moim draw, algorithm "moim-draw-v1": a verifiable weighted lottery.

Pure functions, no Django: the same module ranks a draw in the app, rebuilds
it in ``manage.py verify_draw`` and can be copied out by anyone who wants to
check a published record. ``docs/draw.md`` is the normative specification;
this file is its reference implementation.

In short: an entry of weight ``w`` holds ``w`` tickets; each ticket's key is
``HMAC-SHA256(seed, "<public_id>:<t>")`` read as a big-endian integer; an
entry's key is the smallest of its tickets' keys; entries are ranked by
ascending key. Walking the ranks, an entry wins while seats remain and its
company group is under the cap; every other entry is waitlisted in rank order.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import re
import secrets
from collections import Counter
from typing import Any

ALGORITHM = "moim-draw-v1"

SEED_BYTES = 32
MAX_WEIGHT = 1000
"""Upper bound on a weight (tenths, so 100.0): keeps a hostile record from
making ``verify`` hash for hours. Real weight policies stay far below it."""

# Unreserved URI characters (RFC 3986): such strings need no escaping in a URL
# or in JSON, which keeps the canonical form trivial to reproduce elsewhere.
_TOKEN_RE = re.compile(r"[A-Za-z0-9._~-]{1,128}")
_HEX64_RE = re.compile(r"[0-9a-f]{64}")
_DOMAIN_RE = re.compile(r"[a-z0-9.-]{1,253}")

WON = "won"
WAITLISTED = "waitlisted"

ENTRY_FIELDS = ("public_id", "weight", "group")
RANKED_FIELDS = (*ENTRY_FIELDS, "rank", "outcome", "waitlist_position")
RECORD_FIELDS = (
    "algorithm",
    "gathering",
    "capacity",
    "company_cap",
    "commitment",
    "seed",
    "frozen_digest",
    "entries",
)


class DrawInputError(ValueError):
    """An input the algorithm does not accept (bad seed, weight, id, …)."""


# --------------------------------------------------------------------------
# Seeds, commitments, group labels
# --------------------------------------------------------------------------


def new_seed() -> bytes:
    """Return a fresh secret seed: 32 bytes from the OS's CSPRNG."""
    return secrets.token_bytes(SEED_BYTES)


def _check_seed(seed: bytes) -> None:
    if not isinstance(seed, bytes | bytearray) or len(seed) != SEED_BYTES:
        raise DrawInputError(f"the seed must be exactly {SEED_BYTES} bytes")


def seed_from_hex(seed_hex: str) -> bytes:
    """Parse a seed as written in a record: 64 lowercase hex characters."""
    if not isinstance(seed_hex, str) or not _HEX64_RE.fullmatch(seed_hex):
        raise DrawInputError("the seed must be 64 lowercase hex characters")
    return bytes.fromhex(seed_hex)


def commitment(seed: bytes) -> str:
    """SHA-256 of the seed bytes, lowercase hex: published when applications
    open, so the seed cannot be chosen after the applications are seen."""
    _check_seed(seed)
    return hashlib.sha256(seed).hexdigest()


def normalize_domain(domain: str) -> str:
    """Lowercase ASCII form of a company domain (no surrounding spaces, no
    trailing dot). Internationalised domains are converted to their ASCII
    (IDNA "xn--") form, so one company has one label."""
    if not isinstance(domain, str):
        raise DrawInputError("the domain must be a string")
    value = domain.strip().rstrip(".")
    if not value.isascii():
        try:
            value = value.encode("idna").decode("ascii")
        except UnicodeError as exc:
            raise DrawInputError(f"not a valid domain: {domain!r}") from exc
    value = value.lower()
    if not _DOMAIN_RE.fullmatch(value):
        raise DrawInputError(f"not a valid domain: {domain!r}")
    return value


def group_label(seed: bytes, domain: str) -> str:
    """The company-group label of an entry whose member verified a work email
    on ``domain``: the first 16 hex characters of
    HMAC-SHA256(key=seed, message="group:" + normalised domain).

    The record shows labels, not domains. Keying with the draw's seed gives
    different labels in different draws (no linking across gatherings) and
    lets a member check their own label once the seed is revealed.
    """
    _check_seed(seed)
    message = ("group:" + normalize_domain(domain)).encode("ascii")
    return hmac.new(bytes(seed), message, hashlib.sha256).hexdigest()[:16]


# --------------------------------------------------------------------------
# Entries and the frozen-list digest
# --------------------------------------------------------------------------


def _entry_problems(entry: Any, index: int) -> list[str]:
    where = f"entry #{index + 1}"
    if not isinstance(entry, dict):
        return [f"{where} is not an object"]
    problems = [
        f"{where}: missing {field!r}" for field in ENTRY_FIELDS if field not in entry
    ]
    public_id = entry.get("public_id")
    if not isinstance(public_id, str) or not _TOKEN_RE.fullmatch(public_id):
        problems.append(
            f"{where}: public_id must be 1-128 characters from A-Z a-z 0-9 . _ ~ -"
        )
    else:
        where = f"entry {public_id}"
    weight = entry.get("weight")
    if (
        not isinstance(weight, int)
        or isinstance(weight, bool)
        or not 1 <= weight <= MAX_WEIGHT
    ):
        problems.append(f"{where}: weight must be an integer from 1 to {MAX_WEIGHT}")
    group = entry.get("group")
    if (
        "group" in entry
        and group is not None
        and (not isinstance(group, str) or not _TOKEN_RE.fullmatch(group))
    ):
        problems.append(
            f"{where}: group must be null or 1-128 characters from A-Z a-z 0-9 . _ ~ -"
        )
    return problems


def _entries_problems(entries: Any) -> list[str]:
    if not isinstance(entries, list):
        return ["the entries must be a list"]
    problems = []
    for index, entry in enumerate(entries):
        problems.extend(_entry_problems(entry, index))
    if not problems:
        counts = Counter(entry["public_id"] for entry in entries)
        duplicates = sorted(pid for pid, count in counts.items() if count > 1)
        if duplicates:
            problems.append("duplicate public_id: " + ", ".join(duplicates))
    return problems


def _clean_entries(entries: list[dict]) -> list[dict]:
    """Validate and project to the three input fields (extra keys, such as
    those of an already ranked entry, are ignored)."""
    problems = _entries_problems(entries)
    if problems:
        raise DrawInputError("; ".join(problems))
    return [{key: entry[key] for key in ENTRY_FIELDS} for entry in entries]


def canonical_entries_json(entries: list[dict]) -> bytes:
    """The canonical form the frozen digest is taken over: a JSON array of
    {"group", "public_id", "weight"} objects sorted by public_id, keys sorted,
    no whitespace, ASCII only."""
    cleaned = sorted(_clean_entries(entries), key=lambda entry: entry["public_id"])
    text = json.dumps(cleaned, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return text.encode("utf-8")


def frozen_digest(entries: list[dict]) -> str:
    """SHA-256 of the canonical JSON of the entries, lowercase hex. It does
    not depend on the order the entries are given in."""
    return hashlib.sha256(canonical_entries_json(entries)).hexdigest()


# --------------------------------------------------------------------------
# Ranking
# --------------------------------------------------------------------------


def _check_capacity(capacity: Any, company_cap: Any) -> None:
    if not isinstance(capacity, int) or isinstance(capacity, bool) or capacity < 1:
        raise DrawInputError("capacity must be an integer of at least 1")
    if company_cap is not None and (
        not isinstance(company_cap, int)
        or isinstance(company_cap, bool)
        or company_cap < 1
    ):
        raise DrawInputError("company_cap must be null or an integer of at least 1")


def _sort_keys(seed: bytes, entries: list[dict]) -> list[tuple[bytes, bytes]]:
    """Each entry's (minimum ticket key, public_id bytes).

    Keys stay 32-byte digests: comparing equal-length byte strings is the same
    as comparing them as big-endian unsigned integers, and cheaper. HMAC is
    computed by hand from precomputed inner and outer SHA-256 states (exactly
    RFC 2104 for a 32-byte key), which is about three times faster in CPython
    than ``hmac.digest`` per ticket; the inner state is also advanced over the
    shared "<public_id>:" prefix once per entry.
    """
    key = bytes(seed).ljust(64, b"\0")
    inner = hashlib.sha256(bytes(byte ^ 0x36 for byte in key))
    outer_copy = hashlib.sha256(bytes(byte ^ 0x5C for byte in key)).copy
    ticket_labels = [str(t).encode("ascii") for t in range(MAX_WEIGHT)]
    keys = []
    for entry in entries:
        public_id = entry["public_id"].encode("ascii")
        prefix = inner.copy()
        prefix.update(public_id + b":")
        prefix_copy = prefix.copy
        best = None
        for label in ticket_labels[: entry["weight"]]:
            ticket_inner = prefix_copy()
            ticket_inner.update(label)
            ticket_outer = outer_copy()
            ticket_outer.update(ticket_inner.digest())
            digest = ticket_outer.digest()
            if best is None or digest < best:
                best = digest
        keys.append((best, public_id))
    return keys


def ticket_key(seed: bytes, public_id: str, ticket: int) -> int:
    """One ticket's key as an integer (the plain, slow definition; used by
    the tests and the known-answer vector in docs/draw.md)."""
    _check_seed(seed)
    message = f"{public_id}:{ticket}".encode("ascii")
    digest = hmac.new(bytes(seed), message, hashlib.sha256).digest()
    return int.from_bytes(digest, "big")


def rank(
    seed: bytes,
    entries: list[dict],
    capacity: int,
    company_cap: int | None = None,
) -> list[dict]:
    """Rank every entry and decide who wins.

    Returns new dicts in rank order, each with ``public_id``, ``weight``,
    ``group``, ``rank`` (1..n), ``outcome`` ("won" or "waitlisted") and
    ``waitlist_position`` (1..k for the waitlisted, None for winners). The
    result depends only on the seed and the set of entries, never on the
    order they are given in.
    """
    _check_seed(seed)
    _check_capacity(capacity, company_cap)
    cleaned = _clean_entries(entries)
    keys = _sort_keys(seed, cleaned)
    order = sorted(range(len(cleaned)), key=keys.__getitem__)

    ranked = []
    winners = 0
    waitlisted = 0
    group_winners: Counter[str] = Counter()
    for position, index in enumerate(order, start=1):
        entry = cleaned[index]
        group = entry["group"]
        group_full = (
            company_cap is not None
            and group is not None
            and group_winners[group] >= company_cap
        )
        if winners < capacity and not group_full:
            winners += 1
            if group is not None:
                group_winners[group] += 1
            outcome, waitlist_position = WON, None
        else:
            waitlisted += 1
            outcome, waitlist_position = WAITLISTED, waitlisted
        ranked.append(
            {
                **entry,
                "rank": position,
                "outcome": outcome,
                "waitlist_position": waitlist_position,
            }
        )
    return ranked


# --------------------------------------------------------------------------
# Records and their verification
# --------------------------------------------------------------------------


def record(
    seed: bytes,
    entries: list[dict],
    capacity: int,
    company_cap: int | None,
    *,
    gathering: dict,
) -> dict:
    """The publishable draw record (JSON-serialisable).

    ``gathering`` is copied as given (e.g. id, title, closes_at); it is
    descriptive and not part of the ranking.
    """
    ranked = rank(seed, entries, capacity, company_cap)
    return {
        "algorithm": ALGORITHM,
        "gathering": dict(gathering),
        "capacity": capacity,
        "company_cap": company_cap,
        "commitment": commitment(seed),
        "seed": bytes(seed).hex(),
        "frozen_digest": frozen_digest(ranked),
        "entries": ranked,
    }


def _describe(value: Any) -> str:
    return "null" if value is None else json.dumps(value)


def verify(record: dict, *, beacon_verify=None) -> list[str]:
    """Recompute a draw from its record alone: ``verify_v2`` for a
    moim-draw-v2 record, ``verify_v1`` otherwise."""
    if isinstance(record, dict) and record.get("algorithm") == ALGORITHM_V2:
        return verify_v2(record, beacon_verify=beacon_verify)
    return verify_v1(record)


def verify_v1(record: dict) -> list[str]:
    """Recompute a moim-draw-v1 draw from its record alone.

    Checks the algorithm name, that the commitment is the SHA-256 of the
    revealed seed, that the frozen digest matches the listed entries (in any
    order), and that every entry's rank, outcome and waitlist position are
    what the algorithm gives. Returns human-readable mismatch descriptions;
    an empty list means the record matches.
    """
    if not isinstance(record, dict):
        return ["the record is not a JSON object"]
    problems = [
        f"missing field {field!r}" for field in RECORD_FIELDS if field not in record
    ]
    if problems:
        return problems

    algorithm = record["algorithm"]
    if algorithm != ALGORITHM:
        return [f"unknown algorithm {_describe(algorithm)} (expected {ALGORITHM!r})"]

    try:
        seed = seed_from_hex(record["seed"])
    except DrawInputError as exc:
        return [str(exc)]
    if record["commitment"] != commitment(seed):
        problems.append(
            "the commitment is not SHA-256 of the seed: the record says "
            f"{_describe(record['commitment'])}, the seed gives {commitment(seed)}"
        )

    try:
        _check_capacity(record["capacity"], record["company_cap"])
    except DrawInputError as exc:
        return [*problems, str(exc)]

    entries = record["entries"]
    entry_problems = _entries_problems(entries)
    if entry_problems:
        return problems + entry_problems

    digest = frozen_digest(entries)
    if record["frozen_digest"] != digest:
        problems.append(
            "the frozen digest does not match the listed entries: the record says "
            f"{_describe(record['frozen_digest'])}, the entries give {digest}"
        )

    expected = {
        entry["public_id"]: entry
        for entry in rank(seed, entries, record["capacity"], record["company_cap"])
    }
    for listed in entries:
        public_id = listed["public_id"]
        for field in ("rank", "outcome", "waitlist_position"):
            if field not in listed:
                problems.append(f"entry {public_id}: missing {field!r}")
            elif listed[field] != expected[public_id][field] or (
                type(listed[field]) is not type(expected[public_id][field])
            ):
                problems.append(
                    f"entry {public_id}: {field} is {_describe(listed[field])}, "
                    f"the draw gives {_describe(expected[public_id][field])}"
                )
    return problems


# --------------------------------------------------------------------------
# "Your chance": an estimate for display
# --------------------------------------------------------------------------


def win_probabilities(weights: list[int], capacity: int) -> list[float]:
    """ESTIMATE each entry's chance of a seat, for display only.

    With one seat the chance is exactly w_i / sum(w). Otherwise it uses the
    Poisson (Rosén) approximation for successive sampling: find t > 0 with
    sum_j (1 - exp(-w_j * t)) = capacity by bisection, then
    p_i = 1 - exp(-w_i * t). The approximation improves as the number of
    entries grows. The company cap is ignored. If there are no more entries
    than seats, every chance is 1.0.
    """
    if not isinstance(capacity, int) or capacity < 1:
        raise DrawInputError("capacity must be an integer of at least 1")
    if any(not isinstance(w, int) or isinstance(w, bool) or w < 1 for w in weights):
        raise DrawInputError("weights must be positive integers")
    n = len(weights)
    if n <= capacity:
        return [1.0] * n
    if capacity == 1:
        total = sum(weights)
        return [w / total for w in weights]

    # Grouping equal weights keeps each bisection step O(distinct weights).
    counts = Counter(weights)

    def expected_winners(t: float) -> float:
        return sum(c * -math.expm1(-w * t) for w, c in counts.items())

    low, high = 0.0, 1.0
    while expected_winners(high) < capacity:
        high *= 2.0
    for _ in range(200):
        middle = (low + high) / 2.0
        if middle in (low, high):
            break
        if expected_winners(middle) < capacity:
            low = middle
        else:
            high = middle
    t = (low + high) / 2.0
    return [-math.expm1(-w * t) for w in weights]


# --------------------------------------------------------------------------
# moim-draw-v2: terms, amendments, beacon, chain, seat movements
# --------------------------------------------------------------------------

ALGORITHM_V2 = "moim-draw-v2"
ALGORITHMS = (ALGORITHM, ALGORITHM_V2)
ZERO_DIGEST = "0" * 64

# How group labels are made (section 6): fixed in the terms so that a later
# change of scheme is a new name, never a silent change.
GROUPS_SCHEME = "hmac-sha256-seed-domain-idna2003"
WEIGHT_FORMULA = (
    "no_show_weight if a confirmed seat in this community ended within "
    "no_show_days in a no-show, else base_weight + loss_bonus * min(losses, "
    "loss_cap) where losses counts not-selected applications in this community "
    "at gatherings that started after the member's last confirmed seat"
)
WEIGHT_FIELDS = (
    "base_weight",
    "loss_bonus",
    "loss_cap",
    "no_show_weight",
    "no_show_days",
    "formula",
)
TERMS_FIELDS = (
    "algorithm",
    "capacity",
    "selection_mode",
    "company_cap",
    "groups",
    "weights",
    "applications_open_at",
    "applications_close_at",
    "claim_window_seconds",
    "offer_cutoff_seconds",
    "beacon",
    "overbooking_permille",
)
# What a numbered amendment may change, before the close only.
AMENDABLE = ("capacity", "company_cap", "claim_window_seconds", "offer_cutoff_seconds")
RECORD_V2_FIELDS = (
    *RECORD_FIELDS,
    "terms",
    "terms_digest",
    "amendments",
    "beacon",
    "chain_head",
    "seats",
)
MOVEMENT_KINDS = ("offer", "promote", "confirm", "decline", "expire", "release")
# A movement without a public id: every entry still waiting leaves the
# waitlist at once (the offer cut-off, the end).
WAITLIST_CLOSED = "waitlist_closed"


def canonical_json(value: Any) -> bytes:
    """The one canonical form every v2 digest is taken over: keys sorted, no
    whitespace, non-ASCII escaped as \\uXXXX (lowercase hex), UTF-8."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=True
    ).encode("utf-8")


def digest_of(value: Any) -> str:
    return hashlib.sha256(canonical_json(value)).hexdigest()


def terms_digest(terms: dict) -> str:
    """SHA-256 of the canonical JSON of the terms, lowercase hex."""
    return digest_of(terms)


def commitment_v2(seed: bytes, digest: str) -> str:
    """SHA-256(seed || terms digest bytes): one value binds the secret seed
    and the terms published with it at opening."""
    _check_seed(seed)
    if not isinstance(digest, str) or not _HEX64_RE.fullmatch(digest):
        raise DrawInputError("the terms digest must be 64 lowercase hex characters")
    return hashlib.sha256(bytes(seed) + bytes.fromhex(digest)).hexdigest()


def seats_offered(capacity: int, overbooking_permille: int | None) -> int:
    """How many winners the draw names: the capacity, or with overbooking
    ceil(capacity * permille / 1000) (integers only)."""
    if overbooking_permille is None:
        return capacity
    return -(-capacity * overbooking_permille // 1000)


def beacon_round_after(close_unix: int, genesis: int, period: int) -> int:
    """drand's round numbering (round 1 at genesis): the first round whose
    time is strictly after the close."""
    return (close_unix - genesis) // period + 2


def effective_seed(seed: bytes, randomness: bytes | None) -> bytes:
    """SHA-256(seed || beacon randomness); the seed itself without a beacon."""
    _check_seed(seed)
    if randomness is None:
        return bytes(seed)
    return hashlib.sha256(bytes(seed) + bytes(randomness)).digest()


def weight_for(weights: dict, losses: int, no_show: bool) -> int:
    """An entry's weight under the terms' ``weights`` (section 19): the
    no-show weight while a recent no-show counts, else the base plus the
    loss bonus per counted loss, at most ``loss_cap`` of them."""
    if no_show:
        return weights["no_show_weight"]
    return weights["base_weight"] + weights["loss_bonus"] * min(
        losses, weights["loss_cap"]
    )


def terms_problems(terms: Any) -> list[str]:
    if not isinstance(terms, dict):
        return ["the terms are not an object"]
    problems = [f"terms: missing {f!r}" for f in TERMS_FIELDS if f not in terms]
    problems += [f"terms: unknown {f!r}" for f in terms if f not in TERMS_FIELDS]
    if problems:
        return problems
    if terms["algorithm"] != ALGORITHM_V2:
        problems.append(f"terms: algorithm is {_describe(terms['algorithm'])}")
    try:
        _check_capacity(terms["capacity"], terms["company_cap"])
    except DrawInputError as exc:
        problems.append(f"terms: {exc}")
    if terms["groups"] != GROUPS_SCHEME:
        problems.append(f"terms: unknown groups scheme {_describe(terms['groups'])}")
    weights = terms["weights"]
    if not isinstance(weights, dict) or set(weights) != set(WEIGHT_FIELDS):
        problems.append("terms: weights must hold exactly " + ", ".join(WEIGHT_FIELDS))
    permille = terms["overbooking_permille"]
    if permille is not None and (
        not isinstance(permille, int) or isinstance(permille, bool) or permille < 1000
    ):
        problems.append("terms: overbooking_permille must be null or at least 1000")
    return problems


def amendments_apply(terms: dict, amendments: Any) -> tuple[dict, list[str]]:
    """Check the numbered chain of amendments from the committed terms and
    return the terms in force after the last one, with any problems."""
    if not isinstance(amendments, list):
        return terms, ["the amendments must be a list"]
    current = dict(terms)
    previous = terms_digest(current)
    problems = []
    for number, amendment in enumerate(amendments, start=1):
        where = f"amendment {number}"
        if not isinstance(amendment, dict):
            problems.append(f"{where} is not an object")
            continue
        if amendment.get("number") != number:
            problems.append(f"{where}: numbered {_describe(amendment.get('number'))}")
        if not isinstance(amendment.get("reason"), str) or not amendment["reason"]:
            problems.append(f"{where}: no reason given")
        if amendment.get("previous_digest") != previous:
            problems.append(f"{where}: does not follow the terms in force ({previous})")
        changes = amendment.get("changes")
        if not isinstance(changes, dict) or not changes:
            problems.append(f"{where}: changes nothing")
            continue
        for key, value in changes.items():
            if key not in AMENDABLE:
                problems.append(f"{where}: {key!r} cannot be amended")
            else:
                current[key] = value
        previous = terms_digest(current)
        if amendment.get("terms_digest") != previous:
            problems.append(f"{where}: terms_digest is not the amended terms' digest")
    return current, problems + [f"amended {p}" for p in terms_problems(current)]


def chain_entry_digest(entry: dict) -> str:
    """SHA-256 of one log entry: its canonical JSON without ``digest``."""
    return digest_of({k: v for k, v in entry.items() if k != "digest"})


def chain_problems(entries: list[dict]) -> list[str]:
    """Check a run of consecutive log entries: each one's digest, and that
    each names the one before it (the first may follow anything)."""
    problems = []
    previous = None
    for entry in entries:
        seq = entry.get("seq")
        if entry.get("digest") != chain_entry_digest(entry):
            problems.append(f"log entry {seq}: digest does not match its content")
        if previous is not None and (
            entry.get("previous") != previous.get("digest")
            or seq != previous.get("seq", 0) + 1
        ):
            problems.append(f"log entry {seq}: does not follow entry {previous['seq']}")
        previous = entry
    return problems


def _beacon_problems(beacon: Any, terms_beacon: Any) -> list[str]:
    if terms_beacon is None:
        return [] if beacon is None else ["a beacon is used that the terms never named"]
    if not isinstance(beacon, dict):
        return ["the terms name a beacon round; the record has no beacon"]
    problems = []
    for key in ("chain", "round"):
        if beacon.get(key) != terms_beacon.get(key):
            problems.append(
                f"beacon {key} is {_describe(beacon.get(key))}, the terms named "
                f"{_describe(terms_beacon.get(key))}"
            )
    for key in ("randomness", "signature"):
        if not isinstance(beacon.get(key), str):
            problems.append(f"beacon: missing {key}")
    return problems


def record_v2(
    seed: bytes,
    entries: list[dict],
    *,
    terms: dict,
    amendments: list[dict],
    gathering: dict,
    beacon: dict | None = None,
    chain_head: dict | None = None,
) -> dict:
    """The moim-draw-v2 record: v1's fields, the committed terms, their
    amendments, the beacon round used and the community log's head."""
    in_force, problems = amendments_apply(terms, amendments)
    problems = terms_problems(terms) + problems
    if problems:
        raise DrawInputError("; ".join(problems))
    randomness = bytes.fromhex(beacon["randomness"]) if beacon else None
    seats = seats_offered(in_force["capacity"], in_force["overbooking_permille"])
    ranked = rank(
        effective_seed(seed, randomness), entries, seats, in_force["company_cap"]
    )
    digest = terms_digest(terms)
    return {
        "algorithm": ALGORITHM_V2,
        "gathering": dict(gathering),
        "capacity": in_force["capacity"],
        "company_cap": in_force["company_cap"],
        "seats": seats,
        "commitment": commitment_v2(seed, digest),
        "seed": bytes(seed).hex(),
        "terms": terms,
        "terms_digest": digest,
        "amendments": amendments,
        "beacon": beacon,
        "chain_head": chain_head,
        "frozen_digest": frozen_digest(ranked),
        "entries": ranked,
    }


def verify_v2(record: dict, *, beacon_verify=None) -> list[str]:
    """Recompute a moim-draw-v2 record: the commitment over the seed and the
    terms, the amendments' chain, capacity and cap as in force, the beacon
    round named in the terms (its signature through ``beacon_verify``, a
    callable taking the record's beacon object and returning whether it is
    genuine), the frozen digest, every rank and outcome, and, when the
    record carries ``movements``, that every seat movement is allowed."""
    problems = [f"missing field {f!r}" for f in RECORD_V2_FIELDS if f not in record]
    if problems:
        return problems
    try:
        seed = seed_from_hex(record["seed"])
    except DrawInputError as exc:
        return [str(exc)]
    terms = record["terms"]
    problems = terms_problems(terms)
    if problems:
        return problems
    digest = terms_digest(terms)
    if record["terms_digest"] != digest:
        problems.append("terms_digest is not the digest of the terms")
    if record["commitment"] != commitment_v2(seed, digest):
        problems.append(
            "the commitment is not SHA-256(seed || terms digest): the record says "
            f"{_describe(record['commitment'])}"
        )
    in_force, amendment_problems = amendments_apply(terms, record["amendments"])
    problems += amendment_problems
    for field in ("capacity", "company_cap"):
        if record[field] != in_force.get(field):
            problems.append(
                f"{field} is {_describe(record[field])}, the terms in force say "
                f"{_describe(in_force.get(field))}"
            )
    seats = seats_offered(in_force["capacity"], in_force["overbooking_permille"])
    if record["seats"] != seats:
        problems.append(
            f"seats is {_describe(record['seats'])}, the terms give {seats}"
        )
    beacon = record["beacon"]
    problems += _beacon_problems(beacon, terms["beacon"])
    randomness = None
    if isinstance(beacon, dict) and isinstance(beacon.get("randomness"), str):
        try:
            randomness = bytes.fromhex(beacon["randomness"])
        except ValueError:
            problems.append("beacon randomness is not hex")
        if beacon_verify is not None and not beacon_verify(beacon):
            problems.append("the beacon signature does not verify")
    head = record["chain_head"]
    if head is not None and (
        not isinstance(head, dict) or set(head) != {"seq", "digest"}
    ):
        problems.append("chain_head must be null or {seq, digest}")
    if problems:
        return problems
    v1_view = {
        **{field: record[field] for field in RECORD_FIELDS},
        "algorithm": ALGORITHM,
        "capacity": seats,
        "commitment": commitment(effective_seed(seed, randomness)),
        "seed": effective_seed(seed, randomness).hex(),
    }
    problems += verify_v1(v1_view)
    if not problems and "movements" in record:
        problems += movements_problems(record, record["movements"])
    return problems


def movements_problems(record: dict, movements: Any) -> list[str]:
    """Replay the seat movements after the draw: the draw's offers go to its
    winners; a promotion goes to the first entry still waiting, in rank
    order, whose company group is under the cap, and only while fewer than
    ``seats`` hold a seat; confirmations, declines and expiries answer an
    offer; a release ends a held or waiting place."""
    if not isinstance(movements, list):
        return ["movements must be a list"]
    entries = {e["public_id"]: e for e in record["entries"]}
    cap = record["company_cap"]
    seats = record["seats"]
    state = dict.fromkeys(entries, "waiting")
    problems = []
    for movement in movements:
        seq = movement.get("seq") if isinstance(movement, dict) else None
        if not isinstance(movement, dict) or movement.get(
            "digest"
        ) != chain_entry_digest(movement):
            problems.append(f"movement {seq}: digest does not match its content")
            continue
        payload = movement.get("payload") or {}
        kind = payload.get("movement")
        public_id = payload.get("public_id")
        where = f"movement {seq} ({kind} {public_id})"
        if kind == WAITLIST_CLOSED:
            state.update({p: "gone" for p, s in state.items() if s == "waiting"})
            continue
        if kind not in MOVEMENT_KINDS or public_id not in entries:
            problems.append(f"{where}: unknown movement or entry")
            continue
        now = state[public_id]
        if kind == "offer":
            if entries[public_id]["outcome"] != WON or now != "waiting":
                problems.append(f"{where}: the draw did not give this entry a seat")
            state[public_id] = "offered"
        elif kind == "promote":
            holders = [p for p, s in state.items() if s in ("offered", "confirmed")]
            full = Counter(entries[p]["group"] for p in holders)
            eligible = sorted(
                (
                    entries[p]["rank"]
                    for p, s in state.items()
                    if s == "waiting"
                    and entries[p]["outcome"] == WAITLISTED
                    and (
                        cap is None
                        or entries[p]["group"] is None
                        or full[entries[p]["group"]] < cap
                    )
                ),
            )
            if len(holders) >= seats:
                problems.append(f"{where}: no seat was free")
            elif now != "waiting" or entries[public_id]["outcome"] != WAITLISTED:
                problems.append(f"{where}: the entry was not waiting")
            elif not eligible or entries[public_id]["rank"] != eligible[0]:
                problems.append(
                    f"{where}: out of rank order or over the company cap (next "
                    f"eligible rank {eligible[0] if eligible else None})"
                )
            state[public_id] = "offered"
        elif kind == "confirm":
            if now != "offered":
                problems.append(f"{where}: confirms no offer")
            state[public_id] = "confirmed"
        elif kind in ("decline", "expire"):
            if now != "offered":
                problems.append(f"{where}: answers no offer")
            state[public_id] = "gone"
        else:  # release
            if now == "gone":
                problems.append(f"{where}: the entry had already left")
            state[public_id] = "gone"
    return problems
