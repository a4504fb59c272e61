"""Below k, keep nothing the results pages hide (issue 13, defect 16).

Surveys that closed below k before this migration kept their answers in the
clear and their average: the answers are deleted and the average cleared,
leaving the count, as ``events.services.surveys.survey_close`` does from now
on. (The lock trigger of 0005 does not guard ``satisfaction_average``.)
"""

from django.db import migrations
from django.db.models import F


def discard_below_k(apps, schema_editor):
    Survey = apps.get_model("events", "Survey")
    SurveyResponse = apps.get_model("events", "SurveyResponse")
    below_k = Survey.objects.filter(
        response_count__isnull=False, response_count__lt=F("min_responses")
    )
    SurveyResponse.objects.filter(survey__in=below_k).delete()
    below_k.update(satisfaction_average=None)


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0006_survey_invitations"),
    ]

    operations = [
        migrations.RunPython(discard_below_k, migrations.RunPython.noop),
    ]
