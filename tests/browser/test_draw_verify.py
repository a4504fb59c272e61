"""'Check this draw yourself' (static/js/draw_verify.js): the draw recomputed
in Chromium with Web Crypto, by code written from docs/draw.md apart from
events/draw.py. Both must agree on every record seed_demo makes, on the
spec's known-answer vector (docs/draw.md section 13), and both must reject
tampered records."""

import copy
import hashlib
import json
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from events import draw as algorithm
from events.models import Draw, Gathering
from events.selectors.gatherings import draw_record_for_page
from tests.browser.steps import korean
from tests.community.forum_data import community_make, join
from tests.events.factories import guards_bypassed
from tests.events.test_attend_views import apply, close_and_draw, gathering_make
from tests.factories import member_create

pytestmark = [
    pytest.mark.browser,
    pytest.mark.once,
    pytest.mark.usefixtures("transactional_db"),
]

# docs/draw.md section 13.
VECTOR_SEED = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
VECTOR_COMMITMENT = "630dcd2966c4336691125448bbb25b4ff412a49c732db2c8abc1b8581bd710dd"
VECTOR_GROUPS = {"example.com": "5b63fb33785501af", "example.org": "10e0f73ffe3a595d"}
VECTOR_ENTRIES = [
    {"public_id": "ada", "weight": 10, "group": "5b63fb33785501af"},
    {"public_id": "bo", "weight": 20, "group": "5b63fb33785501af"},
    {"public_id": "chen", "weight": 10, "group": None},
    {"public_id": "dara", "weight": 5, "group": "10e0f73ffe3a595d"},
    {"public_id": "eun-ji", "weight": 15, "group": "5b63fb33785501af"},
]
VECTOR_SORT_KEYS = {
    "ada": "19953ea05d5f0511322ac2b3131eac5fde2f990d1de7d2276497b1ed4bfdd52f",
    "bo": "0dc68135887de5f44b08e8df0973996165be1a8fc3b4c0b057fe987b80cf60e7",
    "chen": "077a63262deaff88b616a28b84ce95f2d3ffe435cf92a3b165e513ec901ca323",
    "dara": "31bf14d1a4586603e5e7bf2b06af33629fc5885a783df6152511beaac147da01",
    "eun-ji": "0a8c490a81e7b4d85c18e857c2acb05a95680e856206d84012c011b8d6824328",
}
VECTOR_DIGEST = "4ae2adc630c36a8320e998a8fadf13a49c650be2829a62f33d7d080c93d4bb40"
# (rank, outcome, waitlist position) with company_cap 1, then with none.
VECTOR_CAPPED = {
    "chen": (1, "won", None),
    "eun-ji": (2, "won", None),
    "bo": (3, "waitlisted", 1),
    "ada": (4, "waitlisted", 2),
    "dara": (5, "won", None),
}
VECTOR_UNCAPPED = {
    "chen": (1, "won", None),
    "eun-ji": (2, "won", None),
    "bo": (3, "won", None),
    "ada": (4, "waitlisted", 1),
    "dara": (5, "waitlisted", 2),
}


def results_path(gathering) -> str:
    return reverse("draw_results", args=[gathering.community.slug, gathering.pk])


def small_draw():
    """A public community's lottery, drawn: five applicants for two seats."""
    community = community_make()
    gathering = gathering_make(community, capacity=2)
    for _ in range(5):
        member = member_create()
        join(member, community)
        apply(member, gathering)
    return close_and_draw(gathering)


def js_verify(page, record) -> list[str]:
    """The browser's verdict on ``record``, handed over as JSON text (so a
    number written ``1.0`` stays what it was)."""
    return page.evaluate(
        "text => MoimDraw.verify(MoimDraw.parseRecord(text))",
        json.dumps(record, ensure_ascii=False),
    )


def js_rank(page, seed_hex, entries, capacity, cap):
    return page.evaluate(
        "([seed, entries, capacity, cap]) =>"
        " MoimDraw.rank(seed, entries, capacity, cap)",
        [seed_hex, entries, capacity, cap],
    )


