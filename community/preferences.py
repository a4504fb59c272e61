"""What a member wants to hear about, and how: the one rule every sender asks
(``wants`` for one member, ``wanting`` for many, ``members_wanting`` for a
queryset, all three read from ``DEFAULTS`` and the member's own rows), and
the signed one-click unsubscribe link (RFC 8058) of every mail that is not
transactional.

A topic is switched per channel. Channels are ``NotificationChannel``:
on Moim, email and web push (community.push; a member's devices are on
the settings page too). Mail without a topic is
transactional and always sent (see ``TRANSACTIONAL`` for what the settings
page says about it)."""

from collections.abc import Iterable

from django.conf import settings
from django.core import signing
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from community.models import (
    DigestFrequency,
    DigestSetting,
    Member,
    NotificationChannel,
    NotificationPreference,
    NotificationTopic,
)

T = NotificationTopic
C = NotificationChannel

# Each topic's channels and whether they are on for a member who never
# changed anything. A channel not listed does not exist for that topic.
DEFAULTS: dict[str, dict[str, bool]] = {
    T.REPLY: {C.IN_APP: True, C.EMAIL: True, C.PUSH: True},
    T.MENTION: {C.IN_APP: True, C.EMAIL: True, C.PUSH: True},
    T.HELPFUL: {C.IN_APP: True},
    # Every new post in what one watches (community.follows): one replies
    # in many threads, each then watched, so no email unless asked for.
    T.WATCHED_POST: {C.IN_APP: True, C.EMAIL: False},
    T.GATHERING_NEW: {C.IN_APP: True, C.EMAIL: True},
    T.GATHERING_REMINDER: {C.IN_APP: True, C.EMAIL: True},
    T.ORGANISER_MESSAGE: {C.IN_APP: True, C.EMAIL: True},
    T.FOLLOW_UP: {C.IN_APP: True, C.EMAIL: True},
    # The digest's frequency is its own setting (DigestSetting); off there
    # is the same as this channel off.
    T.DIGEST: {C.EMAIL: True},
    # Push only: their notices and mail always go out (or are the
    # reminder's); the push to a device is what a member may switch off.
    T.SEAT_OFFER: {C.PUSH: True},
    T.LINK_RELEASE: {C.PUSH: True},
    T.GATHERING_START: {C.PUSH: True},
}
DIGEST_DEFAULT = DigestFrequency.WEEKLY

# Shown on the settings page: what always arrives, whatever is switched.
TRANSACTIONAL = [
    _("Sign-in codes, email confirmations and changes to your account"),
    _("Seat offers with a deadline, draw results and cancellations"),
    _("Moderation decisions about you"),
    _("Your data export and answers to your requests"),
]

UNSUBSCRIBE_SALT = "moim.unsubscribe"


def channels_of(topic: str) -> list[str]:
    return list(DEFAULTS[topic])


def _resolve(topic: str, channel: str, stored: bool | None) -> bool:
    """The rule itself: the member's stored choice, else the default; a
    channel the topic does not have is off."""
    default = DEFAULTS.get(topic, {}).get(channel)
    if default is None:
        return False
    return default if stored is None else stored


def choices_of(member: Member) -> dict[tuple[str, str], bool]:
    """Every (topic, channel) of ``member`` resolved: one query."""
    stored = {
        (topic, channel): enabled
        for topic, channel, enabled in NotificationPreference.objects.filter(
            member=member
        ).values_list("topic", "channel", "enabled")
    }
    return {
        (topic, channel): _resolve(topic, channel, stored.get((topic, channel)))
        for topic, channels in DEFAULTS.items()
        for channel in channels
    }


def wanting(members: Iterable[Member], topic: str, channel: str) -> set[int]:
    """The ids of ``members`` (active ones) who want ``topic`` on
    ``channel``: one query whatever their number."""
    members = [m for m in members if m.is_active]
    if not members:
        return set()
    if channel not in DEFAULTS.get(topic, {}):
        return set()
    stored = dict(
        NotificationPreference.objects.filter(
            member__in=[m.pk for m in members], topic=topic, channel=channel
        ).values_list("member_id", "enabled")
    )
    if topic == T.DIGEST:
        off = set(
            DigestSetting.objects.filter(
                member__in=[m.pk for m in members], frequency=DigestFrequency.OFF
            ).values_list("member_id", flat=True)
        )
        stored.update(dict.fromkeys(off, False))
    return {m.pk for m in members if _resolve(topic, channel, stored.get(m.pk))}


def wants(member: Member, topic: str, channel: str) -> bool:
    """Whether ``member`` wants ``topic`` on ``channel``: the question every
    sender asks before a notification or mail that is not transactional."""
    return member.pk in wanting([member], topic, channel)


def members_wanting(members: QuerySet, topic: str, channel: str) -> QuerySet:
    """``members`` (a Member queryset) narrowed to those who want ``topic``
    on ``channel``, as SQL, for senders that reach many members at once.
    The same rule as ``wanting``: a stored choice, else the default."""
    default = DEFAULTS.get(topic, {}).get(channel)
    if default is None:
        return members.none()
    choices = NotificationPreference.objects.filter(topic=topic, channel=channel)
    if default:
        members = members.exclude(pk__in=choices.filter(enabled=False).values("member"))
    else:
        members = members.filter(pk__in=choices.filter(enabled=True).values("member"))
    if topic == T.DIGEST:
        members = members.exclude(
            pk__in=DigestSetting.objects.filter(frequency=DigestFrequency.OFF).values(
                "member"
            )
        )
    return members.filter(is_active=True)


def digest_frequency(member: Member) -> str:
    row = DigestSetting.objects.filter(member=member).first()
    return row.frequency if row else DIGEST_DEFAULT


# --- One-click unsubscribe ----------------------------------------------------


def unsubscribe_token(member: Member, topic: str) -> str:
    """A value signed with the site's secret that names one member and one
    topic: it cannot be made for another member or topic without the key."""
    return signing.dumps({"m": member.public_id, "t": topic}, salt=UNSUBSCRIBE_SALT)


def unsubscribe_read(token: str) -> tuple[str, str] | None:
    """(member public id, topic) of a valid token, else None."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    public_id, topic = data.get("m"), data.get("t")
    if not isinstance(public_id, str) or topic not in DEFAULTS:
        return None
    if C.EMAIL not in DEFAULTS[topic]:
        return None
    return public_id, topic


def unsubscribe_url(member: Member, topic: str) -> str:
    return settings.SITE_URL + reverse(
        "unsubscribe", args=[unsubscribe_token(member, topic)]
    )


def unsubscribe_headers(member: Member, topic: str) -> dict[str, str]:
    """RFC 2369 and RFC 8058 headers: mail clients show an unsubscribe
    button that POSTs to the link without opening a page."""
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(member, topic)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
