"""Who may answer a survey, fixed when it opens (issue 13, defect 14).

Surveys opened before this migration get their invitations from attendance
as it stands now (a confirmed seat not recorded as a no-show), organisers
(the gathering's hosts, the community's moderators and owners, staff) left
out, as ``events.services.surveys.survey_open`` does from now on.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def invite_attendees_of_opened_surveys(apps, schema_editor):
    Survey = apps.get_model("events", "Survey")
    Application = apps.get_model("events", "Application")
    Membership = apps.get_model("community", "Membership")
    SurveyInvitation = apps.get_model("events", "SurveyInvitation")
    Member = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    staff = set(Member.objects.filter(is_staff=True).values_list("pk", flat=True))
    for survey in Survey.objects.filter(opens_at__isnull=False).select_related(
        "gathering"
    ):
        gathering = survey.gathering
        organisers = staff | set(gathering.hosts.values_list("pk", flat=True))
        organisers |= set(
            Membership.objects.filter(
                community_id=gathering.community_id, role__in=["moderator", "owner"]
            ).values_list("member_id", flat=True)
        )
        attendees = (
            Application.objects.filter(gathering=gathering, status="confirmed")
            .exclude(attended=False)
            .values_list("member_id", flat=True)
        )
        SurveyInvitation.objects.bulk_create(
            [
                SurveyInvitation(survey=survey, member_id=member_id)
                for member_id in attendees
                if member_id not in organisers
            ],
            ignore_conflicts=True,
        )


class Migration(migrations.Migration):

    dependencies = [
        ('events', '0005_survey_lock_trigger'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='SurveyInvitation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('member', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('survey', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='invitations', to='events.survey')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('survey', 'member'), name='survey_one_invitation_per_member')],
            },
        ),
        migrations.RunPython(
            invite_attendees_of_opened_surveys, migrations.RunPython.noop
        ),
    ]
