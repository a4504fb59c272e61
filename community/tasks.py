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


@task()
def push_deliver(
    *,
    subscription_id: int,
    member_id: int,
    data: str,
    urgency: str,
    ttl: int,
    topic: str,
    attempt: int = 1,
) -> str:
    """One push to one device (community.services.push_delivery): a
    failure the push service may get over queues the next attempt as a new
    task for later, never retried in place."""
    from community.services.push_delivery import deliver, retry_at

    arguments = {
        "subscription_id": subscription_id,
        "member_id": member_id,
        "data": data,
        "urgency": urgency,
        "ttl": ttl,
        "topic": topic,
    }
    outcome = deliver(**arguments, attempt=attempt)
    if outcome == "retry":
        push_deliver.using(run_after=retry_at(attempt)).enqueue(
            **arguments, attempt=attempt + 1
        )
    return outcome
