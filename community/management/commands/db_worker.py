"""``manage.py db_worker``: django_tasks_db's worker, which also gives back
the tasks of a worker that died.

A worker marks a task RUNNING when it takes it and SUCCESSFUL or FAILED when
it is done; a worker killed in between (SIGKILL, out of memory, a lost
machine) leaves the task RUNNING for ever, and no worker takes it again
(django-tasks issue #46). Every worker therefore puts back to READY, when it
starts and then every minute, the tasks that have been RUNNING for longer
than any of Moim's tasks takes (``STALE_AFTER``): a queued mail or a step of
a gathering's lifecycle then runs after all, once more at worst, which every
task of Moim is written to allow (docs/deploy.md, "Background tasks").

It also queues the recurring jobs, each unless one is queued already: the
daily review of consents to email news
(community.services.consents.consents_review_plan), the hourly follow-up
run (events.services.followups.followups_plan), the hourly digest run
(community.services.digest.digests_plan) and the sweep of gathering
announcements whose queued job was lost
(events.services.announcements.announcements_sweep_plan).

This command takes the place of django_tasks_db's own because ``community``
comes before ``django_tasks_db`` in INSTALLED_APPS.
"""

import logging
import threading
from datetime import timedelta

from django.db import OperationalError, close_old_connections
from django.tasks.base import TaskResultStatus
from django.utils import timezone
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from community.services.consents import consents_review_plan
from community.services.digest import digests_plan
from events.services.announcements import announcements_sweep_plan
from events.services.followups import followups_plan

logger = logging.getLogger("django_tasks_db")

# Moim's tasks send one mail (SMTP time-out 10 s) or advance one gathering.
STALE_AFTER = timedelta(minutes=10)
RECLAIM_EVERY = 60  # seconds


def tasks_reclaim(*, stale_after: timedelta = STALE_AFTER) -> int:
    """Put the tasks RUNNING for longer than ``stale_after`` back to READY;
    returns how many."""
    count = DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING,
        started_at__lt=timezone.now() - stale_after,
    ).update(status=TaskResultStatus.READY, started_at=None)
    if count:
        logger.warning(
            "%d task(s) left running by a stopped worker queued again", count
        )
    return count


def _reclaim_periodically(stop: threading.Event) -> None:
    while not stop.wait(RECLAIM_EVERY):
        try:
            tasks_reclaim()
        except OperationalError:  # a locked SQLite file: next round
            logger.warning("could not reclaim stale tasks", exc_info=True)
        finally:
            close_old_connections()


class Command(db_worker.Command):
    help = (
        "Run the database task queue's worker; tasks left running by a worker "
        "that died are queued again."
    )

    def handle(self, *args, **options):
        tasks_reclaim()
        consents_review_plan()
        followups_plan()
        digests_plan()
        announcements_sweep_plan()
        close_old_connections()
        stop = threading.Event()
        reclaimer = threading.Thread(
            target=_reclaim_periodically, args=(stop,), daemon=True
        )
        reclaimer.start()
        try:
            return super().handle(*args, **options)
        finally:
            stop.set()
