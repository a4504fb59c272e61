"""New gatherings told to the members of their community who want it
(community.preferences, topic ``gathering_new``): an in-app notification per
gathering and one email per member listing every gathering the community
published within ``ANNOUNCE_AFTER`` of the first.

The first publish opens a batch (one open batch per community, a database
constraint) due ``ANNOUNCE_AFTER`` later and queues its job for then; the
gatherings published before it is due join it. Sending is idempotent per
member and batch: a member's ``AnnouncementDelivery`` row is written in the
transaction that stores their notification and queues their mail, a chunk of
members at a time, so a job run twice, or again after a worker died in the
middle, tells each member once. The periodic sweep
(``announcements_send_due``) sends a batch whose job was lost. Never to a
banned member, one who left the community or Moim, or one who switched it
off, or muted the community (community.follows); never the video link
(the mail links to the gathering's page)."""

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from community.access import members_banned_from
from community.facts import source_text, stored
from community.follows import communities_muting
from community.mail import mail_member
from community.models import (
    Member,
    Notification,
    NotificationChannel,
    NotificationKind,
    NotificationTopic,
)
from community.preferences import members_wanting, unsubscribe_headers, wanting
from events.models import (
    AnnouncementBatch,
    AnnouncementDelivery,
    Gathering,
    GatheringAnnouncement,
    GatheringStatus,
)
from events.scheduling import recurring_run, schedule, schedule_once
from events.services.notices import gathering_url
from realtime.broadcast import unread_counts_push

C = NotificationChannel
ANNOUNCE_AFTER = timedelta(minutes=5)
CHUNK = 200
SWEEP_EVERY = timedelta(minutes=15)
TOPIC = NotificationTopic.GATHERING_NEW
NOTICE = _("New gathering in %(community)s: ‘%(title)s’")
# Statuses in which a gathering is still worth announcing.
ANNOUNCEABLE = {GatheringStatus.OPEN, GatheringStatus.CLOSED, GatheringStatus.DRAFT}


def announcement_queue(*, gathering: Gathering, now: datetime | None = None) -> None:
    """Put a just published gathering in its community's open batch, opening
    one (and queuing its job after commit) if there is none. Idempotent: a
    gathering is in one batch only. Call after the publish committed or
    inside its transaction."""
    now = now or timezone.now()
    if GatheringAnnouncement.objects.filter(gathering=gathering).exists():
        return
    with transaction.atomic():
        batch = (
            AnnouncementBatch.objects.select_for_update()
            .filter(community_id=gathering.community_id, closed_at__isnull=True)
            .first()
        )
        if batch is None:
            try:
                with transaction.atomic():
                    batch = AnnouncementBatch.objects.create(
                        community_id=gathering.community_id,
                        opened_at=now,
                        due_at=now + ANNOUNCE_AFTER,
                    )
            except IntegrityError:  # another publish opened it meanwhile
                batch = AnnouncementBatch.objects.select_for_update().get(
                    community_id=gathering.community_id, closed_at__isnull=True
                )
            else:
                batch_id, due_at = batch.pk, batch.due_at
                transaction.on_commit(
                    lambda: schedule(
                        announcement_batch_send_task, due_at, batch_id=batch_id
                    )
                )
        GatheringAnnouncement.objects.get_or_create(
            gathering=gathering, defaults={"batch": batch}
        )


def _recipients(batch: AnnouncementBatch):
    members = Member.objects.filter(
        memberships__community_id=batch.community_id,
        is_active=True,
        left_at__isnull=True,
    ).exclude(
        Q(pk__in=members_banned_from(batch.community_id))
        | Q(pk__in=communities_muting(batch.community_id))
    )
    wanted = members.filter(
        Q(pk__in=members_wanting(members, TOPIC, C.IN_APP).values("pk"))
        | Q(pk__in=members_wanting(members, TOPIC, C.EMAIL).values("pk"))
    )
    return wanted.exclude(
        pk__in=AnnouncementDelivery.objects.filter(batch=batch).values("member")
    )


