"""drand quicknet, the draw's beacon (events.beacon): the chain's pinned
values, which round comes when, the offline BLS check against real recorded
rounds and their tampered copies, fetching from a relay of our own on
127.0.0.1 (tests/beacon_server.py) that answers, lags, fails or lies, and a
round entered by hand (``manage.py beacon_enter``)."""

import datetime
import hashlib
import io
import re
import socket
import time
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from hypothesis import given
from hypothesis import strategies as st

from events import beacon
from events.beacon import (
    QUICKNET,
    BeaconRound,
    effective_seed,
    quicknet_round_at,
    quicknet_round_time,
    round_fetch,
    round_from_hex,
    round_message,
    round_record,
    round_verify,
)
from events.errors import EventsError
from events.models import BeaconRoundRecord
from events.services.beacon import beacon_round_enter
from tests.beacon_rounds import BY_ROUND, ROUNDS, tampered_hex
from tests.beacon_server import beacon_server_start
from tests.factories import member_create

UTC = datetime.UTC
GENESIS = datetime.datetime(2023, 8, 23, 15, 9, 27, tzinfo=UTC)


def recorded_round(number: int) -> BeaconRound:
    recorded = BY_ROUND[number]
    return BeaconRound(
        round=number,
        randomness=bytes.fromhex(recorded.randomness),
        signature=bytes.fromhex(recorded.signature),
    )


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


# --- The chain ---------------------------------------------------------------


def test_quicknet_chain_hash_is_drands_hash_of_the_pinned_values():
    # drand names a chain by SHA-256 of its period, genesis, public key,
    # genesis seed and beacon id: a wrong key, period or genesis would not
    # give quicknet's published hash.
    assert QUICKNET.computed_hash() == QUICKNET.hash
    assert QUICKNET.hash == (
        "52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971"
    )


def test_a_changed_public_key_changes_the_chain_hash():
    import dataclasses

    key = bytearray(QUICKNET.public_key)
    key[-1] ^= 1
    other = dataclasses.replace(QUICKNET, public_key=bytes(key))

    assert other.computed_hash() != QUICKNET.hash


def test_quicknet_is_unchained_on_g1_with_3_second_rounds_from_its_genesis():
    assert QUICKNET.scheme == "bls-unchained-g1-rfc9380"
    assert QUICKNET.period == 3
    assert QUICKNET.genesis == int(GENESIS.timestamp()) == 1692803367
    assert len(QUICKNET.public_key) == 96  # a compressed G2 point


# --- Rounds and time -----------------------------------------------------------


def test_round_1_is_at_the_genesis_and_before_it():
    assert quicknet_round_at(GENESIS) == 1
    assert quicknet_round_at(GENESIS - datetime.timedelta(days=400)) == 1
    assert quicknet_round_time(1) == GENESIS


def test_the_first_round_at_or_after_a_moment():
    second = datetime.timedelta(seconds=1)
    microsecond = datetime.timedelta(microseconds=1)

    assert quicknet_round_at(GENESIS + microsecond) == 2
    assert quicknet_round_at(GENESIS + 3 * second) == 2
    assert quicknet_round_at(GENESIS + 3 * second + microsecond) == 3
    assert quicknet_round_at(GENESIS + 6 * second) == 3


def test_a_known_date():
    # 2026-01-01T00:00:00Z is 1767225600, 74,422,233 s = 24,807,411 periods
    # after the genesis: exactly the time of round 24,807,412.
    new_year = datetime.datetime(2026, 1, 1, tzinfo=UTC)

    assert quicknet_round_at(new_year) == 24_807_412
    assert quicknet_round_time(24_807_412) == new_year


def test_the_time_zone_of_the_moment_does_not_matter():
    seoul = datetime.datetime(2026, 1, 1, 9, 0, tzinfo=ZoneInfo("Asia/Seoul"))

    assert quicknet_round_at(seoul) == 24_807_412


def test_a_naive_moment_is_refused():
    with pytest.raises(ValueError, match="aware"):
        quicknet_round_at(datetime.datetime(2026, 1, 1))


@given(
    st.datetimes(
        min_value=datetime.datetime(2023, 8, 23, 15, 9, 28),
        max_value=datetime.datetime(2100, 1, 1),
        timezones=st.just(UTC),
    )
)
def test_the_round_named_is_the_first_whose_time_is_not_before_the_moment(when):
    number = quicknet_round_at(when)

    assert quicknet_round_time(number) >= when
    assert quicknet_round_time(number - 1) < when