@pytest.fixture
def checker(page):
    """A page with the checker loaded: a drawn gathering's results page."""
    page.goto(results_path(small_draw()))
    return page


def test_a_visitor_checks_a_draw_in_the_browser(page, screenshot):
    gathering = small_draw()
    page.goto(results_path(gathering))
    page.get_by_role("button", name=korean("Check this draw")).click()
    result = page.locator("#draw-verify-result")
    expect(result).to_have_attribute("data-state", "match")
    expect(result).to_contain_text(
        korean(
            "Match: your browser recomputed every rank and got the published result."
        )
    )
    screenshot("draw-checked-in-the-browser")


def test_a_tampered_record_served_to_the_page_shows_a_mismatch(page):
    gathering = small_draw()
    record = Draw.objects.get(gathering=gathering).record
    tampered = copy.deepcopy(record)
    first, second = tampered["entries"][0], tampered["entries"][1]
    first["rank"], second["rank"] = second["rank"], first["rank"]
    record_path = reverse("draw_record", args=[gathering.community.slug, gathering.pk])
    page.route(
        f"**{record_path}",
        lambda route: route.fulfill(
            status=200, content_type="application/json", body=json.dumps(tampered)
        ),
    )
    page.goto(results_path(gathering))
    page.get_by_role("button", name=korean("Check this draw")).click()
    result = page.locator("#draw-verify-result")
    expect(result).to_have_attribute("data-state", "mismatch")
    problems = page.locator("#draw-verify-problems li")
    expect(problems.first).to_be_visible()
    # The record's digest is no longer the one the page (and the receipts)
    # give; said in Korean on the Korean page.
    said = korean("the downloaded record's digest is {got}, this page says {want}")
    assert said.startswith("내려받은 기록의 다이제스트가")
    expect(page.locator("#draw-verify-problems")).to_contain_text(said.split("{")[0])


def test_browser_and_verify_draw_agree_on_every_seeded_record(page):
    call_command("seed_demo", verbosity=0)
    draws = list(Draw.objects.select_related("gathering__community"))
    assert len(draws) == 6  # the demo (events.demo): one per drawn gathering
    page.goto(results_path(draws[0].gathering))
    for draw in draws:
        # As published: a v2 record is served with its seat movements.
        served = draw_record_for_page(gathering=draw.gathering)
        assert algorithm.verify(served) == []
        assert js_verify(page, served) == [], draw.gathering.title
        ranked = js_rank(
            page,
            draw.record["seed"],
            draw.record["entries"],
            draw.record["capacity"],
            draw.record["company_cap"],
        )
        assert [e["public_id"] for e in ranked] == [
            e["public_id"]
            for e in sorted(draw.record["entries"], key=lambda e: e["rank"])
        ]


def test_the_browser_reproduces_the_known_answer_vector(checker):
    page = checker
    assert (
        page.evaluate("s => MoimDraw.commitment(s)", VECTOR_SEED) == VECTOR_COMMITMENT
    )
    for domain, label in VECTOR_GROUPS.items():
        assert (
            page.evaluate(
                "([s, d]) => MoimDraw.groupLabel(s, d)", [VECTOR_SEED, domain]
            )
            == label
        )
    assert (
        page.evaluate("e => MoimDraw.frozenDigest(e)", VECTOR_ENTRIES) == VECTOR_DIGEST
    )
    for cap, expected in ((1, VECTOR_CAPPED), (None, VECTOR_UNCAPPED)):
        ranked = js_rank(page, VECTOR_SEED, VECTOR_ENTRIES, 3, cap)
        assert {e["public_id"]: e["sort_key"] for e in ranked} == VECTOR_SORT_KEYS
        assert {
            e["public_id"]: (e["rank"], e["outcome"], e["waitlist_position"])
            for e in ranked
        } == expected
        record = algorithm.record(
            bytes.fromhex(VECTOR_SEED), VECTOR_ENTRIES, 3, cap, gathering={}
        )
        assert algorithm.verify(record) == []
        assert js_verify(page, record) == []


def _swap_first_and_last_ranks(r):
    a, b = r["entries"][0], r["entries"][-1]
    a["rank"], b["rank"] = b["rank"], a["rank"]


