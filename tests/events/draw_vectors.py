"""The test vectors of moim-draw-v2 (docs/draw.md section 20), built with
the reference implementation (events.draw) from fixed inputs. The file
docs/draw-vectors.json is this module's output; tests/events/
test_draw_vectors.py checks that it still is, and every JavaScript or other
verifier checks itself against the file. Regenerate with
``.venv/bin/python -m tests.events.draw_vectors > docs/draw-vectors.json``."""

import copy
import json
import sys

from events import draw as algorithm
from events.beacon import QUICKNET
from tests.beacon_rounds import ROUNDS, tampered_hex

SEED = bytes(range(32))
UID = "00000000-0000-4000-8000-000000000020"
AT = "2026-12-05T09:00:00.000000Z"
KAT_ENTRIES = [
    {"public_id": "ada", "weight": 10, "group": "5b63fb33785501af"},
    {"public_id": "bo", "weight": 20, "group": "5b63fb33785501af"},
    {"public_id": "chen", "weight": 10, "group": None},
    {"public_id": "dara", "weight": 5, "group": "10e0f73ffe3a595d"},
    {"public_id": "eun-ji", "weight": 15, "group": "5b63fb33785501af"},
]


def terms(capacity: int = 3, company_cap: int | None = 1, beacon=None) -> dict:
    return {
        "algorithm": algorithm.ALGORITHM_V2,
        "capacity": capacity,
        "selection_mode": "lottery",
        "company_cap": company_cap,
        "groups": algorithm.GROUPS_SCHEME,
        "weights": {
            "base_weight": 10,
            "loss_bonus": 5,
            "loss_cap": 3,
            "no_show_weight": 5,
            "no_show_days": 90,
            "formula": algorithm.WEIGHT_FORMULA,
        },
        "applications_open_at": "2026-12-01T00:00:00Z",
        "applications_close_at": "2026-12-04T00:00:00Z",
        "claim_window_seconds": 86400,
        "offer_cutoff_seconds": 7200,
        "beacon": beacon,
        "overbooking_permille": None,
    }


def chain(kinds_payloads: list[tuple[str, dict]], start: int = 1) -> list[dict]:
    entries = []
    previous = algorithm.ZERO_DIGEST
    for seq, (kind, payload) in enumerate(kinds_payloads, start=start):
        entry = {
            "community": 1,
            "seq": seq,
            "kind": kind,
            "gathering": UID,
            "at": AT,
            "payload": payload,
            "previous": previous,
        }
        entry["digest"] = algorithm.chain_entry_digest(entry)
        previous = entry["digest"]
        entries.append(entry)
    return entries


def amendment(number: int, before: dict, changes: dict, reason: str) -> dict:
    after = {**before, **changes}
    return {
        "number": number,
        "at": "2026-12-02T00:00:00Z",
        "reason": reason,
        "changes": changes,
        "previous_digest": algorithm.terms_digest(before),
        "terms_digest": algorithm.terms_digest(after),
    }


def movement(kind: str, public_id: str | None, reason: str) -> tuple[str, dict]:
    return (
        "movement",
        {"movement": kind, "public_id": public_id, "reason": reason},
    )


