"""The draw algorithm "moim-draw-v1" (events/draw.py, specified in docs/draw.md):
deterministic, order-independent, weighted as documented, capped per company
group, and verifiable from its record alone. No database needed."""

import copy
import hashlib
import hmac
import json
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events import draw

SEED = bytes(range(32))

# The known-answer vector printed in docs/draw.md: any other implementation of
# moim-draw-v1 must reproduce these numbers exactly.
KAT_SEED_HEX = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
KAT_COMMITMENT = "630dcd2966c4336691125448bbb25b4ff412a49c732db2c8abc1b8581bd710dd"
KAT_GROUP_COM = "5b63fb33785501af"  # group_label(seed, "example.com")
KAT_GROUP_ORG = "10e0f73ffe3a595d"  # group_label(seed, "example.org")
KAT_ENTRIES = [
    {"public_id": "ada", "weight": 10, "group": KAT_GROUP_COM},
    {"public_id": "bo", "weight": 20, "group": KAT_GROUP_COM},
    {"public_id": "chen", "weight": 10, "group": None},
    {"public_id": "dara", "weight": 5, "group": KAT_GROUP_ORG},
    {"public_id": "eun-ji", "weight": 15, "group": KAT_GROUP_COM},
]
KAT_CANONICAL = (
    '[{"group":"5b63fb33785501af","public_id":"ada","weight":10},'
    '{"group":"5b63fb33785501af","public_id":"bo","weight":20},'
    '{"group":null,"public_id":"chen","weight":10},'
    '{"group":"10e0f73ffe3a595d","public_id":"dara","weight":5},'
    '{"group":"5b63fb33785501af","public_id":"eun-ji","weight":15}]'
)
KAT_DIGEST = "4ae2adc630c36a8320e998a8fadf13a49c650be2829a62f33d7d080c93d4bb40"
# public_id -> (winning ticket, entry sort key as 64 hex digits)
KAT_KEYS = {
    "ada": (8, "19953ea05d5f0511322ac2b3131eac5fde2f990d1de7d2276497b1ed4bfdd52f"),
    "bo": (8, "0dc68135887de5f44b08e8df0973996165be1a8fc3b4c0b057fe987b80cf60e7"),
    "chen": (3, "077a63262deaff88b616a28b84ce95f2d3ffe435cf92a3b165e513ec901ca323"),
    "dara": (2, "31bf14d1a4586603e5e7bf2b06af33629fc5885a783df6152511beaac147da01"),
    "eun-ji": (
        12,
        "0a8c490a81e7b4d85c18e857c2acb05a95680e856206d84012c011b8d6824328",
    ),
}
# capacity 3, company_cap 1: (public_id, rank, outcome, waitlist_position)
KAT_RESULT = [
    ("chen", 1, "won", None),
    ("eun-ji", 2, "won", None),
    ("bo", 3, "waitlisted", 1),
    ("ada", 4, "waitlisted", 2),
    ("dara", 5, "won", None),
]


def entries_of(n, weight=10, group=None):
    return [
        {"public_id": f"app-{i:04d}", "weight": weight, "group": group}
        for i in range(n)
    ]


def seed_of(label):
    """Deterministic seeds so that the statistical tests can never flake."""
    return hashlib.sha256(str(label).encode()).digest()


def summary(ranked):
    return [
        (e["public_id"], e["rank"], e["outcome"], e["waitlist_position"])
        for e in ranked
    ]


# --------------------------------------------------------------------------
# Known-answer vector
# --------------------------------------------------------------------------


