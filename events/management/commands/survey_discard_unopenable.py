"""``manage.py survey_discard_unopenable <survey id>``: the way out when the
``SECRET_KEY`` that sealed a survey's responses is truly lost.

Such responses open under no key of the site, so the survey cannot close and
``events.E001`` stops ``manage.py migrate`` (docs/anonymity.md, "Rotating the
secret"). If the old key still exists anywhere, put it in
``SECRET_KEY_FALLBACKS`` instead: nothing is lost. This command deletes, for
good, only the responses that no key opens, then lets the survey close with
the others, under the below-k rule.
"""

from django.core.management.base import BaseCommand, CommandError

from events.models import Survey
from events.services.lifecycle import gathering_advance
from events.services.sealing import sealed_unopenable_count
from events.services.surveys import survey_unopenable_discard


class Command(BaseCommand):
    help = (
        "Delete a survey's sealed responses that neither SECRET_KEY nor "
        "SECRET_KEY_FALLBACKS opens (the old key is lost), then let the survey "
        "close with the rest. Irreversible: if the old key exists, put it in "
        "SECRET_KEY_FALLBACKS instead."
    )

    def add_arguments(self, parser):
        parser.add_argument("survey", type=int, help="the survey's id (events.E001)")
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="do not ask for confirmation",
        )

    def handle(self, *args, survey, interactive=True, **options):
        try:
            found = Survey.objects.get(pk=survey)
        except Survey.DoesNotExist:
            raise CommandError(f"There is no survey {survey}.") from None
        count = sealed_unopenable_count(found)
        if not count:
            self.stdout.write(
                f"Survey {survey}: every sealed response opens; nothing to delete."
            )
            return
        if interactive:
            answer = input(
                f"Survey {survey}: {count} sealed responses open under no key "
                "and will be deleted for good. If the previous SECRET_KEY still "
                "exists, answer no and put it in SECRET_KEY_FALLBACKS instead. "
                "Type 'yes' to delete: "
            )
            if answer.strip().lower() != "yes":
                raise CommandError("Nothing deleted.")
        deleted = survey_unopenable_discard(survey_id=survey)
        gathering = gathering_advance(gathering_id=found.gathering_id)
        self.stdout.write(
            f"Survey {survey}: {deleted} sealed responses that no key opens "
            f"were deleted; the gathering is now '{gathering.status}'."
        )
