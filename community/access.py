"""Who may do what in a community: decided in one place, from one read of the
member's membership and active sanctions, so every page and every action asks
the same question the same way."""

from dataclasses import dataclass

from django.db.models import F, FilteredRelation, Q, QuerySet
from django.utils import timezone

from community.models import (
    Community,
    Member,
    Membership,
    MembershipRole,
    PostPolicy,
    Sanction,
    SanctionKind,
)


@dataclass(frozen=True)
class Access:
    community: Community
    member: Member | None
    membership: Membership | None
    banned: Sanction | None
    muted: Sanction | None

    @property
    def is_member(self) -> bool:
        return self.membership is not None

    @property
    def is_moderator(self) -> bool:
        if self.member is not None and self.member.is_staff:
            return True
        return self.membership is not None and self.membership.role in {
            MembershipRole.MODERATOR,
            MembershipRole.OWNER,
        }

    @property
    def is_owner(self) -> bool:
        return (
            self.membership is not None and self.membership.role == MembershipRole.OWNER
        )

    @property
    def may_set_roles(self) -> bool:
        """Owners (and staff) appoint and remove moderators."""
        return self.is_owner or (self.member is not None and self.member.is_staff)

    @property
    def can_read(self) -> bool:
        if self.banned is not None and not self.is_moderator:
            return False
        return self.community.public_read or self.is_member or self.is_moderator

    @property
    def can_join(self) -> bool:
        return self.member is not None and not self.is_member and self.banned is None

    @property
    def post_refusal(self) -> str | None:
        """Why this member may not post here (an error code), or None."""
        if self.member is None:
            return "login_required"
        if self.banned is not None:
            return "banned"
        if not self.is_member:
            return "not_member"
        if self.muted is not None:
            return "muted"
        if self.is_moderator:
            return None
        policy = self.community.post_policy
        if (
            policy == PostPolicy.MATCHING_ROLE
            and self.member.role != self.community.role
        ):
            return "role_mismatch"
        if policy == PostPolicy.WORK_VERIFIED and not self.member.is_work_verified:
            return "work_unverified"
        return None

    @property
    def can_post(self) -> bool:
        return self.post_refusal is None


def sanctions_in_force() -> QuerySet[Sanction]:
    """Sanctions that hold now: neither lifted nor past their end."""
    return Sanction.objects.filter(
        Q(ends_at__isnull=True) | Q(ends_at__gt=timezone.now()),
        lifted_at__isnull=True,
    )


def communities_banning(member: Member) -> QuerySet:
    """The ids of the communities that ban ``member`` now, as a subquery:
    what ``access_for(...).banned`` says of one community, for many rows at
    once."""
    return (
        sanctions_in_force()
        .filter(member=member, kind=SanctionKind.BAN)
        .values("community_id")
    )


def members_banned_from(community: Community | int) -> QuerySet:
    """The ids of the members ``community`` bans now, as a subquery:
    ``access_for(...).banned`` for many members of one community."""
    return (
        sanctions_in_force()
        .filter(community=community, kind=SanctionKind.BAN)
        .values("member_id")
    )


def access_for(member: Member | None, community: Community) -> Access:
    """Two queries at most, whatever the page."""
    if member is None or not member.is_authenticated:
        return Access(community, None, None, None, None)
    membership = Membership.objects.filter(community=community, member=member).first()
    active = {
        sanction.kind: sanction
        for sanction in sanctions_in_force().filter(community=community, member=member)
    }
    return Access(
        community,
        member,
        membership,
        active.get(SanctionKind.BAN),
        active.get(SanctionKind.MUTE),
    )


_MEMBERSHIP_FIELDS = ("id", "role", "joined_at")
_SANCTION_FIELDS = (
    "id",
    "kind",
    "reason",
    "ends_at",
    "lifted_at",
    "created_by_id",
    "created_at",
)


def community_access(*, slug: str, member: Member | None) -> Access | None:
    """The community ``slug`` and ``member``'s access to it (what
    ``access_for`` says), read in one query: the door of every community
    page (community.decorators.community_view) asks it on every request.
    None when there is no such community. Nothing is kept between requests:
    a ban, a mute, a lift, a role change or a leave holds from the next
    request on, and a sanction that ends by time ends at its time."""
    signed_in = member is not None and member.is_authenticated
    communities = Community.objects.filter(slug=slug)
    if signed_in:
        now = timezone.now()
        communities = communities.annotate(
            mine=FilteredRelation(
                "memberships", condition=Q(memberships__member=member)
            ),
            held=FilteredRelation(
                "sanctions",
                condition=Q(sanctions__member=member, sanctions__lifted_at__isnull=True)
                & (Q(sanctions__ends_at__isnull=True) | Q(sanctions__ends_at__gt=now)),
            ),
            **{f"_mine_{name}": F(f"mine__{name}") for name in _MEMBERSHIP_FIELDS},
            **{f"_held_{name}": F(f"held__{name}") for name in _SANCTION_FIELDS},
        )
    # One row per sanction in force (one row when there is none).
    rows = list(communities)
    if not rows:
        return None
    community = rows[0]
    if not signed_in:
        return Access(community, None, None, None, None)
    membership = None
    if community._mine_id is not None:
        membership = _loaded(
            Membership,
            community._state.db,
            {
                "community_id": community.pk,
                "member_id": member.pk,
                **{
                    name: getattr(community, f"_mine_{name}")
                    for name in _MEMBERSHIP_FIELDS
                },
            },
        )
    active = {}
    for row in rows:
        if row._held_id is None:
            continue
        sanction = _loaded(
            Sanction,
            community._state.db,
            {
                "community_id": community.pk,
                "member_id": member.pk,
                **{name: getattr(row, f"_held_{name}") for name in _SANCTION_FIELDS},
            },
        )
        active[sanction.kind] = sanction
    return Access(
        community,
        member,
        membership,
        active.get(SanctionKind.BAN),
        active.get(SanctionKind.MUTE),
    )


def _loaded(model, db: str, values: dict):
    """A ``model`` instance as read from ``db``, from every concrete field's
    value by attribute name (from_db takes them in the model's order)."""
    names = [field.attname for field in model._meta.concrete_fields]
    return model.from_db(db, names, [values[name] for name in names])
