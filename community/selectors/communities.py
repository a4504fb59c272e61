"""Reads for the community directory and a community's own pages."""

from dataclasses import dataclass
from itertools import groupby

from django.db.models import Q, QuerySet
from django.utils import timezone

from community.models import (
    Community,
    Member,
    Membership,
    MembershipRole,
    Sanction,
    SanctionKind,
)
from community.roles import ROLE_FAMILY, RoleFamily


def community_list() -> QuerySet[Community]:
    return Community.objects.order_by("name")


@dataclass
class DirectoryGroup:
    family: RoleFamily
    communities: list[Community]


def community_directory(
    member: Member | None,
) -> tuple[list[Community], list[DirectoryGroup]]:
    """The member's own communities, then every other community grouped by
    role family (each community shown once). Two queries."""
    communities = list(Community.objects.order_by("name"))
    mine_ids: set[int] = set()
    if member is not None and member.is_authenticated:
        mine_ids = set(
            Membership.objects.filter(member=member).values_list(
                "community_id", flat=True
            )
        )
    mine = [c for c in communities if c.pk in mine_ids]
    order = list(RoleFamily)
    keyed = sorted(
        (c for c in communities if c.pk not in mine_ids),
        key=lambda c: (order.index(ROLE_FAMILY[c.role]), c.name),
    )
    groups = [
        DirectoryGroup(family, list(items))
        for family, items in groupby(keyed, key=lambda c: ROLE_FAMILY[c.role])
    ]
    return mine, groups


def community_moderators(community: Community) -> list[Membership]:
    """The memberships of moderators and owners, with their members, oldest
    first: the role decides what may be done to each. One query."""
    return list(
        Membership.objects.filter(
            community=community,
            role__in=[MembershipRole.MODERATOR, MembershipRole.OWNER],
        )
        .select_related("member")
        # What the list shows of each (display_name, a link), not the
        # members' account fields.
        .only(
            "role",
            "member__public_id",
            "member__real_name",
            "member__nickname",
            "member__display_mode",
        )
        .order_by("joined_at")
    )


def readable_communities(member: Member | None) -> QuerySet[Community]:
    """Communities whose threads ``member`` may read: public ones and their
    own, never one they are banned from."""
    communities = Community.objects.all()
    if member is None or not member.is_authenticated:
        return communities.filter(public_read=True)
    if member.is_staff:
        return communities
    banned = Sanction.objects.filter(
        Q(ends_at__isnull=True) | Q(ends_at__gt=timezone.now()),
        member=member,
        kind=SanctionKind.BAN,
        lifted_at__isnull=True,
    ).values("community_id")
    # The member's own as a subquery on their memberships, not a join:
    # joining every community's memberships and dropping the duplicates
    # cost PostgreSQL some 10 ms of each search (9,000 memberships).
    mine = Membership.objects.filter(member=member).values("community_id")
    return communities.filter(Q(public_read=True) | Q(pk__in=mine)).exclude(
        pk__in=banned
    )
