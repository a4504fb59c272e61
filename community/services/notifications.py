"""In-app notifications, and their emails in each recipient's language."""

from django.db import transaction
from django.utils import timezone

from community.mail import mail_member
from community.models import Comment, Member, Notification, NotificationKind, Thread
from realtime.broadcast import unread_counts_push

# Kinds that may also go out by email, and the member setting that allows it.
EMAIL_SETTING = {
    NotificationKind.REPLY: "email_on_reply",
    NotificationKind.MENTION: "email_on_mention",
}


def notify(
    *,
    recipients: list[Member],
    kind: str,
    actor: Member | None = None,
    thread: Thread | None = None,
    comment: Comment | None = None,
    sentence: dict | None = None,
) -> list[Notification]:
    """Notify each recipient once (duplicates and the actor are dropped) and
    queue the emails they asked for. ``sentence`` (community.facts.fact), for
    a kind whose words the row's columns do not tell, is said in each
    reader's language when read. Call inside the transaction that made the
    change, so a rolled-back change notifies nobody."""
    unique: dict[int, Member] = {}
    for member in recipients:
        if member.is_active and (actor is None or member.pk != actor.pk):
            unique.setdefault(member.pk, member)
    if not unique:
        return []
    created = Notification.objects.bulk_create(
        [
            Notification(
                recipient=member,
                kind=kind,
                actor=actor,
                thread=thread,
                comment=comment,
                message=sentence["message"] if sentence else "",
                params=sentence["params"] if sentence else {},
            )
            for member in unique.values()
        ]
    )
    unread_counts_push(member_ids=unique)
    setting = EMAIL_SETTING.get(kind)
    if setting:
        for notification in created:
            member = notification.recipient
            if getattr(member, setting):
                mail_member(
                    to=member.email,
                    language=member.language,
                    template=f"community/email/notification_{kind}",
                    context={"notification": notification, "member": member},
                )
    return created


def notification_mark_read(*, member: Member, notification_id: int) -> None:
    Notification.objects.filter(
        pk=notification_id, recipient=member, read_at__isnull=True
    ).update(read_at=timezone.now())
    # The member's other open pages show the new count too.
    unread_counts_push(member_ids=[member.pk])


@transaction.atomic
def notifications_mark_all_read(*, member: Member) -> int:
    marked = Notification.objects.filter(recipient=member, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    unread_counts_push(member_ids=[member.pk])
    return marked