@pytest.mark.parametrize("recorded", ROUNDS, ids=lambda r: str(r.round))
def test_each_recorded_round_is_named_at_its_own_time(recorded):
    at = quicknet_round_time(recorded.round)

    assert quicknet_round_at(at) == recorded.round
    assert quicknet_round_at(at - datetime.timedelta(seconds=2)) == recorded.round


# --- The offline check ---------------------------------------------------------


def test_the_signed_message_is_sha256_of_the_round_as_8_bytes_big_endian():
    assert round_message(123) == hashlib.sha256(bytes(7) + b"\x7b").digest()
    assert round_message(123).hex() == (
        "41f1c4ddd1183083b48396129dec579e9b7ae61bcf24b743cfe59b7d558a2676"
    )


@pytest.mark.parametrize("recorded", ROUNDS, ids=lambda r: str(r.round))
def test_a_real_recorded_round_verifies(recorded):
    assert round_verify(recorded_round(recorded.round))


@pytest.mark.parametrize("recorded", ROUNDS, ids=lambda r: str(r.round))
def test_the_randomness_is_sha256_of_the_signature(recorded):
    signature = bytes.fromhex(recorded.signature)

    assert hashlib.sha256(signature).hexdigest() == recorded.randomness
    assert round_from_hex(recorded.round, recorded.signature).randomness == (
        bytes.fromhex(recorded.randomness)
    )


@pytest.mark.parametrize("recorded", ROUNDS, ids=lambda r: str(r.round))
@pytest.mark.parametrize("byte", [0, 20, 47])
def test_a_signature_with_one_bit_flipped_is_refused(recorded, byte):
    # The randomness is recomputed from the tampered signature, so only the
    # BLS check can tell.
    signature = bytes.fromhex(tampered_hex(recorded.signature, byte))
    forged = BeaconRound(
        round=recorded.round,
        randomness=hashlib.sha256(signature).digest(),
        signature=signature,
    )

    assert not round_verify(forged)


@pytest.mark.parametrize("recorded", ROUNDS, ids=lambda r: str(r.round))
def test_a_signature_presented_for_another_round_is_refused(recorded):
    real = recorded_round(recorded.round)

    for other in (recorded.round - 1, recorded.round + 1, 1):
        if other != recorded.round:
            moved = BeaconRound(
                round=other, randomness=real.randomness, signature=real.signature
            )
            assert not round_verify(moved)


def test_one_rounds_signature_does_not_pass_for_anothers():
    a, b = recorded_round(42), recorded_round(123)

    assert not round_verify(
        BeaconRound(round=42, randomness=b.randomness, signature=b.signature)
    )
    assert not round_verify(
        BeaconRound(round=123, randomness=a.randomness, signature=a.signature)
    )


def test_randomness_other_than_sha256_of_the_signature_is_refused():
    real = recorded_round(123)
    randomness = bytearray(real.randomness)
    randomness[0] ^= 1

    assert not round_verify(
        BeaconRound(round=123, randomness=bytes(randomness), signature=real.signature)
    )


@pytest.mark.parametrize(
    "signature",
    [
        b"",
        bytes(47),
        bytes(48),  # not a valid compressed point (no compression flag)
        b"\xc0" + bytes(47),  # the point at infinity
        b"\xff" * 48,
        bytes.fromhex(ROUNDS[0].signature) + b"\x00",
    ],
    ids=["empty", "short", "zeros", "infinity", "ones", "long"],
)
def test_a_signature_that_is_no_point_of_g1_is_refused(signature):
    assert not round_verify(
        BeaconRound(
            round=42, randomness=hashlib.sha256(signature).digest(), signature=signature
        )
    )


@pytest.mark.parametrize("number", [0, -42, True, 2**64])
def test_a_round_outside_quicknets_numbering_is_refused(number):
    real = recorded_round(42)

    assert not round_verify(
        BeaconRound(round=number, randomness=real.randomness, signature=real.signature)
    )


def test_a_check_takes_milliseconds():
    real = recorded_round(123)
    round_verify(real)  # the public key is parsed once
    start = time.perf_counter()
    for _ in range(10):
        assert round_verify(real)

    assert (time.perf_counter() - start) / 10 < 0.1


def test_the_record_writes_the_chain_round_and_lowercase_hex():
    assert round_record(recorded_round(123)) == {
        "chain": QUICKNET.hash,
        "round": 123,
        "randomness": BY_ROUND[123].randomness,
        "signature": BY_ROUND[123].signature,
    }