def _promote_a_waitlisted_entry(r):
    loser = next(e for e in r["entries"] if e["outcome"] == "waitlisted")
    loser["outcome"], loser["waitlist_position"] = "won", None


def _add_a_sock_puppet(r):
    r["entries"].append(
        {
            "public_id": "sockpuppet",
            "weight": 10,
            "group": None,
            "rank": len(r["entries"]) + 1,
            "outcome": "waitlisted",
            "waitlist_position": 99,
        }
    )


# Each a way a cheat might change a published record.
TAMPERINGS = {
    "ranks swapped": _swap_first_and_last_ranks,
    "a waitlisted entry promoted": _promote_a_waitlisted_entry,
    "a sock puppet added": _add_a_sock_puppet,
    "an entry dropped": lambda r: r["entries"].pop(),
    "another seed": lambda r: r.update(seed="00" * 32),
    "a weight raised": lambda r: r["entries"][-1].update(weight=30),
    "a seat taken away": lambda r: r.update(capacity=r["capacity"] - 1),
    "the company cap lifted": lambda r: r.update(company_cap=None),
    "a rank written as 1.0": lambda r: r["entries"][0].update(
        rank=float(r["entries"][0]["rank"])
    ),
    "another commitment": lambda r: r.update(
        commitment=hashlib.sha256(b"another seed").hexdigest()
    ),
    "another frozen digest": lambda r: r.update(frozen_digest="0" * 64),
    "an unknown algorithm": lambda r: r.update(algorithm="moim-draw-v0"),
    "a public id with spaces": lambda r: r["entries"][0].update(
        public_id="not allowed"
    ),
}


def test_both_verifiers_reject_every_tampered_record(checker):
    page = checker
    record = algorithm.record(
        bytes.fromhex(VECTOR_SEED), VECTOR_ENTRIES, 3, 1, gathering={}
    )
    assert algorithm.verify(record) == js_verify(page, record) == []
    for name, tamper in TAMPERINGS.items():
        tampered = copy.deepcopy(record)
        tamper(tampered)
        assert algorithm.verify(tampered), name
        assert js_verify(page, tampered), name


def test_with_a_beacon_the_browser_ranks_by_the_effective_seed(checker):
    """docs/draw.md section 11: every ticket key uses SHA-256(seed ||
    beacon randomness)."""
    page = checker
    randomness = hashlib.sha256(b"a recorded beacon round").hexdigest()
    effective = hashlib.sha256(
        bytes.fromhex(VECTOR_SEED) + bytes.fromhex(randomness)
    ).digest()
    assert (
        page.evaluate(
            "([s, r]) => MoimDraw.effectiveSeed(s, r)", [VECTOR_SEED, randomness]
        )
        == effective.hex()
    )
    expected = algorithm.rank(effective, VECTOR_ENTRIES, 3, 1)
    ranked = js_rank(page, effective.hex(), VECTOR_ENTRIES, 3, 1)
    assert [
        (e["public_id"], e["rank"], e["outcome"], e["waitlist_position"])
        for e in ranked
    ] == [
        (e["public_id"], e["rank"], e["outcome"], e["waitlist_position"])
        for e in expected
    ]


VECTORS = json.loads(
    (Path(__file__).resolve().parents[2] / "docs" / "draw-vectors.json").read_text()
)


