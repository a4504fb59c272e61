"""``manage.py beacon_enter <round> <signature>``: enter a drand quicknet
round by hand, for a server that cannot reach drand.

Copy the round's signature (96 hex characters) from any drand relay, e.g.
``<relay>/52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971/public/<round>``,
or from drand's own client. The command checks the signature against
quicknet's pinned public key and stores the round only if it verifies; the
draw then uses it as if a relay had answered (docs/draw.md, "The beacon").
"""

from django.core.management.base import BaseCommand, CommandError

from community.models import Member
from events.beacon import round_from_hex
from events.errors import EventsError
from events.services.beacon import beacon_round_enter


class Command(BaseCommand):
    help = (
        "Enter a drand quicknet round by hand (its signature as published); "
        "stored only if the signature verifies against quicknet's public key."
    )

    def add_arguments(self, parser):
        parser.add_argument("round", type=int, help="the quicknet round number")
        parser.add_argument("signature", help="the round's signature, 96 hex digits")
        parser.add_argument(
            "--randomness",
            help="the round's randomness as published (64 hex digits), checked "
            "against the signature",
        )
        parser.add_argument(
            "--by", help="the email of the staff member entering it, for the record"
        )

    def handle(self, *args, round, signature, randomness=None, by=None, **options):
        try:
            beacon = round_from_hex(
                round,
                signature.strip().lower(),
                randomness.strip().lower() if randomness else None,
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        entered_by = None
        if by:
            entered_by = Member.objects.filter(email__iexact=by, is_staff=True).first()
            if entered_by is None:
                raise CommandError(f"No staff member has the email {by!r}.")
        try:
            record, created = beacon_round_enter(
                round=beacon.round,
                signature=beacon.signature,
                randomness=beacon.randomness,
                entered_by=entered_by,
            )
        except EventsError as error:
            raise CommandError(error.message) from error
        self.stdout.write(
            f"{'stored' if created else 'already stored'}: quicknet round "
            f"{record.round}, randomness {record.randomness}"
        )
