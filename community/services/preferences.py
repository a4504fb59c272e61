"""A member's notification settings, written only where they differ from
the defaults (community.preferences), and the one-click unsubscribe."""

from django.db import transaction
from django.utils import timezone

from community.models import (
    DigestFrequency,
    DigestSetting,
    Member,
    NotificationChannel,
    NotificationPreference,
    NotificationTopic,
)
from community.preferences import DEFAULTS, DIGEST_DEFAULT, unsubscribe_read


@transaction.atomic
def preferences_update(
    *,
    member: Member,
    choices: dict[tuple[str, str], bool],
    digest: str | None = None,
) -> None:
    """Store ``choices`` ((topic, channel) → on) and the digest frequency.
    A choice equal to the default leaves no row; a (topic, channel) not in
    ``choices`` is left as it was, and so is the digest when ``digest`` is
    None."""
    now = timezone.now()
    for (topic, channel), enabled in choices.items():
        default = DEFAULTS.get(topic, {}).get(channel)
        if default is None or topic == NotificationTopic.DIGEST:
            continue
        rows = NotificationPreference.objects.filter(
            member=member, topic=topic, channel=channel
        )
        if enabled == default:
            rows.delete()
        else:
            NotificationPreference.objects.update_or_create(
                member=member,
                topic=topic,
                channel=channel,
                defaults={"enabled": enabled, "changed_at": now},
            )
    if digest is not None:
        digest_set(member=member, frequency=digest)


def digest_set(*, member: Member, frequency: str) -> None:
    if frequency == DIGEST_DEFAULT:
        DigestSetting.objects.filter(member=member).delete()
    else:
        DigestSetting.objects.update_or_create(
            member=member,
            defaults={"frequency": frequency, "changed_at": timezone.now()},
        )


@transaction.atomic
def preference_unsubscribe(*, token: str) -> tuple[Member, str] | None:
    """Turn off the email of the topic the token names, for the member it
    names and no other. Returns (member, topic), or None for a token that
    is forged, mangled or names no active member. Idempotent."""
    read = unsubscribe_read(token)
    if read is None:
        return None
    public_id, topic = read
    member = Member.objects.filter(public_id=public_id, is_active=True).first()
    if member is None:
        return None
    if topic == NotificationTopic.DIGEST:
        digest_set(member=member, frequency=DigestFrequency.OFF)
    else:
        preferences_update(
            member=member,
            choices={(topic, NotificationChannel.EMAIL): False},
        )
    return member, topic