def test_known_answer_vector():
    seed = bytes.fromhex(KAT_SEED_HEX)
    assert seed == SEED
    assert draw.commitment(seed) == KAT_COMMITMENT
    assert draw.group_label(seed, "example.com") == KAT_GROUP_COM
    assert draw.group_label(seed, "example.org") == KAT_GROUP_ORG
    assert draw.canonical_entries_json(KAT_ENTRIES).decode() == KAT_CANONICAL
    assert draw.frozen_digest(KAT_ENTRIES) == KAT_DIGEST
    for public_id, (ticket, key_hex) in KAT_KEYS.items():
        weight = next(e["weight"] for e in KAT_ENTRIES if e["public_id"] == public_id)
        keys = [draw.ticket_key(seed, public_id, t) for t in range(weight)]
        assert min(keys) == int(key_hex, 16)
        assert keys.index(min(keys)) == ticket
    assert summary(draw.rank(seed, KAT_ENTRIES, 3, 1)) == KAT_RESULT


def test_known_answer_vector_without_cap():
    ranked = draw.rank(SEED, KAT_ENTRIES, 3)
    assert [(e["public_id"], e["outcome"]) for e in ranked] == [
        ("chen", "won"),
        ("eun-ji", "won"),
        ("bo", "won"),
        ("ada", "waitlisted"),
        ("dara", "waitlisted"),
    ]


def test_ticket_key_is_plain_hmac_sha256():
    expected = hmac.new(SEED, b"chen:3", hashlib.sha256).digest()
    assert draw.ticket_key(SEED, "chen", 3) == int.from_bytes(expected, "big")


def test_fast_ranking_keys_equal_the_plain_definition():
    entries = [
        {"public_id": f"p{i}", "weight": w, "group": None}
        for i, w in enumerate([1, 2, 7, 25, 30, 99])
    ]
    fast = draw._sort_keys(SEED, entries)
    for entry, (key, public_id) in zip(entries, fast, strict=True):
        plain = min(
            draw.ticket_key(SEED, entry["public_id"], t) for t in range(entry["weight"])
        )
        assert int.from_bytes(key, "big") == plain
        assert public_id == entry["public_id"].encode()


# --------------------------------------------------------------------------
# Seeds, commitments, labels, digest
# --------------------------------------------------------------------------


def test_new_seed_is_32_fresh_bytes():
    first, second = draw.new_seed(), draw.new_seed()
    assert len(first) == 32 and len(second) == 32
    assert first != second


def test_commitment_is_sha256_of_the_seed():
    assert draw.commitment(SEED) == hashlib.sha256(SEED).hexdigest()
    with pytest.raises(draw.DrawInputError):
        draw.commitment(b"short")


def test_group_label_normalises_the_domain():
    label = draw.group_label(SEED, "example.com")
    assert len(label) == 16 and int(label, 16) >= 0
    assert draw.group_label(SEED, "  Example.COM. ") == label
    assert draw.group_label(SEED, "example.org") != label
    assert draw.group_label(seed_of("other draw"), "example.com") != label
    # An internationalised domain and its ASCII form are the same company.
    assert draw.group_label(SEED, "例え.jp") == draw.group_label(SEED, "xn--r8jz45g.jp")
    with pytest.raises(draw.DrawInputError):
        draw.group_label(SEED, "not a domain")


def test_frozen_digest_ignores_order_and_extra_fields():
    shuffled = list(reversed(KAT_ENTRIES))
    assert draw.frozen_digest(shuffled) == KAT_DIGEST
    ranked = draw.rank(SEED, KAT_ENTRIES, 3, 1)
    assert draw.frozen_digest(ranked) == KAT_DIGEST


@pytest.mark.parametrize(
    "change",
    [
        {"weight": 11},
        {"group": None},
        {"public_id": "adb"},
    ],
)
def test_frozen_digest_changes_with_any_field(change):
    entries = copy.deepcopy(KAT_ENTRIES)
    entries[0].update(change)
    assert draw.frozen_digest(entries) != KAT_DIGEST