def test_the_browser_reproduces_the_v2_vectors(checker):
    """docs/draw-vectors.json (docs/draw.md section 20): canonical JSON,
    terms digests, effective seeds, group labels, and ten records, each
    valid or not as the file says, with and without the beacon's signature
    checked (by static/js/beacon_verify.js)."""
    page = checker
    page.add_script_tag(url="/static/js/beacon_verify.js", type="module")
    page.wait_for_function("() => window.MoimBeacon !== undefined")
    for case in VECTORS["canonical_json"]:
        assert (
            page.evaluate("v => MoimDraw.canonical(v)", case["value"]) == case["text"]
        )
    for case in VECTORS["terms"]:
        assert (
            page.evaluate("t => MoimDraw.digestOf(t)", case["terms"]) == case["digest"]
        )
    for case in VECTORS["effective_seeds"]:
        assert (
            page.evaluate(
                "([s, r]) => MoimDraw.effectiveSeed(s, r)",
                [case["seed"], case["randomness"]],
            )
            == case["effective_seed"]
        )
    for case in VECTORS["domains"]:
        assert (
            page.evaluate(
                "([s, d]) => MoimDraw.groupLabel(s, d)",
                [VECTORS["seed"], case["normalized"]],
            )
            == case["group_label"]
        )
    assert len(VECTORS["records"]) == 10
    for case in VECTORS["records"]:
        text = json.dumps(case["record"], ensure_ascii=False)
        unsigned = page.evaluate("t => MoimDraw.verify(MoimDraw.parseRecord(t))", text)
        signed = page.evaluate(
            "t => MoimDraw.verify(MoimDraw.parseRecord(t),"
            " MoimBeacon.verifyQuicknetRound)",
            text,
        )
        assert (unsigned == []) is case["valid_without_signature_check"], (
            case["name"],
            unsigned,
        )
        assert (signed == []) is case["valid"], (case["name"], signed)
        assert (algorithm.verify(case["record"]) == []) is case[
            "valid_without_signature_check"
        ], case["name"]


# Public ids and group labels that are also names on Object.prototype: a
# checker keeping its tallies in plain objects reads the prototype's value
# there instead of its own count.
PROTOTYPE_NAMES = ["constructor", "toString", "__proto__", "hasOwnProperty"]


def _forged_duplicates(page, name: str) -> dict:
    """Two entries under one public id, both given the later one's result:
    a duplicate the checker must refuse (docs/draw.md section 2). Ranked
    and digested by the page (events/draw.py refuses duplicates outright);
    the review's jsv.js."""
    entries = [
        {"public_id": name, "weight": 1, "group": None},
        {"public_id": name, "weight": 1, "group": None},
        {"public_id": "zed", "weight": 1, "group": None},
    ]
    ranked = js_rank(page, "ab" * 32, entries, 2, None)
    later = [e for e in ranked if e["public_id"] == name][-1]
    forged = []
    for e in ranked:
        e = {k: v for k, v in e.items() if k != "sort_key"}
        if e["public_id"] == name:
            e.update(
                rank=later["rank"],
                outcome=later["outcome"],
                waitlist_position=later["waitlist_position"],
            )
        forged.append(e)
    return {
        "algorithm": "moim-draw-v1",
        "gathering": {},
        "capacity": 2,
        "company_cap": None,
        "commitment": algorithm.commitment(bytes.fromhex("ab" * 32)),
        "seed": "ab" * 32,
        "frozen_digest": page.evaluate("e => MoimDraw.frozenDigest(e)", forged),
        "entries": forged,
    }


def _forged_over_the_cap(group: str) -> dict:
    """Both members of one company seated under a cap of one (the review's
    capbypass.json, with the group named as given)."""
    seed = bytes([3]) * 32
    entries = [
        {"public_id": "a", "weight": 1, "group": group},
        {"public_id": "b", "weight": 1, "group": group},
        {"public_id": "c", "weight": 1, "group": None},
    ]
    record = algorithm.record(seed, entries, 2, 1, gathering={})
    assert algorithm.verify(record) == []
    by_id = {e["public_id"]: e for e in record["entries"]}
    assert by_id["a"]["outcome"] == "waitlisted" and by_id["c"]["outcome"] == "won"
    by_id["a"].update(outcome="won", waitlist_position=None)
    by_id["c"].update(outcome="waitlisted", waitlist_position=1)
    return record


@pytest.mark.parametrize("name", PROTOTYPE_NAMES)
def test_both_verifiers_refuse_a_duplicate_named_like_a_prototype_member(checker, name):
    forged = _forged_duplicates(checker, name)
    assert algorithm.verify(forged)
    assert js_verify(checker, forged)