def announcement_batch_send(
    *, batch_id: int, now: datetime | None = None, chunk: int = CHUNK
) -> int:
    """Close the batch, then tell its community of its gatherings, ``chunk``
    members per transaction, then mark it sent. Returns how many members
    were told by this run. Does nothing before the batch is due.

    Closing, under the batch row's lock, comes before the gatherings are
    read: a publish that joined the batch committed before it (it held the
    same lock), and one after it opens the next batch, so no gathering is
    missed by members told before it was published."""
    now = now or timezone.now()
    with transaction.atomic():
        batch = (
            AnnouncementBatch.objects.select_for_update().filter(pk=batch_id).first()
        )
        if batch is None or batch.sent_at is not None or batch.due_at > now:
            return 0
        if batch.closed_at is None:
            batch.closed_at = now
            batch.save(update_fields=["closed_at"])
    gatherings = list(
        Gathering.objects.filter(
            pk__in=GatheringAnnouncement.objects.filter(batch=batch).values(
                "gathering"
            ),
            published_at__isnull=False,
            status__in=ANNOUNCEABLE,
        )
        .select_related("community")
        .order_by("starts_at", "pk")
    )
    told = 0
    # Nothing left to announce (all cancelled meanwhile): the batch is done.
    while gatherings:
        with transaction.atomic():
            # The batch row's lock makes two runs take turns.
            locked = AnnouncementBatch.objects.select_for_update().get(pk=batch.pk)
            if locked.sent_at is not None:
                return told
            members = list(_recipients(batch).order_by("pk")[:chunk])
            if not members:
                break
            _tell(batch=batch, members=members, gatherings=gatherings, now=now)
            told += len(members)
    AnnouncementBatch.objects.filter(pk=batch.pk, sent_at__isnull=True).update(
        sent_at=now
    )
    return told


def _tell(
    *,
    batch: AnnouncementBatch,
    members: list[Member],
    gatherings: list[Gathering],
    now: datetime,
) -> None:
    """One chunk: deliveries, notifications, mails, in the caller's
    transaction. Nobody is told of a gathering they created themselves."""
    AnnouncementDelivery.objects.bulk_create(
        [AnnouncementDelivery(batch=batch, member=m, sent_at=now) for m in members]
    )
    in_app = wanting(members, TOPIC, NotificationChannel.IN_APP)
    by_mail = wanting(members, TOPIC, NotificationChannel.EMAIL)
    community = gatherings[0].community
    message = source_text(NOTICE)
    news = {m.pk: [g for g in gatherings if g.created_by_id != m.pk] for m in members}
    Notification.objects.bulk_create(
        [
            Notification(
                recipient=member,
                kind=NotificationKind.GATHERING,
                message=message,
                params=stored({"community": community.name, "title": g.title}),
                link=gathering_url(g),
                created_at=now,
            )
            for member in members
            if member.pk in in_app
            for g in news[member.pk]
        ],
        batch_size=1000,
    )
    if in_app:
        unread_counts_push(member_ids=list(in_app))
    links = {g.pk: gathering_url(g) for g in gatherings}
    for member in members:
        if member.pk not in by_mail or not news[member.pk]:
            continue
        mail_member(
            to=member.email,
            language=member.language,
            template="events/email/announcement",
            context={
                "member": member,
                "community": community,
                "items": [
                    {"gathering": g, "link": links[g.pk]} for g in news[member.pk]
                ],
            },
            unsubscribe=unsubscribe_headers(member, TOPIC),
        )


def announcements_send_due(*, now: datetime | None = None) -> int:
    """Send every batch that is due and not sent: the sweep behind the
    queued jobs (a worker that was down, a backend that cannot defer)."""
    now = now or timezone.now()
    due = AnnouncementBatch.objects.filter(
        sent_at__isnull=True, due_at__lte=now
    ).values_list("pk", flat=True)
    return sum(announcement_batch_send(batch_id=pk, now=now) for pk in list(due))


@task()
def announcement_batch_send_task(*, batch_id: int) -> None:
    """``announcement_batch_send`` as a queued job, when the batch is due."""
    announcement_batch_send(batch_id=batch_id)


@task()
def announcements_sweep_task() -> None:
    """The periodic sweep, then the next one queued. Idempotent."""
    recurring_run(
        announcements_sweep_task,
        job=announcements_send_due,
        plan=announcements_sweep_plan,
        every=SWEEP_EVERY,
    )


def announcements_sweep_plan(*, when: datetime | None = None) -> bool:
    """Queue the sweep for ``when`` (now) unless one is waiting."""
    return schedule_once(announcements_sweep_task, when or timezone.now())
