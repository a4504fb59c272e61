"""docs/draw-vectors.json, the moim-draw-v2 test vectors every verifier
checks itself against (the in-browser one too), is what the reference
implementation gives, and each vector holds."""

import json
from pathlib import Path

import pytest

from events import draw as algorithm
from events.management.commands.verify_draw import beacon_valid
from tests.events import draw_vectors

VECTORS = Path(__file__).resolve().parents[2] / "docs" / "draw-vectors.json"


def stored() -> dict:
    return json.loads(VECTORS.read_text(encoding="utf-8"))


def test_the_vectors_file_is_the_reference_implementations_output():
    assert stored() == json.loads(json.dumps(draw_vectors.build()))


@pytest.mark.parametrize(
    "vector", stored()["records"], ids=lambda vector: vector["name"]
)
def test_each_record_vector_verifies_as_stated(vector):
    without = algorithm.verify(vector["record"])
    with_signature = algorithm.verify(vector["record"], beacon_verify=beacon_valid)

    assert (without == []) is vector["valid_without_signature_check"]
    assert (with_signature == []) is vector["valid"]


def test_the_smaller_vectors_hold():
    vectors = stored()
    seed = bytes.fromhex(vectors["seed"])
    for case in vectors["canonical_json"]:
        assert algorithm.canonical_json(case["value"]).decode() == case["text"]
    for case in vectors["terms"]:
        assert algorithm.terms_digest(case["terms"]) == case["digest"]
        assert algorithm.commitment_v2(seed, case["digest"]) == case["commitment"]
    for case in vectors["amendments"]:
        in_force, problems = algorithm.amendments_apply(
            case["terms"], case["amendments"]
        )
        assert (in_force, problems) == (case["in_force"], [])
    for case in vectors["domains"]:
        assert algorithm.normalize_domain(case["input"]) == case["normalized"]
        assert algorithm.group_label(seed, case["input"]) == case["group_label"]
    for case in vectors["weights"]:
        weight = algorithm.weight_for(case["weights"], case["losses"], case["no_show"])
        assert weight == case["weight"]
    for case in vectors["effective_seeds"]:
        effective = algorithm.effective_seed(
            bytes.fromhex(case["seed"]), bytes.fromhex(case["randomness"])
        )
        assert effective.hex() == case["effective_seed"]
    for case in vectors["seats_offered"]:
        seats = algorithm.seats_offered(case["capacity"], case["overbooking_permille"])
        assert seats == case["seats"]
    assert algorithm.chain_problems(vectors["chain"]) == []
