"""Mail goes through the database task queue and a worker delivers it."""

import pytest
from django.core import mail
from django.core.management import call_command
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from community.mail import mail_member


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }


def send_work_email_mail(member):
    mail_member(
        to="jimin@acme.co.kr",
        language="en",
        template="community/email/work_email_confirm",
        context={"member": member, "confirm_url": "http://testserver/x/", "days": 3},
    )


# The worker closes "old" connections between tasks, which inside a test's
# wrapping transaction would break it: this test commits for real.
@pytest.mark.django_db(transaction=True)
def test_a_mail_is_queued_as_a_task_row_and_not_sent_at_once(database_queue, member):
    send_work_email_mail(member)

    assert DBTaskResult.objects.count() == 1
    assert DBTaskResult.objects.get().task_path == "community.tasks.email_send"
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_running_the_worker_once_delivers_the_queued_mail(database_queue, member):
    send_work_email_mail(member)

    call_command("db_worker", "--batch", "--interval", "0", verbosity=0)

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["jimin@acme.co.kr"]
    assert "http://testserver/x/" in mail.outbox[0].body
    assert DBTaskResult.objects.get().status == TaskResultStatus.SUCCESSFUL
