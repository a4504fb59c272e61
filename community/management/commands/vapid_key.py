"""``manage.py vapid_key``: print a new web push (VAPID) key pair, to set as
``MOIM_VAPID_PRIVATE_KEY`` and ``MOIM_VAPID_PUBLIC_KEY`` (docs/deploy.md,
"Web push"). Nothing is stored: the key exists only in what this prints."""

from django.core.management.base import BaseCommand

from community.push import key_generate


class Command(BaseCommand):
    help = "Print a new VAPID key pair for MOIM_VAPID_PRIVATE_KEY/PUBLIC_KEY."

    def handle(self, *args, **options):
        private, public = key_generate()
        self.stdout.write(f"MOIM_VAPID_PRIVATE_KEY={private}")
        self.stdout.write(f"MOIM_VAPID_PUBLIC_KEY={public}")