@pytest.mark.parametrize(
    "bad",
    [
        {"public_id": "", "weight": 10, "group": None},
        {"public_id": "has space", "weight": 10, "group": None},
        {"public_id": "한글", "weight": 10, "group": None},
        {"public_id": "x" * 129, "weight": 10, "group": None},
        {"public_id": 7, "weight": 10, "group": None},
        {"public_id": "ok", "weight": 0, "group": None},
        {"public_id": "ok", "weight": 1001, "group": None},
        {"public_id": "ok", "weight": 1.5, "group": None},
        {"public_id": "ok", "weight": True, "group": None},
        {"public_id": "ok", "weight": 10, "group": ""},
        {"public_id": "ok", "weight": 10, "group": 'quote"'},
        {"public_id": "ok", "weight": 10},
    ],
)
def test_bad_entries_are_refused(bad):
    with pytest.raises(draw.DrawInputError):
        draw.rank(SEED, [bad], 1)
    with pytest.raises(draw.DrawInputError):
        draw.frozen_digest([bad])


def test_duplicate_public_ids_are_refused():
    with pytest.raises(draw.DrawInputError, match="duplicate"):
        draw.rank(SEED, entries_of(2) + entries_of(1), 1)


@pytest.mark.parametrize(
    ("capacity", "company_cap"), [(0, None), (-1, None), (1.0, None), (1, 0)]
)
def test_bad_capacity_is_refused(capacity, company_cap):
    with pytest.raises(draw.DrawInputError):
        draw.rank(SEED, entries_of(3), capacity, company_cap)


# --------------------------------------------------------------------------
# Ranking
# --------------------------------------------------------------------------


def test_ranking_is_deterministic():
    entries = entries_of(50)
    assert draw.rank(SEED, entries, 10) == draw.rank(SEED, entries, 10)
    assert draw.rank(SEED, entries, 10) != draw.rank(seed_of("x"), entries, 10)


def test_ranking_ignores_input_order():
    entries = [
        {"public_id": f"m{i}", "weight": 1 + i % 25, "group": f"g{i % 4}"}
        for i in range(60)
    ]
    expected = draw.rank(SEED, entries, 12, 2)
    shuffled = entries[:]
    random.Random(3).shuffle(shuffled)
    assert draw.rank(SEED, shuffled, 12, 2) == expected


def test_rank_does_not_mutate_its_input():
    entries = entries_of(5)
    before = copy.deepcopy(entries)
    draw.rank(SEED, entries, 2)
    assert entries == before


def test_every_entry_ranked_once_and_winners_fill_the_seats():
    entries = entries_of(30)
    ranked = draw.rank(SEED, entries, 8)
    assert sorted(e["public_id"] for e in ranked) == sorted(
        e["public_id"] for e in entries
    )
    assert [e["rank"] for e in ranked] == list(range(1, 31))
    assert [e["outcome"] for e in ranked] == ["won"] * 8 + ["waitlisted"] * 22
    assert [e["waitlist_position"] for e in ranked[8:]] == list(range(1, 23))


def test_fewer_entries_than_seats_all_win():
    ranked = draw.rank(SEED, entries_of(3), 10)
    assert [e["outcome"] for e in ranked] == ["won"] * 3


def test_no_entries():
    assert draw.rank(SEED, [], 5) == []


def test_company_cap_skips_to_the_next_eligible_and_keeps_rank_order():
    entries = [
        {"public_id": f"a{i}", "weight": 10, "group": "acme"} for i in range(6)
    ] + [{"public_id": f"f{i}", "weight": 10, "group": None} for i in range(6)]
    ranked = draw.rank(SEED, entries, 5, company_cap=2)
    winners = [e for e in ranked if e["outcome"] == "won"]
    assert len(winners) == 5
    assert sum(e["group"] == "acme" for e in winners) == 2
    # Waitlisted entries keep their rank order, capped ones included.
    waitlisted = [e for e in ranked if e["outcome"] == "waitlisted"]
    assert [e["waitlist_position"] for e in waitlisted] == list(range(1, 8))
    ranks = [e["rank"] for e in waitlisted]
    assert ranks == sorted(ranks)
    # Without the cap the same seed gives the plain first five.
    plain = draw.rank(SEED, entries, 5)
    assert [e["outcome"] for e in plain] == ["won"] * 5 + ["waitlisted"] * 7


