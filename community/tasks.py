"""Background jobs of the community app: thin wrappers around services."""

from django.core.mail import EmailMultiAlternatives
from django.tasks import task


@task()
def email_send(
    *,
    to: list[str],
    subject: str,
    body: str,
    html: str = "",
    from_email: str = "",
    headers: dict[str, str] | None = None,
) -> None:
    """Send one rendered email. Safe to run twice: at worst a duplicate mail,
    never a lost one (the row stays queued until a worker has sent it).
    ``headers``: e.g. List-Unsubscribe (community.preferences)."""
    message = EmailMultiAlternatives(
        subject=subject,
        body=body,
        from_email=from_email or None,
        to=to,
        headers=headers or None,
    )
    if html:
        message.attach_alternative(html, "text/html")
    message.send()
