"""Queue time-driven jobs for when they fall due. Every job is idempotent and
pages apply due transitions on access too, so a job that runs late, twice or
never delays nothing a member sees."""

from datetime import datetime

from django.tasks import default_task_backend


def schedule(task, when: datetime, **kwargs) -> None:
    """Enqueue ``task`` to run at ``when`` where the backend can defer; a
    backend that runs tasks at once (tests) would run it too early, so there
    the on-access path is the only one."""
    if default_task_backend.supports_defer:
        task.using(run_after=when).enqueue(**kwargs)


def schedule_once(task, when: datetime) -> bool:
    """Queue a recurring ``task`` for ``when`` unless a run of it is waiting
    already (the pattern of community.services.consents.consents_review_plan).
    Nothing on a backend that cannot defer. Returns whether it queued one."""
    if not default_task_backend.supports_defer:
        return False
    from django.tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.filter(
        task_path=task.module_path, status=TaskResultStatus.READY
    ).exists()
    if waiting:
        return False
    task.using(run_after=when).enqueue()
    return True
