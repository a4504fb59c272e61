"""Members' push subscriptions, and pushes queued to their devices
(community.push holds the key, the rules of a subscription and the
payload's form)."""

from collections.abc import Callable, Iterable

from django.db import transaction
from django.utils import translation

from community import push
from community.errors import CommunityError
from community.models import Member, NotificationChannel, PushSubscription
from community.preferences import wanting
from community.tasks import push_deliver
from community.usersessions import device_label


@transaction.atomic
def subscription_add(
    *,
    member: Member,
    endpoint: str,
    p256dh: str,
    auth: str,
    user_agent: str = "",
    session_key: str | None = None,
) -> PushSubscription:
    """Store a device of ``member``, tied to the session that turned it on
    (``session_key``: ending that session removes it). The same endpoint
    again (the browser renewed its keys, or another member signed in on this
    browser) belongs to ``member`` and this session from now on, with the
    new keys; pushes queued for its former member are not sent to it
    (community.services.push_delivery)."""
    if not push.endpoint_allowed(endpoint):
        raise CommunityError("push_endpoint_invalid")
    if not push.key_valid(p256dh, auth):
        raise CommunityError("push_keys_invalid")
    Member.objects.select_for_update().filter(pk=member.pk).first()
    existing = PushSubscription.objects.filter(endpoint=endpoint).first()
    if existing is None or existing.member_id != member.pk:
        count = PushSubscription.objects.filter(member=member).count()
        if count >= push.DEVICES_PER_MEMBER:
            raise CommunityError("push_too_many", limit=push.DEVICES_PER_MEMBER)
    if existing is None:
        return PushSubscription.objects.create(
            member=member,
            endpoint=endpoint,
            p256dh=p256dh,
            auth=auth,
            label=device_label(user_agent)[:64],
            session_digest=push.session_digest(session_key),
        )
    existing.member = member
    existing.p256dh, existing.auth = p256dh, auth
    existing.label = device_label(user_agent)[:64]
    existing.session_digest = push.session_digest(session_key)
    existing.save(update_fields=["member", "p256dh", "auth", "label", "session_digest"])
    return existing


def subscriptions_end_with_session(*, session_key: str | None) -> int:
    """A session ended (signed out, or signed out from the devices page):
    the devices it turned on stop receiving its member's pushes. Returns how
    many were removed."""
    digest = push.session_digest(session_key)
    if not digest:
        return 0
    return PushSubscription.objects.filter(session_digest=digest).delete()[0]


def subscription_remove(
    *, member: Member, subscription_id: int | None = None, endpoint: str = ""
) -> bool:
    """Remove one of ``member``'s own devices (by id from the settings page,
    or by endpoint from the browser that unsubscribed). Another member's
    device is never touched. Returns whether one was removed."""
    rows = PushSubscription.objects.filter(member=member)
    if subscription_id is not None:
        rows = rows.filter(pk=subscription_id)
    elif endpoint:
        rows = rows.filter(endpoint=endpoint)
    else:
        return False
    return rows.delete()[0] > 0


def push_queue(
    *,
    members: Iterable[Member],
    topic: str,
    content: Callable[[Member], tuple[str, str]],
    path: str,
    tag: str,
    urgency: str = "normal",
    ttl: int = push.TTL_DEFAULT,
) -> int:
    """Queue a push to every device of each of ``members`` who wants
    ``topic`` by push (community.preferences): ``content(member)`` gives the
    title and body, called in the member's language. Nothing is sent here:
    each device's push is a task (``community.tasks.push_deliver``), so a
    slow push service never holds up a request. Returns how many were
    queued."""
    members = {m.pk: m for m in members if m.is_active}
    wanted = wanting(members.values(), topic, NotificationChannel.PUSH)
    if not wanted:
        return 0
    devices = list(
        PushSubscription.objects.filter(member__in=wanted).values_list(
            "pk", "member_id"
        )
    )
    ttl = max(0, min(int(ttl), 28 * 24 * 3600))
    queued = 0
    bodies: dict[int, str] = {}
    for pk, member_id in devices:
        if member_id not in bodies:
            member = members[member_id]
            with translation.override(member.language):
                title, body = content(member)
                bodies[member_id] = push.payload(
                    title=str(title), body=str(body), path=path, tag=tag
                )
        push_deliver.enqueue(
            subscription_id=pk,
            member_id=member_id,
            data=bodies[member_id],
            urgency=urgency,
            ttl=ttl,
            topic=push.push_topic_header(tag),
        )
        queued += 1
    return queued
