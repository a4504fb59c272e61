"""The digest: a periodic mail to each member who wants it (weekly unless
they chose daily or off, community.preferences) of the liveliest threads of
their communities, unanswered questions in their job role and gatherings
open for applications (community.selectors.digest), in their language, HTML
with a plain-text part and a one-click unsubscribe.

Idempotent per member and period: ``DigestSent`` (unique per member and
period) is written in the transaction that queues the chunk's mails, so a
run that is repeated, or restarted after a worker died mid-chunk, sends
nobody a second digest for the period (the mail rows of a rolled-back chunk
go with it: the database task queue shares the transaction).

A worker queues the hourly job when it starts (``digests_plan``, from
``manage.py db_worker``); each run queues the next."""

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.tasks import task
from django.utils import timezone

from community.mail import mail_member
from community.models import (
    DigestFrequency,
    DigestSent,
    Member,
    NotificationChannel,
    NotificationTopic,
)
from community.preferences import members_wanting, unsubscribe_headers
from community.selectors.digest import Digest, DigestReader
from events.scheduling import recurring_run, schedule_once

CHUNK = 200
# Digests go out from this hour of the morning (Seoul), for the commute.
SEND_FROM_HOUR = 7
LENGTH = {
    DigestFrequency.WEEKLY: timedelta(days=7),
    DigestFrequency.DAILY: timedelta(days=1),
}
RUN_EVERY = timedelta(hours=1)


def digest_period(frequency: str, now: datetime) -> str:
    """``2026-W49`` (ISO week) for a weekly digest, ``2026-12-05`` for a
    daily one, in Seoul time."""
    local = timezone.localtime(now)
    if frequency == DigestFrequency.DAILY:
        return local.date().isoformat()
    year, week, _ = local.isocalendar()
    return f"{year}-W{week:02d}"


def _due(frequency: str, period: str):
    members = Member.objects.filter(
        is_active=True, left_at__isnull=True, memberships__isnull=False
    )
    if frequency == DigestFrequency.DAILY:
        members = members.filter(digest_setting__frequency=DigestFrequency.DAILY)
    else:
        members = members.exclude(
            digest_setting__frequency__in=[DigestFrequency.DAILY, DigestFrequency.OFF]
        )
    members = members_wanting(
        members, NotificationTopic.DIGEST, NotificationChannel.EMAIL
    ).exclude(pk__in=DigestSent.objects.filter(period=period).values("member"))
    return members.distinct().order_by("pk")


def digests_send_due(*, now: datetime | None = None, chunk: int = CHUNK) -> int:
    """Send the digests of the current period that have not gone out yet.
    Returns how many were mailed. Before ``SEND_FROM_HOUR`` nothing is
    sent."""
    now = now or timezone.now()
    if timezone.localtime(now).hour < SEND_FROM_HOUR:
        return 0
    mailed = 0
    for frequency in (DigestFrequency.WEEKLY, DigestFrequency.DAILY):
        period = digest_period(frequency, now)
        reader = DigestReader(now=now, length=LENGTH[frequency])
        while members := list(_due(frequency, period)[:chunk]):
            try:
                mailed += _send_chunk(
                    digests=reader.digests(members), period=period, now=now
                )
            except IntegrityError:  # another run took some: read who is left
                continue
    return mailed


@transaction.atomic
def _send_chunk(*, digests: list[Digest], period: str, now: datetime) -> int:
    """The chunk's rows and mails in one transaction. A concurrent run that
    took some of these members first makes this insert fail and the whole
    chunk roll back; the next pass reads who is left."""
    DigestSent.objects.bulk_create(
        [
            DigestSent(member=d.member, period=period, sent_at=now, mailed=not d.empty)
            for d in digests
        ]
    )
    mailed = 0
    for digest in digests:
        if digest.empty:
            continue
        member = digest.member
        mail_member(
            to=member.email,
            language=member.language,
            template="community/email/digest",
            context={"digest": digest, "member": member, "period": period},
            unsubscribe=unsubscribe_headers(member, NotificationTopic.DIGEST),
            html=True,
        )
        mailed += 1
    return mailed


@task()
def digests_send_task() -> None:
    """The hourly digest run, then the next one queued. Idempotent."""
    recurring_run(
        digests_send_task, job=digests_send_due, plan=digests_plan, every=RUN_EVERY
    )


def digests_plan(*, when: datetime | None = None) -> bool:
    """Queue the digest run for ``when`` (now) unless one is waiting."""
    return schedule_once(digests_send_task, when or timezone.now())
