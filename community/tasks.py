"""Background jobs of the community app: thin wrappers around services."""

from django.core.mail import EmailMultiAlternatives
from django.tasks import task


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
def data_export_build_task(*, export_id: int) -> None:
    from community.services.personal_data import data_export_build

    data_export_build(export_id=export_id)


@task()
def data_export_expire_task(*, export_id: int) -> None:
    from community.services.personal_data import data_export_expire

    data_export_expire(export_id=export_id)