@pytest.mark.parametrize(
    ("signature", "randomness"),
    [
        (ROUNDS[0].signature.upper(), None),
        (ROUNDS[0].signature[:-2], None),
        ("zz" * 48, None),
        (None, None),
        (ROUNDS[0].signature, "00" * 31),
        (ROUNDS[0].signature, 42),
    ],
)
def test_malformed_hex_is_refused_before_any_check(signature, randomness):
    with pytest.raises(ValueError):
        round_from_hex(42, signature, randomness)


def test_the_effective_seed_is_sha256_of_the_seed_then_the_randomness():
    # docs/draw.md's beacon vector: the known-answer seed 00 01 … 1f and
    # quicknet round 123.
    seed = bytes(range(32))
    randomness = recorded_round(123).randomness

    assert effective_seed(seed, randomness).hex() == (
        "f9ad2d5ca501b43f7c7ad9e2f95389d8bdd19211203c861898e331c120439bb2"
    )
    assert effective_seed(seed, randomness) != effective_seed(randomness, seed)


# --- Fetching from a relay -------------------------------------------------------


@pytest.mark.django_db
def test_a_published_round_is_fetched_and_verified(beacon_server):
    fetched = round_fetch(123)

    assert fetched == recorded_round(123)
    assert beacon_server.requests == [f"/{QUICKNET.hash}/public/123"]


@pytest.mark.django_db
def test_a_round_not_yet_published_is_none(beacon_server):
    future = quicknet_round_at(
        datetime.datetime.now(tz=UTC) + datetime.timedelta(hours=1)
    )

    assert round_fetch(future) is None
    assert beacon_server.requests == [f"/{QUICKNET.hash}/public/{future}"]


@pytest.mark.django_db
def test_a_relay_answering_404_before_the_rounds_time_means_not_yet(beacon_server):
    beacon_server.mode = "not_found_early"
    future = quicknet_round_at(
        datetime.datetime.now(tz=UTC) + datetime.timedelta(minutes=5)
    )

    assert round_fetch(future) is None
    assert round_fetch(2**40) is None  # past the year 9999: not yet either


@pytest.mark.django_db
def test_a_past_round_the_relay_does_not_have_is_unavailable(beacon_server):
    with pytest.raises(EventsError) as refused:
        round_fetch(124)

    assert refused.value.code == "beacon_unavailable"
    assert refused.value.status == 503


@pytest.mark.django_db
def test_a_relay_that_refuses_the_connection_is_unavailable(settings):
    settings.MOIM_BEACON_URLS = [closed_port_url()]

    with pytest.raises(EventsError) as refused:
        round_fetch(123)

    assert refused.value.code == "beacon_unavailable"


@pytest.mark.django_db
def test_a_slow_relay_is_given_up_after_the_timeout(beacon_server, settings):
    beacon_server.mode = "slow"
    beacon_server.delay = 3.0
    settings.MOIM_BEACON_TIMEOUT = 0.5
    start = time.monotonic()

    with pytest.raises(EventsError) as refused:
        round_fetch(123)

    assert refused.value.code == "beacon_unavailable"
    assert time.monotonic() - start < 2.5


@pytest.mark.django_db
def test_a_relay_that_fails_is_unavailable(beacon_server):
    beacon_server.mode = "error"

    with pytest.raises(EventsError) as refused:
        round_fetch(123)

    assert refused.value.code == "beacon_unavailable"


@pytest.mark.django_db
def test_an_answer_that_is_not_json_is_refused(beacon_server):
    beacon_server.mode = "bad_json"

    with pytest.raises(EventsError) as refused:
        round_fetch(123)

    assert refused.value.code == "beacon_invalid"


@pytest.mark.django_db
def test_a_tampered_signature_from_the_relay_is_refused(beacon_server):
    beacon_server.mode = "tampered"

    with pytest.raises(EventsError) as refused:
        round_fetch(123)

    assert refused.value.code == "beacon_invalid"
    assert refused.value.status == 400


@pytest.mark.django_db
def test_another_round_than_the_one_asked_is_refused(beacon_server):
    beacon_server.mode = "wrong_round"

    with pytest.raises(EventsError) as refused:
        round_fetch(123)

    assert refused.value.code == "beacon_invalid"


