"""Mail goes through the database task queue and a worker delivers it."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from community.mail import mail_member
from community.management.commands import db_worker


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
    # Beside the worker's own daily review of consents (community.tasks).
    sent = DBTaskResult.objects.get(task_path="community.tasks.email_send")
    assert sent.status == TaskResultStatus.SUCCESSFUL


@pytest.mark.django_db(transaction=True)
def test_the_worker_reviews_consents_when_it_starts_and_queues_the_next_day(
    database_queue,
):
    call_command("db_worker", "--batch", "--interval", "0", verbosity=0)

    reviews = DBTaskResult.objects.filter(
        task_path="community.services.consents.consents_review_task"
    ).order_by("run_after")
    assert [r.status for r in reviews] == [
        TaskResultStatus.SUCCESSFUL,
        TaskResultStatus.READY,
    ]
    assert reviews[1].run_after - reviews[0].run_after >= timedelta(hours=23)


# --- A worker that died mid-task -------------------------------------------------


def _left_running(started_ago: timedelta) -> DBTaskResult:
    """A queued mail that a worker took and then died on (SIGKILL): RUNNING,
    never finished."""
    row = DBTaskResult.objects.get()
    row.claim("a-worker-that-died")
    DBTaskResult.objects.filter(pk=row.pk).update(
        started_at=timezone.now() - started_ago
    )
    return row


@pytest.mark.django_db(transaction=True)
def test_a_task_a_dead_worker_left_running_is_run_by_the_next_worker(
    database_queue, member
):
    send_work_email_mail(member)
    row = _left_running(db_worker.STALE_AFTER + timedelta(minutes=1))

    call_command("db_worker", "--batch", "--interval", "0", verbosity=0)

    row.refresh_from_db()
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert row.worker_ids[0] == "a-worker-that-died"
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_a_task_running_for_less_than_the_stale_time_is_left_to_its_worker(
    database_queue, member
):
    send_work_email_mail(member)
    row = _left_running(timedelta(minutes=1))

    call_command("db_worker", "--batch", "--interval", "0", verbosity=0)

    row.refresh_from_db()
    assert row.status == TaskResultStatus.RUNNING
    assert mail.outbox == []
