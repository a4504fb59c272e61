"""Whom a member may mention while writing in a community: the composer's
@mention suggestions."""

import unicodedata
from typing import NamedTuple

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from community.display import display_name
from community.models import (
    Community,
    DisplayMode,
    Member,
    Sanction,
    SanctionKind,
)


class MentionSuggestion(NamedTuple):
    name: str  # as this community shows the member
    mention: str  # what the composer inserts: "@" and the nickname


def mention_suggestions(
    *, community: Community, reader: Member, prefix: str, limit: int = 8
) -> list[MentionSuggestion]:
    """Members of ``community`` whose nickname, or the real name the
    community shows of them, starts with ``prefix``: never a real name a
    member keeps to themselves here, never someone who left or is banned
    from it. Mentions are resolved by nickname, so only members with one.
    One query."""
    key = unicodedata.normalize("NFKC", prefix).strip().casefold()
    if not key:
        return []
    shown_real_name = Q(real_name__istartswith=key)
    if not community.requires_real_names:
        shown_real_name &= Q(display_mode=DisplayMode.REAL_NAME)
    now = timezone.now()
    banned = Sanction.objects.filter(
        Q(ends_at__isnull=True) | Q(ends_at__gt=now),
        community=community,
        member=OuterRef("pk"),
        kind=SanctionKind.BAN,
        lifted_at__isnull=True,
    )
    members = (
        Member.objects.filter(
            Q(nickname_key__startswith=key) | shown_real_name,
            memberships__community=community,
            is_active=True,
            nickname_key__isnull=False,
        )
        .exclude(display_mode=DisplayMode.FORMER)
        .exclude(pk=reader.pk)
        .exclude(Exists(banned))
        .only("pk", "real_name", "nickname", "display_mode")
        .order_by("nickname_key")[:limit]
    )
    return [
        MentionSuggestion(display_name(m, community), f"@{m.nickname}") for m in members
    ]
