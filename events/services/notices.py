"""Tell members what happened to their application or gathering: an in-app
notification and an email, each in the member's own language. Never carries
the video link: attendees reach it through their join URL on the site."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from community.facts import said, source_text, stored
from community.mail import mail_member
from community.models import (
    Member,
    Notification,
    NotificationChannel,
    NotificationKind,
    NotificationTopic,
)
from community.preferences import unsubscribe_headers, wanting
from community.services.push import push_queue
from events.models import Gathering
from realtime.broadcast import unread_counts_push


@dataclass(frozen=True)
class Push:
    """A notice's push to the member's devices (community.push): ``topic``
    (push-only, switchable), ``title`` and ``body`` lazy texts filled with
    the gathering's ``title`` and only the ``PUSH_PARAMS`` of the notice's
    parameters, so a personal join URL in them never reaches a push
    payload; the payload leads to the gathering's page."""

    topic: str
    title: Promise
    body: Promise
    urgency: str = "normal"
    ttl: int = 60 * 60 * 24


PUSH_PARAMS = ("title", "deadline", "start")


def _until(moment, now, least: int = 60) -> int:
    """Seconds from ``now`` until ``moment``: a push is worth nothing after."""
    return max(least, int((moment - (now or timezone.now())).total_seconds()))


def offer_push(deadline, now=None) -> Push:
    """A seat offered (after a draw, or from the waitlist): urgent, and
    kept by the push service until the claim window closes."""
    return Push(
        topic=NotificationTopic.SEAT_OFFER,
        title=_("A seat is yours: ‘%(title)s’"),
        body=_("Confirm it by %(deadline)s, or it passes to the next member."),
        urgency="high",
        ttl=_until(deadline, now),
    )


def link_push(gathering: Gathering, now=None) -> Push:
    """The join link's release: the link itself is on the gathering's page
    only, for whoever holds a seat."""
    return Push(
        topic=NotificationTopic.LINK_RELEASE,
        title=_("The join link for ‘%(title)s’ is open"),
        body=_("It starts at %(start)s. Your link is on the gathering's page."),
        ttl=_until(gathering.starts_at, now),
    )


def start_push(gathering: Gathering, now=None) -> Push:
    return Push(
        topic=NotificationTopic.GATHERING_START,
        title=_("‘%(title)s’ starts soon"),
        body=_("It starts at %(start)s. Join from the gathering's page."),
        urgency="high",
        ttl=_until(gathering.starts_at, now),
    )


def gathering_url(gathering: Gathering) -> str:
    return reverse("gathering_detail", args=[gathering.community.slug, gathering.pk])


def notice_send(
    *,
    members: list[Member],
    gathering: Gathering,
    detail: str,
    context: dict | None = None,
    push: Push | None = None,
) -> None:
    """The same notice to several members."""
    notices_send(
        items=[(member, context or {}) for member in members],
        gathering=gathering,
        detail=detail,
        push=push,
    )


def notices_send(
    *,
    items: list[tuple[Member, dict]],
    gathering: Gathering,
    detail: str,
    link: str = "",
    template: str = "events/email/notice",
    topic: str | None = None,
    push: Push | None = None,
) -> None:
    """One notice per (member, parameters): ``detail`` is a lazy translatable
    text with %-parameters (``title`` is always given), rendered per member
    in their language. Notifications store the sentence as facts
    (community/facts.py), said in the reader's language whenever read;
    they are written in one query; each email is a queued task, rendered
    from ``template`` with the sentence's parameters as ``facts``. ``link``:
    where the notice leads (the gathering page unless given). ``topic``: for
    a notice a member may switch off (community.preferences), sent only on
    the channels they want, its mail with a one-click unsubscribe; None for
    one that always goes out (a seat offer, a cancellation). ``push``: also
    to the members' devices, if they want it."""
    link = link or gathering_url(gathering)
    members = [member for member, _ in items]
    if topic is None:
        in_app = by_mail = {m.pk for m in members}
    else:
        in_app = wanting(members, topic, NotificationChannel.IN_APP)
        by_mail = wanting(members, topic, NotificationChannel.EMAIL)
    message = source_text(detail)
    notifications = []
    mails = []
    for member, context in items:
        if not member.is_active:
            continue
        params = stored({"title": gathering.title, **context})
        if member.pk in in_app:
            notifications.append(
                Notification(
                    recipient=member,
                    kind=NotificationKind.GATHERING,
                    message=message,
                    params=params,
                    link=link,
                )
            )
        if member.pk not in by_mail:
            continue
        with translation.override(member.language):
            mails.append(
                (member, said(message, params), {"title": gathering.title, **context})
            )
    Notification.objects.bulk_create(notifications, batch_size=1000)
    unread_counts_push(member_ids=[n.recipient_id for n in notifications])
    for member, text, facts in mails:
        mail_member(
            to=member.email,
            language=member.language,
            template=template,
            context={
                "member": member,
                "gathering": gathering,
                "detail": text,
                "link": link,
                "facts": facts,
            },
            unsubscribe=unsubscribe_headers(member, topic) if topic else None,
        )
    if push is not None:
        _push(items, gathering, push)


def push_send(
    *,
    members: list[Member],
    gathering: Gathering,
    push: Push,
    context: dict | None = None,
) -> None:
    """Only the push of a notice, to the members' devices if they want it
    (no notification, no mail): ``context`` as in ``notices_send``."""
    _push([(member, context or {}) for member in members], gathering, push)


def _push(items: list[tuple[Member, dict]], gathering: Gathering, push: Push) -> None:
    contexts = {member.pk: context for member, context in items}

    def content(member: Member) -> tuple[str, str]:
        params = stored(
            {"title": gathering.title}
            | {k: v for k, v in contexts[member.pk].items() if k in PUSH_PARAMS}
        )
        return (
            said(source_text(push.title), params),
            said(source_text(push.body), params),
        )

    push_queue(
        members=[member for member, _ in items],
        topic=push.topic,
        content=content,
        path=gathering_url(gathering),
        tag=f"{push.topic}-{gathering.pk}",
        urgency=push.urgency,
        ttl=push.ttl,
    )
