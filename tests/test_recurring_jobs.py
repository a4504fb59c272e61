"""The recurring jobs (consents review, digests, follow-ups, the sweep of
gathering announcements) each queue their next run: a run that fails is
logged and still queues the next, so one failure never ends the chain."""

import importlib

import pytest
from django.tasks.base import TaskResultStatus
from django.utils import timezone

pytestmark = pytest.mark.django_db

JOBS = [
    (
        "community.services.consents",
        "consents_review_task",
        "consents_marketing_review",
        "CONSENT_REVIEW_EVERY",
    ),
    ("community.services.digest", "digests_send_task", "digests_send_due", "RUN_EVERY"),
    ("events.services.followups", "followups_task", "followups_run", "FOLLOWUP_EVERY"),
    (
        "events.services.announcements",
        "announcements_sweep_task",
        "announcements_send_due",
        "SWEEP_EVERY",
    ),
]


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }


@pytest.mark.parametrize(("module", "task", "job", "every"), JOBS)
def test_a_recurring_job_that_fails_is_logged_and_still_queues_its_next_run(
    database_queue, monkeypatch, caplog, module, task, job, every
):
    from django_tasks_db.models import DBTaskResult

    jobs = importlib.import_module(module)

    def breaks(**kwargs):
        raise RuntimeError("the mail server went away")

    monkeypatch.setattr(jobs, job, breaks)
    before = timezone.now()

    with pytest.raises(RuntimeError):
        getattr(jobs, task).call()

    (queued,) = DBTaskResult.objects.filter(
        task_path=f"{module}.{task}", status=TaskResultStatus.READY
    )
    assert queued.run_after >= before + getattr(jobs, every)
    failed = [r for r in caplog.records if r.exc_info and task in r.getMessage()]
    assert failed and "the mail server went away" in str(failed[0].exc_info[1])