@pytest.mark.parametrize("group", PROTOTYPE_NAMES)
def test_both_verifiers_hold_the_company_cap_of_a_group_named_like_a_prototype_member(
    checker, group
):
    forged = _forged_over_the_cap(group)
    assert algorithm.verify(forged)
    assert js_verify(checker, forged)
    # An honest draw under such a name still verifies in both.
    honest = algorithm.record(
        bytes([3]) * 32,
        [
            {"public_id": "constructor", "weight": 2, "group": group},
            {"public_id": "__proto__", "weight": 1, "group": group},
            {"public_id": "toString", "weight": 3, "group": None},
        ],
        2,
        1,
        gathering={},
    )
    assert algorithm.verify(honest) == js_verify(checker, honest) == []


def _serve_in_place_of_the_record(page, record) -> None:
    """The results page's checker pointed at ``record`` (the page's own
    digest and commitment set aside: this record is another gathering's)."""
    page.route(
        "**/vector-record.json",
        lambda route: route.fulfill(
            status=200, content_type="application/json", body=json.dumps(record)
        ),
    )
    page.evaluate(
        """() => {
            const section = document.getElementById("draw-verify");
            section.dataset.recordUrl = "/vector-record.json";
            delete section.dataset.recordHash;
            delete section.dataset.commitment;
            delete section.dataset.frozenDigest;
        }"""
    )


def test_a_beacon_whose_signature_cannot_be_checked_is_no_match(checker):
    """Without static/js/beacon_verify.js (blocked, failed to load, too old
    a browser) the beacon's randomness would be mixed in unchecked: the page
    says so and does not say Match. With it, the same record matches."""
    page = checker
    case = next(c for c in VECTORS["records"] if c["name"] == "beacon round 123")
    assert case["valid"] and case["record"]["beacon"]
    _serve_in_place_of_the_record(page, case["record"])
    assert page.evaluate("() => window.MoimBeacon") is None
    run = page.get_by_role("button", name=korean("Check this draw"))
    run.click()
    result = page.locator("#draw-verify-result")
    expect(result).to_have_attribute("data-state", "mismatch")
    expect(page.locator("#draw-verify-problems")).to_contain_text(
        korean("the beacon's signature could not be checked in this browser")
    )
    page.add_script_tag(url="/static/js/beacon_verify.js", type="module")
    page.wait_for_function("() => window.MoimBeacon !== undefined")
    run.click()
    expect(result).to_have_attribute("data-state", "match")


def test_every_problem_the_checker_names_is_said_in_the_pages_language(checker):
    """Each of the checker's problem messages has its translation on the
    page (events/templates/events/partials/draw_verify_messages.html), with
    the same placeholders, and a forged record's problems read in Korean."""
    page = checker
    english = page.evaluate("() => MoimDraw.messages")
    on_page = page.evaluate(
        """() => Object.fromEntries(
            [...document.getElementById("draw-verify-messages")
                .content.querySelectorAll("[data-key]")]
            .map(span => [span.dataset.key, span.textContent]))"""
    )
    assert set(on_page) == set(english)
    for key, text in english.items():
        assert on_page[key] == korean(text) != text, key
        assert sorted(re.findall(r"\{\w+\}", on_page[key])) == sorted(
            re.findall(r"\{\w+\}", text)
        ), key
    problems = js_verify(page, _forged_over_the_cap("constructor"))
    assert problems
    for problem in problems:
        assert re.search("[가-힣]", problem), problem
        assert "{" not in problem, problem


def test_a_record_drawn_from_another_list_than_the_published_one_is_a_mismatch(
    page,
):
    """The record verifies against itself, but the list it was drawn from is
    not the one the gathering published at the close: only the page's
    published digest can tell, so the browser compares it."""
    gathering = small_draw()
    published = "ab" * 32
    with guards_bypassed():
        Gathering.objects.filter(pk=gathering.pk).update(frozen_digest=published)
    record = Draw.objects.get(gathering=gathering).record
    assert algorithm.verify(record) == []

    page.goto(results_path(gathering))
    page.get_by_role("button", name=korean("Check this draw")).click()

    result = page.locator("#draw-verify-result")
    expect(result).to_have_attribute("data-state", "mismatch")
    expect(page.locator("#draw-verify-problems")).to_contain_text(
        f"공개된 명단: {published}"
    )
    expect(page.locator(".draw-details")).to_contain_text(published)
