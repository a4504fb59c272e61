"""Whom a member may mention while writing in a community: the composer's
@mention suggestions."""

import unicodedata
from typing import NamedTuple

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from community.display import display_name, shown_name_q
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
    """Members of ``community`` whose name as the community shows it starts
    with ``prefix`` (``shown_name_q``): never a name the community does not
    show of them, never someone who left or is banned from it. Mentions are
    resolved by nickname, so only members with one; where the community
    shows real names, only members who are shown by their real name
    everywhere, since inserting a nickname-user's @nickname next to their
    real name would tie the two. One query."""
    key = unicodedata.normalize("NFKC", prefix).strip().casefold()
    if not key:
        return []
    ties_nickname = (
        Q(display_mode=DisplayMode.NICKNAME)
        if community.requires_real_names
        else Q(pk__in=[])
    )
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
            shown_name_q(community, "istartswith", key),
            memberships__community=community,
            is_active=True,
            nickname_key__isnull=False,
        )
        .exclude(display_mode=DisplayMode.FORMER)
        .exclude(ties_nickname)
        .exclude(pk=reader.pk)
        .exclude(Exists(banned))
        .only("pk", "real_name", "nickname", "display_mode")
        .order_by("nickname_key")[:limit]
    )
    return [
        MentionSuggestion(display_name(m, community), f"@{m.nickname}") for m in members
    ]
