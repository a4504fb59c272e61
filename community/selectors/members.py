"""Reads about members: who moderates whom, a member by public id."""

from community.ids import public_id_valid
from community.models import (
    Community,
    Member,
    Membership,
    MembershipRole,
)


def moderates_member(viewer: Member, member: Member) -> bool:
    """Staff, or a moderator of a community ``member`` belongs to: the people
    who may see a member's earlier nicknames."""
    if not viewer.is_authenticated:
        return False
    if viewer.is_staff:
        return True
    return Membership.objects.filter(
        member=viewer,
        role__in=[MembershipRole.MODERATOR, MembershipRole.OWNER],
        community__memberships__member=member,
    ).exists()


def community_member_by_public_id(
    *, community: Community, public_id: str
) -> Member | None:
    """An active member of ``community`` by their public id."""
    if not public_id_valid(public_id):
        return None
    return Member.objects.filter(
        public_id=public_id,
        is_active=True,
        memberships__community=community,
    ).first()