@pytest.mark.django_db
def test_a_relay_serving_a_forged_round_is_refused(beacon_server):
    # A relay that signs with no key of quicknet's: round 42's signature
    # served as round 123, randomness made to match.
    signature = BY_ROUND[42].signature
    beacon_server.rounds[123] = {
        "round": 123,
        "signature": signature,
        "randomness": hashlib.sha256(bytes.fromhex(signature)).hexdigest(),
    }

    with pytest.raises(EventsError) as refused:
        round_fetch(123)

    assert refused.value.code == "beacon_invalid"


@pytest.mark.django_db
def test_the_next_relay_is_asked_when_one_cannot_be_reached(beacon_server, settings):
    settings.MOIM_BEACON_URLS = [closed_port_url(), beacon_server.base_url]

    assert round_fetch(657413) == recorded_round(657413)


@pytest.mark.django_db
def test_a_lying_relay_does_not_hide_an_honest_one(beacon_server, settings):
    liar, httpd = beacon_server_start()
    liar.mode = "tampered"
    try:
        settings.MOIM_BEACON_URLS = [liar.base_url, beacon_server.base_url]

        assert round_fetch(12040883) == recorded_round(12040883)
        assert liar.requests == [f"/{QUICKNET.hash}/public/12040883"]
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.mark.django_db
def test_without_a_relay_or_an_entered_round_the_beacon_is_unavailable():
    with pytest.raises(EventsError) as refused:
        round_fetch(123)

    assert refused.value.code == "beacon_unavailable"


@pytest.mark.django_db
@pytest.mark.parametrize("number", [0, -1, 2**63, "123", 1.5])
def test_a_round_number_out_of_range_is_a_keyed_error(number, beacon_server):
    with pytest.raises(EventsError) as refused:
        round_fetch(number)

    assert refused.value.code == "beacon_round_invalid"
    assert beacon_server.requests == []


def test_the_relays_are_read_from_the_settings_at_each_call(settings):
    settings.MOIM_BEACON_URLS = ["http://127.0.0.1:1/", " http://127.0.0.1:2 "]
    assert beacon.beacon_urls() == ["http://127.0.0.1:1", "http://127.0.0.1:2"]

    settings.MOIM_BEACON_URLS = []
    assert beacon.beacon_urls() == []
    assert not beacon.beacon_configured()


@pytest.mark.django_db
def test_a_relay_that_is_not_http_is_not_asked(settings, tmp_path):
    settings.MOIM_BEACON_URLS = [f"file://{tmp_path}"]

    with pytest.raises(EventsError) as refused:
        round_fetch(123)

    assert refused.value.code == "beacon_invalid"


# --- Our relay speaks drand's API -------------------------------------------------


def get(url: str) -> tuple[int, object]:
    import json
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_the_tests_relay_serves_the_chain_info_and_rounds(beacon_server):
    base = beacon_server.base_url

    assert get(f"{base}/info") == (200, QUICKNET.info())
    assert get(f"{base}/{QUICKNET.hash}/info") == (200, QUICKNET.info())
    assert get(f"{base}/chains") == (200, [QUICKNET.hash])
    status, latest = get(f"{base}/public/latest")
    assert status == 200 and latest["round"] == max(r.round for r in ROUNDS)
    assert get(f"{base}/{QUICKNET.hash}/public/latest") == (200, latest)
    assert get(f"{base}/{QUICKNET.hash}/public/42")[1]["signature"] == (
        BY_ROUND[42].signature
    )
    assert get(f"{base}/{'0' * 64}/public/42")[0] == 404
    assert get(f"{base}/{QUICKNET.hash}/public/{2**40}")[0] == 425


# --- A round entered by hand -------------------------------------------------------


@pytest.mark.django_db
def test_a_round_entered_by_hand_is_stored_once_it_verifies():
    staff = member_create(is_staff=True)
    real = recorded_round(123)

    record, created = beacon_round_enter(
        round=123, signature=real.signature, entered_by=staff
    )

    assert created
    assert (record.chain_hash, record.round) == (QUICKNET.hash, 123)
    assert record.randomness == BY_ROUND[123].randomness
    assert record.signature == BY_ROUND[123].signature
    assert record.entered_by == staff


