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
