"""Messages an organiser writes to a segment of a gathering's applicants:
in-app (a notification that leads to the message's page) and by email,
sent now or at a set time.

Recipients are resolved when the message is sent, not when it is written: a
segment means who is in it at that moment (a member confirmed after the
message was scheduled receives it, one who withdrew, was banned or left does
not), and the video-link rule (``events.access.message_link_refusal``) is
asked again then, against the gathering's link of that moment.

A message whose body names the video link follows the link's own rule
(``events.access.join_refusal``): it is refused, whole, when written for or
sent at a time before the link's release (the organiser schedules it for
then), and when it goes, a recipient whose join URL was revoked is left out.
Its subject never names the link (the notification keeps the subject).

Sending is idempotent: ``message_deliver`` takes the message's row lock and
sends only while it is scheduled, and each recipient's delivery is a row
unique per (message, member), written in the transaction that queues their
notification and mail. A second run, a late run or a run after a worker
restarted sends nobody the same message twice.
"""

import json
from datetime import datetime

from django.db import transaction
from django.tasks import task
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from community.access import Access, access_for
from community.facts import error_fact, fact, source_text, stored
from community.mail import mail_member
from community.markdown import markdown_render
from community.models import (
    AuditEntry,
    Member,
    ModerationAction,
    Notification,
    NotificationChannel,
    NotificationKind,
    NotificationTopic,
)
from community.preferences import unsubscribe_headers, wanting
from events.access import (
    is_organiser,
    join_refusal,
    message_cancel_refusal,
    message_link_refusal,
    message_time_refusal,
    names_video_link,
    organiser_write_refusal,
)
from events.errors import EventsError
from events.models import (
    Application,
    Gathering,
    GatheringMessage,
    MessageDelivery,
    MessageSegment,
    MessageStatus,
)
from events.scheduling import schedule
from events.selectors.messages import (
    messages_due,
    segment_counts,
    segment_recipients,
)
from realtime.broadcast import unread_counts_push

# The notification's sentence: the gathering's title and the subject as
# written, said in the reader's language when read.
NOTICE = _("Message from the organisers of ‘%(title)s’: %(subject)s")
# The audit log's sentence for each step (community.selectors.moderation
# says it in the reader's language).
AUDIT_TEXTS = {
    ModerationAction.MESSAGE: _(
        "‘%(subject)s’ to %(segment)s (%(count)s now), to be sent %(at)s"
    ),
    ModerationAction.MESSAGE_SENT: _(
        "‘%(subject)s’ to %(segment)s: %(count)s recipients"
    ),
    ModerationAction.MESSAGE_CANCEL: _("‘%(subject)s’ to %(segment)s, cancelled"),
    ModerationAction.MESSAGE_REFUSED: _(
        "‘%(subject)s’ to %(segment)s was not sent: %(reason)s"
    ),
}
AUDIT_SUBJECT_LIMIT = 60
TOPIC = NotificationTopic.ORGANISER_MESSAGE


def message_url(message: GatheringMessage) -> str:
    gathering = message.gathering
    return reverse(
        "gathering_message",
        args=[gathering.community.slug, gathering.pk, message.pk],
    )


def _audit(
    *,
    message: GatheringMessage,
    actor: Member,
    action: str,
    count: int | None = None,
    reason: EventsError | None = None,
) -> None:
    """One audit entry (community.models.AuditEntry) for the message: who,
    which segment, how many, when, and the subject (shortened). Not the
    body: what an organiser writes to applicants is theirs and the
    applicants', and the message's own page keeps it. The reason is the
    sentence as facts (community.facts), JSON, said when the log is read;
    a refusal is kept by its code (``error_fact``). The JSON is never cut:
    the subject is shortened further until it fits the column."""
    limit = AuditEntry._meta.get_field("reason").max_length
    subject_limit = AUDIT_SUBJECT_LIMIT
    while True:
        subject = message.subject
        if len(subject) > subject_limit:
            subject = subject[: subject_limit - 1] + "…"
        params = {
            "subject": subject,
            "segment": MessageSegment(message.segment).label,
            "count": count if count is not None else "",
            "at": message.send_at,
        }
        if reason is not None:
            params["reason"] = error_fact(reason)
            if subject_limit <= 1:
                # Last resort, never reached by today's refusals: the
                # refusal's code alone (said with its placeholders).
                params["reason"]["params"] = {}
        with translation.override(None):
            source = source_text(AUDIT_TEXTS[action])
            # Only what the sentence says: the column is short.
            params = {k: v for k, v in params.items() if f"%({k})s" in source}
            text = json.dumps(fact(source, **params), ensure_ascii=False)
        if len(text) <= limit or subject_limit <= 1:
            break
        subject_limit = max(1, subject_limit - (len(text) - limit))
    AuditEntry.objects.create(
        community=message.gathering.community,
        moderator=actor,
        action=action,
        reason=text,
    )


