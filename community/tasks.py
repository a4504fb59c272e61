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
