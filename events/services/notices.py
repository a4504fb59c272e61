"""Tell members what happened to their application or gathering: an in-app
notification and an email, each in the member's own language. Never carries
the video link: attendees reach it through their join URL on the site."""

from django.urls import reverse
from django.utils import translation

from community.facts import said, source_text, stored
from community.mail import mail_member
from community.models import Member, Notification, NotificationKind
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
) -> None:
    """One notice per (member, parameters): ``detail`` is a lazy translatable
    text with %-parameters (``title`` is always given), rendered per member
    in their language. Notifications store the sentence as facts
    (community/facts.py), said in the reader's language whenever read;
    they are written in one query; each email is a queued task, rendered
    from ``template`` with the sentence's parameters as ``facts``. ``link``:
    where the notice leads (the gathering page unless given)."""
    link = link or gathering_url(gathering)
    message = source_text(detail)
    notifications = []
    mails = []
    for member, context in items:
        if not member.is_active:
            continue
        params = stored({"title": gathering.title, **context})
        notifications.append(
            Notification(
                recipient=member,
                kind=NotificationKind.GATHERING,
                message=message,
                params=params,
                link=link,
            )
        )
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
        )