def build() -> dict:
    gathering = {"uid": UID, "title": "test vector", "community": "vectors"}
    base = terms()
    plain = algorithm.record_v2(
        SEED, KAT_ENTRIES, terms=base, amendments=[], gathering=gathering
    )

    # Amended from 2 seats to 3, no cap; then seat movements.
    committed = terms(capacity=2, company_cap=None)
    amended = [amendment(1, committed, {"capacity": 3}, "더 큰 방을 구했어요")]
    with_movements = algorithm.record_v2(
        SEED,
        KAT_ENTRIES,
        terms=committed,
        amendments=amended,
        gathering=gathering,
        chain_head={"seq": 3, "digest": "ab" * 32},
    )
    ranked = [e["public_id"] for e in with_movements["entries"]]
    winners = [
        e["public_id"] for e in with_movements["entries"] if e["outcome"] == "won"
    ]
    waiting = [e for e in ranked if e not in winners]
    moves = chain(
        [
            *(movement("offer", pid, "draw") for pid in winners),
            movement("decline", winners[0], "declined by the member"),
            movement("promote", waiting[0], "seat free"),
            movement("confirm", waiting[0], "confirmed by the member"),
            movement(algorithm.WAITLIST_CLOSED, None, "offer cut-off"),
        ],
        start=5,
    )
    with_movements["movements"] = moves

    recorded = next(r for r in ROUNDS if r.round == 123)
    beacon_terms = terms(beacon={"chain": QUICKNET.hash, "round": 123})
    beacon_record = algorithm.record_v2(
        SEED,
        KAT_ENTRIES,
        terms=beacon_terms,
        amendments=[],
        gathering=gathering,
        beacon={
            "chain": beacon_terms["beacon"]["chain"],
            "round": 123,
            "randomness": recorded.randomness,
            "signature": recorded.signature,
        },
    )

    def tampered(record: dict, change) -> dict:
        copied = copy.deepcopy(record)
        change(copied)
        return copied

    def more_seats(r):
        r["capacity"] = r["seats"] = 4
        r["entries"] = algorithm.rank(SEED, r["entries"], 4, r["company_cap"])

    def out_of_order(r):
        promote = r["movements"][-3]
        promote["payload"]["public_id"] = waiting[1]
        promote["digest"] = algorithm.chain_entry_digest(promote)
        confirm = r["movements"][-2]
        confirm["payload"]["public_id"] = waiting[1]
        confirm["digest"] = algorithm.chain_entry_digest(confirm)

    def unsigned_change(r):
        r["movements"][0]["payload"]["reason"] = "changed"

    def no_amendment(r):
        r["amendments"] = []

    def other_seed_commitment(r):
        r["commitment"] = algorithm.commitment_v2(bytes(32), r["terms_digest"])

    def bad_signature(r):
        r["beacon"]["signature"] = tampered_hex(r["beacon"]["signature"])

    def no_beacon(r):
        r["beacon"] = None

    records = [
        ("no beacon, cap 1", plain, True, True),
        ("amended, seat movements", with_movements, True, True),
        ("beacon round 123", beacon_record, True, True),
        (
            "capacity changed without amendment",
            tampered(plain, more_seats),
            False,
            False,
        ),
        ("amendment removed", tampered(with_movements, no_amendment), False, False),
        (
            "promotion out of rank order",
            tampered(with_movements, out_of_order),
            False,
            False,
        ),
        (
            "movement changed after hashing",
            tampered(with_movements, unsigned_change),
            False,
            False,
        ),
        (
            "commitment of another seed",
            tampered(plain, other_seed_commitment),
            False,
            False,
        ),
        ("beacon named but missing", tampered(beacon_record, no_beacon), False, False),
        # Recomputes without the signature check; fails with it.
        (
            "beacon signature tampered",
            tampered(beacon_record, bad_signature),
            True,
            False,
        ),
    ]

    domains = ["Example.COM.", " acme.example ", "bücher.example", "ÉCOLE.fr"]
    return {
        "spec": "docs/draw.md",
        "algorithm": algorithm.ALGORITHM_V2,
        "seed": SEED.hex(),
        "canonical_json": [
            {"value": value, "text": algorithm.canonical_json(value).decode()}
            for value in ({"b": 1, "a": [None, True, "모임"]}, base)
        ],
        "terms": [
            {
                "terms": base,
                "digest": algorithm.terms_digest(base),
                "commitment": algorithm.commitment_v2(
                    SEED, algorithm.terms_digest(base)
                ),
            }
        ],
        "amendments": [
            {
                "terms": committed,
                "amendments": amended,
                "in_force": {**committed, "capacity": 3},
            }
        ],
        "domains": [
            {
                "input": domain,
                "normalized": algorithm.normalize_domain(domain),
                "group_label": algorithm.group_label(SEED, domain),
            }
            for domain in domains
        ],
        "weights": [
            {
                "weights": base["weights"],
                "losses": losses,
                "no_show": no_show,
                "weight": algorithm.weight_for(base["weights"], losses, no_show),
            }
            for losses, no_show in (
                (0, False),
                (1, False),
                (3, False),
                (7, False),
                (2, True),
            )
        ],
        "effective_seeds": [
            {
                "seed": SEED.hex(),
                "randomness": recorded.randomness,
                "effective_seed": algorithm.effective_seed(
                    SEED, bytes.fromhex(recorded.randomness)
                ).hex(),
            }
        ],
        "seats_offered": [
            {
                "capacity": c,
                "overbooking_permille": p,
                "seats": algorithm.seats_offered(c, p),
            }
            for c, p in ((10, None), (10, 1000), (10, 1250), (7, 1333))
        ],
        "chain": moves,
        "records": [
            {
                "name": name,
                "record": record,
                "valid_without_signature_check": recomputes,
                "valid": valid,
            }
            for name, record, recomputes, valid in records
        ],
    }


if __name__ == "__main__":
    import django

    django.setup()
    json.dump(build(), sys.stdout, ensure_ascii=False, indent=1, sort_keys=True)
    sys.stdout.write("\n")
