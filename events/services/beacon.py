"""A beacon round entered by hand: where the server cannot reach drand, a
staff member copies the round's signature from any drand relay or client
(``manage.py beacon_enter``), and the signature check decides whether it is
stored (docs/draw.md, "The beacon")."""

from django.db import IntegrityError, transaction

from community.models import Member
from events.beacon import QUICKNET, BeaconRound, round_randomness, round_verify
from events.errors import EventsError
from events.models import BeaconRoundRecord


def beacon_round_enter(
    *,
    round: int,
    signature: bytes,
    randomness: bytes | None = None,
    entered_by: Member | None = None,
) -> tuple[BeaconRoundRecord, bool]:
    """Store quicknet's round ``round`` as entered by hand, once its
    signature verifies against the chain's pinned public key; returns the
    row and whether it is new. ``randomness``, when given, must be SHA-256
    of the signature, as drand publishes it.

    Entering the same round again returns the stored row: a BLS signature of
    one message under one key is unique, so a second valid entry is the same
    round. Raises ``EventsError("beacon_invalid")`` (nothing stored) when
    the round does not verify. Runs in its own transaction."""
    if isinstance(round, bool) or not isinstance(round, int) or round < 1:
        raise EventsError("beacon_round_invalid")
    if randomness is None:
        randomness = round_randomness(signature)
    beacon = BeaconRound(round=round, randomness=randomness, signature=signature)
    if not round_verify(beacon):
        raise EventsError("beacon_invalid")
    fields = {
        "randomness": beacon.randomness.hex(),
        "signature": beacon.signature.hex(),
        "entered_by": entered_by,
    }
    try:
        with transaction.atomic():
            return BeaconRoundRecord.objects.get_or_create(
                chain_hash=QUICKNET.hash, round=round, defaults=fields
            )
    except IntegrityError:
        # Another entry of the same round won the race.
        return BeaconRoundRecord.objects.get(
            chain_hash=QUICKNET.hash, round=round
        ), False