def test_company_cap_can_leave_seats_empty():
    entries = [{"public_id": f"a{i}", "weight": 10, "group": "acme"} for i in range(4)]
    ranked = draw.rank(SEED, entries, 3, company_cap=1)
    assert [e["outcome"] for e in ranked] == ["won"] + ["waitlisted"] * 3


# --------------------------------------------------------------------------
# Properties over random entry lists
# --------------------------------------------------------------------------

public_ids = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_", min_size=1)
entry_lists = st.lists(
    st.tuples(
        public_ids,
        st.integers(min_value=1, max_value=30),
        st.one_of(st.none(), st.sampled_from(["g1", "g2", "g3"])),
    ),
    max_size=40,
    unique_by=lambda item: item[0],
).map(
    lambda items: [
        {"public_id": pid, "weight": weight, "group": group}
        for pid, weight, group in items
    ]
)


@st.composite
def draws(draw_from):
    entries = draw_from(entry_lists)
    capacity = draw_from(st.integers(min_value=1, max_value=len(entries) + 3))
    company_cap = draw_from(st.one_of(st.none(), st.integers(1, 4)))
    seed = draw_from(st.binary(min_size=32, max_size=32))
    return seed, entries, capacity, company_cap


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(draws(), st.randoms(use_true_random=False))
def test_properties(params, rnd):
    seed, entries, capacity, company_cap = params
    ranked = draw.rank(seed, entries, capacity, company_cap)

    # Every entry exactly once, ranks 1..n, inputs carried through unchanged.
    assert len(ranked) == len(entries)
    by_id = {e["public_id"]: e for e in entries}
    assert {e["public_id"] for e in ranked} == set(by_id)
    assert [e["rank"] for e in ranked] == list(range(1, len(entries) + 1))
    for e in ranked:
        assert e["weight"] == by_id[e["public_id"]]["weight"]
        assert e["group"] == by_id[e["public_id"]]["group"]

    # Ranked by ascending minimum ticket key, ties by public_id.
    keys = [
        (
            min(draw.ticket_key(seed, e["public_id"], t) for t in range(e["weight"])),
            e["public_id"],
        )
        for e in ranked
    ]
    assert keys == sorted(keys)

    winners = [e for e in ranked if e["outcome"] == "won"]
    waitlisted = [e for e in ranked if e["outcome"] == "waitlisted"]
    assert len(winners) + len(waitlisted) == len(entries)
    assert len(winners) <= capacity
    if company_cap is None:
        assert len(winners) == min(capacity, len(entries))
        assert ranked[: len(winners)] == winners
    else:
        for group in {"g1", "g2", "g3"}:
            assert sum(e["group"] == group for e in winners) <= company_cap
        # Greedy: a waitlisted entry was refused only for a full house or a
        # full group at its turn.
        for loser in waitlisted:
            before = [w for w in winners if w["rank"] < loser["rank"]]
            assert len(before) == capacity or (
                loser["group"] is not None
                and sum(w["group"] == loser["group"] for w in before) >= company_cap
            )
    assert all(e["waitlist_position"] is None for e in winners)
    assert [e["waitlist_position"] for e in waitlisted] == list(
        range(1, len(waitlisted) + 1)
    )

    # Order of the input never matters.
    shuffled = entries[:]
    rnd.shuffle(shuffled)
    assert draw.rank(seed, shuffled, capacity, company_cap) == ranked

    # The record verifies and survives a JSON round trip.
    rec = draw.record(seed, entries, capacity, company_cap, gathering={"id": 1})
    assert draw.verify(json.loads(json.dumps(rec))) == []


# --------------------------------------------------------------------------
# Weights mean what they say
# --------------------------------------------------------------------------