def _sender_refusal(access: Access, gathering: Gathering) -> EventsError | None:
    if not is_organiser(access.member, gathering, access):
        return EventsError("not_organiser")
    return organiser_write_refusal(access)


def message_create(
    *,
    access: Access,
    gathering: Gathering,
    segment: str,
    subject: str,
    body: str,
    send_at: datetime | None = None,
    now: datetime | None = None,
) -> GatheringMessage:
    """Write a message from ``access.member`` (an organiser, not muted) to
    ``segment`` of ``gathering``'s applicants, sent at ``send_at`` (now when
    None) by ``message_send_task``. Refused (EventsError) when the text
    names the video link and the segment reaches anyone without a confirmed
    seat, or when the time is past or too far. Rate limits are the view's
    (per request, as the site's others are). Opens its own transaction and
    queues the send after the commit."""
    now = now or timezone.now()
    refusal = _sender_refusal(access, gathering)
    subject, body = subject.strip(), body.strip()
    if refusal is None and (not subject or not body):
        refusal = EventsError("message_empty")
    if refusal is None:
        refusal = message_link_refusal(
            gathering=gathering,
            segment=segment,
            subject=subject,
            body=body,
            at=max(send_at or now, now),
        )
    if refusal is None and send_at is not None:
        refusal = message_time_refusal(send_at, now)
    if refusal is not None:
        raise refusal
    with transaction.atomic():
        message = GatheringMessage.objects.create(
            gathering=gathering,
            sender=access.member,
            segment=MessageSegment(segment),
            subject=subject,
            body=body,
            body_html=markdown_render(body),
            send_at=max(send_at or now, now),
            created_at=now,
        )
        _audit(
            message=message,
            actor=access.member,
            action=ModerationAction.MESSAGE,
            count=segment_counts(gathering=gathering)[message.segment],
        )
        # Queued in the transaction that writes the message (the database
        # task backend stores the job beside it): both or neither.
        if message.send_at <= now:
            message_send_task.enqueue(message_id=message.pk)
        else:
            schedule(message_send_task, message.send_at, message_id=message.pk)
    return message


def message_cancel(
    *, access: Access, gathering: Gathering, message_id: int
) -> GatheringMessage:
    """Cancel a scheduled message of ``gathering`` before it goes; any of
    its organisers may (not only its writer). Takes the message's row lock,
    so a send running at the same moment either went first (and the cancel
    is refused) or finds it cancelled."""
    refusal = _sender_refusal(access, gathering)
    if refusal is not None:
        raise refusal
    with transaction.atomic():
        message = (
            GatheringMessage.objects.select_for_update()
            .filter(pk=message_id, gathering=gathering)
            .first()
        )
        if message is None:
            raise EventsError("message_not_scheduled")
        refusal = message_cancel_refusal(message.status)
        if refusal is not None:
            raise refusal
        message.status = MessageStatus.CANCELLED
        message.cancelled_at = timezone.now()
        message.save(update_fields=["status", "cancelled_at"])
        message.gathering = gathering
        _audit(
            message=message, actor=access.member, action=ModerationAction.MESSAGE_CANCEL
        )
    return message