@pytest.mark.django_db
def test_entering_the_same_round_again_keeps_one_row():
    real = recorded_round(42)
    first, _ = beacon_round_enter(round=42, signature=real.signature)

    again, created = beacon_round_enter(
        round=42, signature=real.signature, randomness=real.randomness
    )

    assert not created and again.pk == first.pk
    assert BeaconRoundRecord.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("number", "signature", "randomness"),
    [
        (123, tampered_hex(BY_ROUND[123].signature), None),
        (124, BY_ROUND[123].signature, None),
        (123, BY_ROUND[123].signature, BY_ROUND[42].randomness),
    ],
    ids=["tampered", "other round", "wrong randomness"],
)
def test_a_round_entered_by_hand_that_does_not_verify_is_not_stored(
    number, signature, randomness
):
    with pytest.raises(EventsError) as refused:
        beacon_round_enter(
            round=number,
            signature=bytes.fromhex(signature),
            randomness=bytes.fromhex(randomness) if randomness else None,
        )

    assert refused.value.code == "beacon_invalid"
    assert not BeaconRoundRecord.objects.exists()


@pytest.mark.django_db
def test_an_entered_round_is_used_before_any_relay_is_asked(beacon_server):
    beacon_round_enter(round=42, signature=recorded_round(42).signature)

    assert round_fetch(42) == recorded_round(42)
    assert beacon_server.requests == []


@pytest.mark.django_db
def test_an_entered_round_serves_without_any_relay():
    beacon_round_enter(round=12040883, signature=recorded_round(12040883).signature)

    assert round_fetch(12040883) == recorded_round(12040883)


@pytest.mark.django_db
def test_a_stored_round_edited_behind_the_apps_back_is_not_used(beacon_server):
    beacon_round_enter(round=123, signature=recorded_round(123).signature)
    forged = BY_ROUND[42].signature
    BeaconRoundRecord.objects.filter(round=123).update(
        signature=forged,
        randomness=hashlib.sha256(bytes.fromhex(forged)).hexdigest(),
    )

    # The relay is asked instead, and gives the real round.
    assert round_fetch(123) == recorded_round(123)
    assert beacon_server.requests == [f"/{QUICKNET.hash}/public/123"]


def run_enter(*args) -> str:
    out = io.StringIO()
    call_command("beacon_enter", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_the_command_stores_a_round_that_verifies():
    output = run_enter("657413", BY_ROUND[657413].signature.upper())

    assert output.strip() == (
        f"stored: quicknet round 657413, randomness {BY_ROUND[657413].randomness}"
    )
    assert run_enter("657413", BY_ROUND[657413].signature).startswith("already stored")
    assert BeaconRoundRecord.objects.get().round == 657413


@pytest.mark.django_db
def test_the_command_names_the_staff_member_who_entered_it():
    staff = member_create(is_staff=True, email="ops@moim.example.com")

    run_enter("42", BY_ROUND[42].signature, "--by", "OPS@moim.example.com")

    assert BeaconRoundRecord.objects.get().entered_by == staff


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["123", tampered_hex(BY_ROUND[123].signature)], "does not verify"),
        (["42", BY_ROUND[123].signature], "does not verify"),
        (["123", "xyz"], "96 hex"),
        (
            ["123", BY_ROUND[123].signature, "--randomness", BY_ROUND[42].randomness],
            "does not verify",
        ),
        (["0", BY_ROUND[123].signature], "whole number"),
        (["123", BY_ROUND[123].signature, "--by", "nobody@example.com"], "staff"),
    ],
    ids=["tampered", "other round", "not hex", "randomness", "round 0", "not staff"],
)
def test_the_command_refuses_what_does_not_verify(args, message):
    # The command speaks the site's language; the keyed texts, as translated.
    keyed = {
        "does not verify": EventsError("beacon_invalid").message,
        "whole number": EventsError("beacon_round_invalid").message,
    }
    with pytest.raises(CommandError, match=re.escape(keyed.get(message, message))):
        run_enter(*args)

    assert not BeaconRoundRecord.objects.exists()


# --- The specification ---------------------------------------------------------------


def test_docs_draw_md_states_the_pinned_chain_and_the_test_vectors():
    from pathlib import Path

    docs = Path(__file__).resolve().parents[2] / "docs" / "draw.md"
    section = docs.read_text().split("## The beacon: drand quicknet", 1)[1]

    for value in (
        QUICKNET.hash,
        QUICKNET.public_key.hex(),
        str(QUICKNET.genesis),
        QUICKNET.group_hash,
        QUICKNET.scheme,
        beacon.DST.decode(),
        round_message(123).hex(),
        effective_seed(bytes(range(32)), recorded_round(123).randomness).hex(),
    ):
        assert value in section, value
    for recorded in ROUNDS:
        row = next(
            line
            for line in section.splitlines()
            if line.startswith(f"| {recorded.round} |")
        )
        assert recorded.signature in row and recorded.randomness in row
        assert str(quicknet_round_time(recorded.round))[:19] in row