def test_double_weight_wins_a_single_seat_two_thirds_of_the_time():
    entries = [
        {"public_id": "light", "weight": 10, "group": None},
        {"public_id": "heavy", "weight": 20, "group": None},
    ]
    trials = 3000
    heavy_wins = sum(
        draw.rank(seed_of(f"trial-{i}"), entries, 1)[0]["public_id"] == "heavy"
        for i in range(trials)
    )
    assert 0.62 <= heavy_wins / trials <= 0.71
    light_chance, heavy_chance = draw.win_probabilities([10, 20], 1)
    assert 0.62 <= heavy_chance <= 0.71
    assert heavy_chance == pytest.approx(2 / 3)
    assert light_chance == pytest.approx(1 / 3)


def test_win_probabilities_estimate_a_larger_draw():
    # 40 entries with weights 10/20/30 for 12 seats: the Poisson estimate
    # stays within a few points of the simulated frequencies.
    weights = [10, 20, 30] * 13 + [10]
    entries = [
        {"public_id": f"e{i}", "weight": w, "group": None}
        for i, w in enumerate(weights)
    ]
    trials = 1500
    wins = [0] * len(entries)
    index = {e["public_id"]: i for i, e in enumerate(entries)}
    for trial in range(trials):
        for e in draw.rank(seed_of(f"sim-{trial}"), entries, 12):
            if e["outcome"] == "won":
                wins[index[e["public_id"]]] += 1
    estimate = draw.win_probabilities(weights, 12)
    assert sum(estimate) == pytest.approx(12)
    for weight in (10, 20, 30):
        members = [i for i, w in enumerate(weights) if w == weight]
        simulated = sum(wins[i] for i in members) / (trials * len(members))
        assert estimate[members[0]] == pytest.approx(simulated, abs=0.04)


def test_win_probabilities_edges():
    assert draw.win_probabilities([], 3) == []
    assert draw.win_probabilities([5, 10, 30], 3) == [1.0, 1.0, 1.0]
    equal = draw.win_probabilities([10] * 100, 20)
    assert all(p == pytest.approx(0.2) for p in equal)
    chances = draw.win_probabilities([10, 20, 30, 40, 50], 2)
    assert chances == sorted(chances)
    assert sum(chances) == pytest.approx(2)
    assert all(0 < p < 1 for p in chances)
    with pytest.raises(draw.DrawInputError):
        draw.win_probabilities([10, 0], 1)


# --------------------------------------------------------------------------
# Records and verification
# --------------------------------------------------------------------------


def genuine_record(company_cap=1):
    return draw.record(
        SEED,
        KAT_ENTRIES,
        3,
        company_cap,
        gathering={"id": 7, "title": "퍼포먼스 마케터끼리 만나요"},
    )


def test_record_shape():
    rec = genuine_record()
    assert list(rec) == list(draw.RECORD_FIELDS)
    assert rec["algorithm"] == "moim-draw-v1"
    assert rec["gathering"] == {"id": 7, "title": "퍼포먼스 마케터끼리 만나요"}
    assert rec["seed"] == KAT_SEED_HEX
    assert rec["commitment"] == KAT_COMMITMENT
    assert rec["frozen_digest"] == KAT_DIGEST
    assert (rec["capacity"], rec["company_cap"]) == (3, 1)
    assert summary(rec["entries"]) == KAT_RESULT
    assert all(list(e) == list(draw.RANKED_FIELDS) for e in rec["entries"])


def test_genuine_record_verifies_in_any_entry_order():
    rec = json.loads(json.dumps(genuine_record()))
    assert draw.verify(rec) == []
    rec["entries"].reverse()
    assert draw.verify(rec) == []


def tamper_seed(rec):
    rec["seed"] = seed_of("other").hex()


def tamper_seed_and_commitment(rec):
    # A consistent new seed and commitment still cannot reproduce the ranks.
    seed = seed_of("other")
    rec["seed"] = seed.hex()
    rec["commitment"] = draw.commitment(seed)


