"""``manage.py consents_review``: the two-yearly re-confirmation of consents
to email news, run once now: mail the members whose consent is about to
lapse, lapse the ones not confirmed in time. The task worker runs it every
day (community.services.consents.consents_review_task); this is for a cron job or by
hand. Safe to run any number of times."""

from django.core.management.base import BaseCommand

from community.services.consents import consents_marketing_review


class Command(BaseCommand):
    help = (
        "Ask members whose consent to email news is nearly two years old to "
        "confirm it, and lapse the ones not confirmed in time."
    )

    def handle(self, *args, **options):
        reminded, lapsed = consents_marketing_review()
        self.stdout.write(
            f"Consents to email news: {reminded} member(s) asked to confirm, "
            f"{lapsed} lapsed."
        )
