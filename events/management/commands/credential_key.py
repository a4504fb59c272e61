"""``manage.py credential_key <kid>``: print a new Ed25519 private key as a
JWK, to append to ``MOIM_CREDENTIAL_KEYS`` (docs/path.md, "Keys"). Nothing
is stored: the key exists only in what this prints."""

import json

from django.core.management.base import BaseCommand, CommandError

from events.credentials import key_generate


class Command(BaseCommand):
    help = "Print a new Ed25519 signing key (JWK) for MOIM_CREDENTIAL_KEYS."

    def add_arguments(self, parser):
        parser.add_argument("kid", help="the key's id, e.g. the month: 2026-12")

    def handle(self, *args, **options):
        kid = options["kid"].strip()
        if not kid or len(kid) > 64 or not kid.isprintable():
            raise CommandError("A kid has 1 to 64 printable characters.")
        self.stdout.write(json.dumps(key_generate(kid)))
