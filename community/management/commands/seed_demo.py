from django.core.management.base import BaseCommand

from community.demo import DEMO_DOMAIN, DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Load Korean demo data (communities, members). Safe to run again."

    def handle(self, *args, **options):
        counts = seed_demo()
        self.stdout.write(
            self.style.SUCCESS(
                "Demo data: {communities} communities, {members} members. "
                "Sign in as member01@{domain} with the password {password}.".format(
                    **counts, domain=DEMO_DOMAIN, password=DEMO_PASSWORD
                )
            )
        )
