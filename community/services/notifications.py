"""In-app notifications, and their emails in each recipient's language."""

from collections.abc import Iterable

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from community.display import display_name
from community.follows import told_among, watchers_of
from community.mail import mail_member
from community.models import (
    Comment,
    Member,
    Notification,
    NotificationChannel,
    NotificationKind,
    NotificationTopic,
    Thread,
)
from community.preferences import unsubscribe_headers, wanting
from community.services.push import push_queue
from realtime.broadcast import unread_counts_push

# Notification kinds a member may switch off, and their topic on the
# settings page; the other kinds (moderation decisions) always arrive.
TOPIC_OF = {
    NotificationKind.REPLY: NotificationTopic.REPLY,
    NotificationKind.MENTION: NotificationTopic.MENTION,
    NotificationKind.HELPFUL: NotificationTopic.HELPFUL,
    NotificationKind.POST: NotificationTopic.WATCHED_POST,
}
# Kinds about a post in a thread: only members who may read the thread's
# community (not banned from it; a member of a members-only one) and did not
# mute the thread (or its board or community, community.follows) hear them,
# on every channel. (New posts go to watchers_of, which leaves the others
# out already.)
MUTABLE = {NotificationKind.REPLY, NotificationKind.MENTION, NotificationKind.HELPFUL}


def notify(
    *,
    recipients: list[Member],
    kind: str,
    actor: Member | None = None,
    thread: Thread | None = None,
    comment: Comment | None = None,
    sentence: dict | None = None,
) -> list[Notification]:
    """Notify each recipient once (duplicates and the actor are dropped) on
    the channels they want (community.preferences) and queue the emails.
    ``sentence`` (community.facts.fact), for a kind whose words the row's
    columns do not tell, is said in each reader's language when read. Call
    inside the transaction that made the change, so a rolled-back change
    notifies nobody. Returns the notifications stored."""
    unique: dict[int, Member] = {}
    for member in recipients:
        if member.is_active and (actor is None or member.pk != actor.pk):
            unique.setdefault(member.pk, member)
    if thread is not None and kind in MUTABLE:
        told = told_among(thread, unique)
        unique = {pk: m for pk, m in unique.items() if pk in told}
    if not unique:
        return []
    topic = TOPIC_OF.get(kind)
    if topic is None:
        in_app, by_mail = set(unique), set()
    else:
        in_app = wanting(unique.values(), topic, NotificationChannel.IN_APP)
        by_mail = wanting(unique.values(), topic, NotificationChannel.EMAIL)
    notifications = [
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
    created = Notification.objects.bulk_create(
        [n for n in notifications if n.recipient_id in in_app]
    )
    if created:
        unread_counts_push(member_ids=[n.recipient_id for n in created])
    for notification in notifications:
        member = notification.recipient
        if member.pk in by_mail:
            mail_member(
                to=member.email,
                language=member.language,
                template=f"community/email/notification_{kind}",
                context={"notification": notification, "member": member},
                unsubscribe=unsubscribe_headers(member, topic),
            )
    if kind in PUSH_TEXTS and thread is not None:
        _push(list(unique.values()), kind, topic, actor, thread, comment)
    return created


def notify_watchers(
    *,
    thread: Thread,
    actor: Member,
    comment: Comment | None = None,
    told: Iterable[Member] = (),
) -> list[Notification]:
    """Tell the watchers of ``thread`` (community.follows) of its new
    ``comment``, or of the new thread itself: one query for who they are,
    then ``notify``'s. Those ``told`` of this post already (a reply or a
    mention) are not told twice."""
    already = {m.pk for m in told}
    watchers = [m for m in watchers_of(thread) if m.pk not in already]
    return notify(
        recipients=watchers,
        kind=NotificationKind.POST,
        actor=actor,
        thread=thread,
        comment=comment,
    )


# Replies and mentions also reach the member's devices (community.push):
# the thread's title and who wrote, never the text itself.
PUSH_TEXTS = {
    NotificationKind.REPLY: lambda name: _("%(name)s replied to you.") % {"name": name},
    NotificationKind.MENTION: lambda name: (
        _("%(name)s mentioned you.") % {"name": name}
    ),
}


def _push(members, kind, topic, actor, thread, comment) -> None:
    path = reverse("thread_detail", args=[thread.community.slug, thread.pk])
    if comment is not None:
        path += f"#comment-{comment.pk}"

    def content(member):
        name = display_name(actor, thread.community) if actor else "Moim"
        return thread.title, PUSH_TEXTS[kind](name)

    push_queue(
        members=members,
        topic=topic,
        content=content,
        path=path,
        tag=f"{kind}-{comment.pk if comment else thread.pk}",
    )


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
