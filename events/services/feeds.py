"""Personal calendar feed tokens.

The token is the feed's only key: whoever holds the URL reads the member's
calendar (including their join URLs), so it carries 256 bits from
``secrets`` and only its SHA-256 is stored. A leaked database therefore
leaks no working URL, and the full URL can be shown once only, right after
it is made. Regenerating replaces the hash in the same row, so the old URL
answers 404 from that moment.
"""

import hashlib
import secrets

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from community.models import Member
from events.models import CalendarFeed

# secrets.token_urlsafe(32): 32 random bytes, 256 bits, 43 URL-safe chars.
TOKEN_BYTES = 32
# Anything longer was never issued here; refused before hashing.
TOKEN_MAX_LENGTH = 64


def feed_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_path(token: str) -> str:
    return reverse("personal_calendar", args=[token])


def feed_create(*, member: Member) -> str:
    """Make the member's feed token, replacing any earlier one (whose URL
    stops working at once); returns the token, which is not kept anywhere
    and cannot be shown again."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    with transaction.atomic():
        CalendarFeed.objects.update_or_create(
            member=member,
            defaults={
                "token_hash": feed_token_hash(token),
                "created_at": timezone.now(),
            },
        )
    return token


def feed_delete(*, member: Member) -> bool:
    """Remove the member's feed; returns whether there was one."""
    deleted, _ = CalendarFeed.objects.filter(member=member).delete()
    return bool(deleted)


def feed_get(*, member: Member) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(member=member).first()


def feed_resolve(*, token: str) -> Member | None:
    """The active member whose feed ``token`` opens, or None (unknown,
    replaced, deleted, or the member deactivated): one query."""
    if not token or len(token) > TOKEN_MAX_LENGTH:
        return None
    feed = (
        CalendarFeed.objects.select_related("member")
        .filter(token_hash=feed_token_hash(token))
        .first()
    )
    if feed is None or not feed.member.is_active:
        return None
    return feed.member
