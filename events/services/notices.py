"""Tell members what happened to their application or gathering: an in-app
notification and an email, each in the member's own language. Never carries
the video link: attendees reach it through their join URL on the site."""

from django.urls import reverse
from django.utils import translation

from community.facts import said, source_text, stored
from community.mail import mail_member
from community.models import Member, Notification, NotificationChannel, NotificationKind
from community.preferences import unsubscribe_headers, wanting
from events.models import Gathering
from realtime.broadcast import unread_counts_push


def gathering_url(gathering: Gathering) -> str:
    return reverse("gathering_detail", args=[gathering.community.slug, gathering.pk])


def notice_send(
    *,
    members: list[Member],
    gathering: Gathering,
    detail: str,
    context: dict | None = None,
) -> None:
    """The same notice to several members."""
    notices_send(
        items=[(member, context or {}) for member in members],
        gathering=gathering,
        detail=detail,
    )


def notices_send(
    *,
    items: list[tuple[Member, dict]],
    gathering: Gathering,
    detail: str,
    link: str = "",
    template: str = "events/email/notice",
    topic: str | None = None,
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
    one that always goes out (a seat offer, a cancellation)."""
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