def tamper_weight(rec):
    rec["entries"][3]["weight"] = 30


def tamper_weight_and_digest(rec):
    # Lowering the winner's weight with a recomputed digest still moves ranks.
    rec["entries"][0]["weight"] = 1
    rec["frozen_digest"] = draw.frozen_digest(rec["entries"])


def tamper_group(rec):
    rec["entries"][1]["group"] = None


def tamper_add_entry(rec):
    rec["entries"].append(
        {
            "public_id": "zed",
            "weight": 10,
            "group": None,
            "rank": 6,
            "outcome": "waitlisted",
            "waitlist_position": 4,
        }
    )


def tamper_remove_entry(rec):
    rec["entries"].pop()


def tamper_swap_ranks(rec):
    first, second = rec["entries"][0], rec["entries"][1]
    first["rank"], second["rank"] = second["rank"], first["rank"]


def tamper_flip_outcome(rec):
    loser = rec["entries"][2]
    loser["outcome"], loser["waitlist_position"] = "won", None


def tamper_waitlist_position(rec):
    rec["entries"][3]["waitlist_position"] = 1


def tamper_commitment(rec):
    rec["commitment"] = hashlib.sha256(b"something else").hexdigest()


def tamper_digest(rec):
    rec["frozen_digest"] = "0" * 64


def tamper_capacity(rec):
    rec["capacity"] = 2


def tamper_company_cap(rec):
    rec["company_cap"] = None


def tamper_algorithm(rec):
    rec["algorithm"] = "moim-draw-v0"


def tamper_rank_type(rec):
    rec["entries"][0]["rank"] = 1.0


def tamper_duplicate(rec):
    rec["entries"][1]["public_id"] = rec["entries"][0]["public_id"]


def tamper_drop_field(rec):
    del rec["frozen_digest"]


@pytest.mark.parametrize(
    ("tamper", "expected"),
    [
        (tamper_seed, "commitment"),
        (tamper_seed_and_commitment, "the draw gives"),
        (tamper_weight, "frozen digest"),
        (tamper_weight_and_digest, "the draw gives"),
        (tamper_group, "frozen digest"),
        (tamper_add_entry, "frozen digest"),
        (tamper_remove_entry, "frozen digest"),
        (tamper_swap_ranks, "rank is"),
        (tamper_flip_outcome, "outcome is"),
        (tamper_waitlist_position, "waitlist_position is"),
        (tamper_commitment, "commitment"),
        (tamper_digest, "frozen digest"),
        (tamper_capacity, "the draw gives"),
        (tamper_company_cap, "the draw gives"),
        (tamper_algorithm, "unknown algorithm"),
        (tamper_rank_type, "rank is 1.0"),
        (tamper_duplicate, "duplicate public_id"),
        (tamper_drop_field, "missing field"),
    ],
)
def test_tampering_is_reported(tamper, expected):
    rec = json.loads(json.dumps(genuine_record()))
    tamper(rec)
    problems = draw.verify(rec)
    assert problems, "tampering went unnoticed"
    assert any(expected in problem for problem in problems), problems


def test_tampered_entry_is_named():
    rec = genuine_record()
    rec["entries"][0]["rank"], rec["entries"][1]["rank"] = 2, 1
    problems = draw.verify(rec)
    assert "entry chen: rank is 2, the draw gives 1" in problems
    assert "entry eun-ji: rank is 1, the draw gives 2" in problems


@pytest.mark.parametrize(
    "garbage",
    [
        None,
        [],
        {"algorithm": "moim-draw-v1"},
        {**genuine_record(), "seed": "XYZ"},
        {**genuine_record(), "entries": "nope"},
        {**genuine_record(), "entries": [1, 2]},
        {**genuine_record(), "capacity": 0},
    ],
)
def test_malformed_records_are_reported_not_raised(garbage):
    assert draw.verify(garbage)
