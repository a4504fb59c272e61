"""The check-in codes (events.checkin_tokens): an attendee's signed pass,
its short code and the venue code. Pure functions: no database."""

from django.core import signing

from events import checkin_tokens as tokens
from events.models import SelfCheckin


def test_a_pass_names_its_gathering_and_application():
    value = tokens.attendee_pass(gathering_id=12, public_id="a1b2c3d4e5")
    assert tokens.attendee_pass_read(value) == (12, "a1b2c3d4e5")


def test_a_pass_shows_only_the_two_public_ids_and_a_signature():
    value = tokens.attendee_pass(gathering_id=12, public_id="a1b2c3d4e5")
    payload, _, signature = value.rpartition(":")
    assert payload == "12.a1b2c3d4e5"
    assert len(signature) >= 40


def test_a_tampered_pass_is_refused():
    value = tokens.attendee_pass(gathering_id=12, public_id="a1b2c3d4e5")
    assert tokens.attendee_pass_read(value.replace("12.", "13.", 1)) is None
    assert tokens.attendee_pass_read(value.replace("a1b2", "a1b3", 1)) is None
    last = value[-1]
    assert tokens.attendee_pass_read(value[:-1] + ("A" if last != "A" else "B")) is None
    assert tokens.attendee_pass_read(value[:-5]) is None
    assert tokens.attendee_pass_read("") is None


def test_a_value_signed_for_another_purpose_is_refused():
    for salt in ("moim.checkin.venue", "", "django.core.signing"):
        other = signing.Signer(salt=salt).sign("12.a1b2c3d4e5")
        assert tokens.attendee_pass_read(other) is None
    # A timestamped value of the same salt is not a pass either.
    stamped = signing.TimestampSigner(salt=tokens.PASS_SALT).sign("12.a1b2c3d4e5")
    assert tokens.attendee_pass_read(stamped) is None


def test_a_signed_value_that_names_no_gathering_is_refused():
    signer = signing.Signer(salt=tokens.PASS_SALT)
    for payload in ("x.a1b2", "12.", "12", "-1.a1b2"):
        assert tokens.attendee_pass_read(signer.sign(payload)) is None


def test_short_codes_are_six_unambiguous_characters_per_gathering():
    code = tokens.attendee_code(gathering_id=12, public_id="a1b2c3d4e5")
    assert len(code) == 6 and set(code) <= set(tokens.ALPHABET)
    assert not set("01IOL") & set(tokens.ALPHABET)
    assert code == tokens.attendee_code(gathering_id=12, public_id="a1b2c3d4e5")
    assert code != tokens.attendee_code(gathering_id=13, public_id="a1b2c3d4e5")


def test_typed_codes_ignore_case_spaces_and_dashes_but_not_lookalikes():
    assert tokens.code_normalise(" hg-fq a2 ") == "HGFQA2"
    assert tokens.looks_like_code("hgf qa2")
    # 0, 1 and L are outside the alphabet: they match no code, never another.
    assert not tokens.looks_like_code("HGFQA0")
    assert not tokens.looks_like_code("HGFQA1")
    assert not tokens.looks_like_code("HGFQAL")
    assert not tokens.looks_like_code("HGFQA")


def test_a_new_nonce_is_a_new_venue_code():
    venue = SelfCheckin(gathering_id=12, nonce="a" * 32)
    code = tokens.venue_code(venue)
    assert tokens.venue_code_matches(venue, code.lower())
    venue.nonce = "b" * 32
    assert not tokens.venue_code_matches(venue, code)
    assert tokens.venue_code(SelfCheckin(gathering_id=13, nonce="a" * 32)) != code
