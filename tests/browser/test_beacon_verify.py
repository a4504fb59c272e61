"""static/js/beacon_verify.js in Chromium: the browser checks a drand
quicknet round by itself (noble-curves for the pairing, Web Crypto for
SHA-256), against the same real recorded rounds as the server's check
(tests/beacon_rounds.py), loaded from the site under its own
Content-Security-Policy, as the draw's results page will load it."""

import hashlib

import pytest
from django.templatetags.static import static

from tests.beacon_rounds import ROUNDS, tampered_hex

pytestmark = [
    pytest.mark.browser,
    pytest.mark.once,
    pytest.mark.usefixtures("transactional_db"),
]

VERIFY = """async (beacons) => {
    const module = await import(%r);
    const results = [];
    for (const beacon of beacons) {
        results.push(await module.verifyQuicknetRound(beacon));
    }
    return results;
}"""


def verify_in_browser(page, beacons: list[dict]) -> list[bool]:
    return page.evaluate(VERIFY % static("js/beacon_verify.js"), beacons)


def as_beacon(recorded, **changes) -> dict:
    return {
        "round": recorded.round,
        "randomness": recorded.randomness,
        "signature": recorded.signature,
        **changes,
    }


def test_the_browser_accepts_every_real_round_and_refuses_every_forgery(page):
    page.goto("/")
    forged_signature = tampered_hex(ROUNDS[1].signature)
    forgeries = [
        # one bit of the signature flipped, randomness made to match
        as_beacon(
            ROUNDS[1],
            signature=forged_signature,
            randomness=hashlib.sha256(bytes.fromhex(forged_signature)).hexdigest(),
        ),
        # a real signature presented for the next round
        as_beacon(ROUNDS[0], round=ROUNDS[0].round + 1),
        # round 42's signature and randomness presented as round 123's
        as_beacon(ROUNDS[0], round=ROUNDS[1].round),
        # randomness that is not SHA-256 of the signature
        as_beacon(ROUNDS[2], randomness=ROUNDS[3].randomness),
        # not a point of G1
        as_beacon(
            ROUNDS[0],
            signature="ff" * 48,
            randomness=hashlib.sha256(b"\xff" * 48).hexdigest(),
        ),
        # malformed input
        as_beacon(ROUNDS[0], signature=ROUNDS[0].signature.upper()),
        as_beacon(ROUNDS[0], round=0),
        as_beacon(ROUNDS[0], round=1.5),
        {},
    ]

    results = verify_in_browser(page, [as_beacon(r) for r in ROUNDS] + forgeries)

    assert results[: len(ROUNDS)] == [True] * len(ROUNDS)
    assert results[len(ROUNDS) :] == [False] * len(forgeries)


def test_a_round_number_as_a_string_or_bigint_is_accepted(page):
    page.goto("/")
    recorded = ROUNDS[3]

    results = page.evaluate(
        """async ([url, beacon]) => {
            const {verifyQuicknetRound} = await import(url);
            return [
                await verifyQuicknetRound({...beacon, round: String(beacon.round)}),
                await verifyQuicknetRound({...beacon, round: BigInt(beacon.round)}),
                await window.MoimBeacon.verifyQuicknetRound(beacon),
            ];
        }""",
        [static("js/beacon_verify.js"), as_beacon(recorded)],
    )

    assert results == [True, True, True]
