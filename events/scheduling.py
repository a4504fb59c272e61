"""Queue time-driven jobs for when they fall due. Every job is idempotent and
pages apply due transitions on access too, so a job that runs late, twice or
never delays nothing a member sees."""

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from django.tasks import default_task_backend
from django.utils import timezone

logger = logging.getLogger(__name__)


def schedule(task, when: datetime, **kwargs) -> None:
    """Enqueue ``task`` to run at ``when`` where the backend can defer; a
    backend that runs tasks at once (tests) would run it too early, so there
    the on-access path is the only one."""
    if default_task_backend.supports_defer:
        task.using(run_after=when).enqueue(**kwargs)


def schedule_once(task, when: datetime) -> bool:
    """Queue a recurring ``task`` for ``when`` unless a run of it is waiting
    already (every ``*_plan`` of a recurring job: the consents review, the
    digests, the follow-ups, the announcements sweep). Nothing on a backend
    that cannot defer. Returns whether it queued one."""
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


def recurring_run(
    task, *, job: Callable[[], object], plan: Callable[..., bool], every: timedelta
) -> None:
    """The body of a recurring ``task``: run ``job``, then queue the next run
    with ``plan`` (its ``*_plan``) for ``every`` later whatever happened. A
    job that raises is logged with its traceback and the exception goes on
    (the backend records the run as failed), but the next run is queued
    still, so one failure never ends the chain."""
    try:
        job()
    except Exception:
        logger.exception("%s failed; its next run is queued", task.module_path)
        raise
    finally:
        plan(when=timezone.now() + every)