def message_deliver(*, message_id: int, now: datetime | None = None) -> int:
    """Send message ``message_id`` if it is scheduled and due: resolve its
    segment now, ask the video-link rule again (and whether its writer may
    still write: a ban or mute since takes it), leave out, when the body
    names the link, anyone the link's own rule refuses (``_link_holders``),
    then write a delivery row,
    an in-app notification and a queued mail for each recipient, in one
    transaction under the message's row lock. Returns how many it reached
    in this run (0 when there was nothing to do)."""
    now = now or timezone.now()
    with transaction.atomic():
        message = (
            GatheringMessage.objects.select_for_update()
            .filter(pk=message_id, status=MessageStatus.SCHEDULED)
            .first()
        )
        if message is None or message.send_at > now:
            return 0
        gathering = Gathering.objects.select_related("community").get(
            pk=message.gathering_id
        )
        message.gathering = gathering
        sender = Member.objects.get(pk=message.sender_id)
        refusal = _sender_refusal(access_for(sender, gathering.community), gathering)
        if refusal is None:
            refusal = message_link_refusal(
                gathering=gathering,
                segment=message.segment,
                subject=message.subject,
                body=message.body,
                at=now,
            )
        if refusal is not None:
            message.status = MessageStatus.REFUSED
            message.save(update_fields=["status"])
            _audit(
                message=message,
                actor=sender,
                action=ModerationAction.MESSAGE_REFUSED,
                reason=refusal,
            )
            return 0
        already = set(
            MessageDelivery.objects.filter(message=message).values_list(
                "member_id", flat=True
            )
        )
        recipients = [
            member
            for member in segment_recipients(
                gathering=gathering, segment=message.segment, exclude=sender
            )
            if member.pk not in already
        ]
        if names_video_link(gathering, message.body):
            recipients = _link_holders(gathering=gathering, members=recipients, now=now)
        MessageDelivery.objects.bulk_create(
            [
                MessageDelivery(message=message, member=member, delivered_at=now)
                for member in recipients
            ],
            batch_size=1000,
        )
        _tell(message=message, sender=sender, recipients=recipients)
        message.status = MessageStatus.SENT
        message.sent_at = now
        message.recipient_count = len(already) + len(recipients)
        message.save(update_fields=["status", "sent_at", "recipient_count"])
        _audit(
            message=message,
            actor=sender,
            action=ModerationAction.MESSAGE_SENT,
            count=message.recipient_count,
        )
    return len(recipients)


def _link_holders(
    *, gathering: Gathering, members: list[Member], now: datetime
) -> list[Member]:
    """``members`` to whom the video link may be shown ``now``: the link's
    own rule (``join_refusal``) for each, so a revoked join URL is not
    handed the link again by a message. One query."""
    applications = Application.objects.select_related("join_pass").filter(
        gathering=gathering, member__in=members
    )
    allowed = set()
    for application in applications:
        application.gathering = gathering
        if join_refusal(application, now) is None:
            allowed.add(application.member_id)
    return [member for member in members if member.pk in allowed]


def _tell(
    *, message: GatheringMessage, sender: Member, recipients: list[Member]
) -> None:
    """The notification (one query for all) and each recipient's mail, in
    their language around the organiser's text as written."""
    gathering = message.gathering
    link = message_url(message)
    params = stored({"title": gathering.title, "subject": message.subject})
    in_app = wanting(recipients, TOPIC, NotificationChannel.IN_APP)
    by_mail = wanting(recipients, TOPIC, NotificationChannel.EMAIL)
    Notification.objects.bulk_create(
        [
            Notification(
                recipient=member,
                kind=NotificationKind.MESSAGE,
                actor=sender,
                message=source_text(NOTICE),
                params=params,
                link=link,
            )
            for member in recipients
            if member.pk in in_app
        ],
        batch_size=1000,
    )
    unread_counts_push(member_ids=list(in_app))
    for member in recipients:
        if member.pk not in by_mail:
            continue
        mail_member(
            to=member.email,
            language=member.language,
            template="events/email/gathering_message",
            context={
                "member": member,
                "gathering": gathering,
                "message": message,
                "link": link,
            },
            unsubscribe=unsubscribe_headers(member, TOPIC),
        )


def messages_deliver_due(*, gathering: Gathering, now: datetime | None = None) -> int:
    """Send every scheduled message of ``gathering`` whose time has come: the
    on-access path (the organisers' messages page), beside the queued job,
    so a stopped worker delays a message only until an organiser looks."""
    now = now or timezone.now()
    return sum(
        message_deliver(message_id=message_id, now=now)
        for message_id in messages_due(gathering=gathering, now=now)
    )


@task()
def message_send_task(*, message_id: int) -> None:
    """``message_deliver`` as a queued job, at the message's time."""
    message_deliver(message_id=message_id)
