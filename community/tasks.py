"""Background jobs of the community app: thin wrappers around services."""

from datetime import datetime, timedelta

from django.core.mail import EmailMultiAlternatives
from django.tasks import default_task_backend, task
from django.tasks.base import TaskResultStatus
from django.utils import timezone

# How often consents to email news are reviewed (reminders, lapses).
CONSENT_REVIEW_EVERY = timedelta(days=1)


@task()
def email_send(
    *, to: list[str], subject: str, body: str, html: str = "", from_email: str = ""
) -> None:
    """Send one rendered email. Safe to run twice: at worst a duplicate mail,
    never a lost one (the row stays queued until a worker has sent it)."""
    message = EmailMultiAlternatives(
        subject=subject, body=body, from_email=from_email or None, to=to
    )
    if html:
        message.attach_alternative(html, "text/html")
    message.send()


@task()
def consents_review_task() -> None:
    """The daily review of consents to email news (a reminder before two
    years, a lapse after), then the next day's review queued. Idempotent."""
    from community.services.consents import consents_marketing_review

    consents_marketing_review()
    consents_review_plan(when=timezone.now() + CONSENT_REVIEW_EVERY)


def consents_review_plan(*, when: datetime | None = None) -> bool:
    """Queue the review for ``when`` (now) unless one is queued and has not
    run yet. ``manage.py db_worker`` calls it when it starts and every review
    queues the next, so the review recurs daily while a worker runs, and one
    missed while none ran happens when a worker starts again; two workers
    starting at once may queue two, and the next runs queue one again.
    Nothing on a backend that cannot defer (tests run tasks at once);
    ``manage.py consents_review`` runs a review by hand or from cron.
    Returns whether it queued one."""
    if not default_task_backend.supports_defer:
        return False
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.filter(
        task_path=consents_review_task.module_path, status=TaskResultStatus.READY
    ).exists()
    if waiting:
        return False
    consents_review_task.using(run_after=when or timezone.now()).enqueue()
    return True


@task()
def data_export_build_task(*, export_id: int) -> None:
    from community.services.personal_data import data_export_build

    data_export_build(export_id=export_id)


@task()
def data_export_expire_task(*, export_id: int) -> None:
    from community.services.personal_data import data_export_expire

    data_export_expire(export_id=export_id)
