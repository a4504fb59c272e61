"""Who may do what in a community: decided in one place, from one read of the
member's membership and active sanctions, so every page and every action asks
the same question the same way."""

import functools
from dataclasses import dataclass

from django.db import connections, router
from django.db.models import Exists, Q, QuerySet
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
from community.rawsql import field_converters


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


def reading(community_id: int) -> Q:
    """``access_for(member, community).can_read`` for many members of one
    community at once, as a condition on Member (subqueries, no query of
    its own): staff and the community's moderators; else not banned from
    it, and a member of it or the community open to all readers."""
    moderating = Q(is_staff=True) | Q(
        pk__in=Membership.objects.filter(
            community_id=community_id,
            role__in=[MembershipRole.MODERATOR, MembershipRole.OWNER],
        ).values("member_id")
    )
    open_to_all = Exists(Community.objects.filter(pk=community_id, public_read=True))
    belongs = Q(
        pk__in=Membership.objects.filter(community_id=community_id).values("member_id")
    )
    return moderating | (
        ~Q(pk__in=members_banned_from(community_id)) & (Q(open_to_all) | belongs)
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
    request on, and a sanction that ends by time ends at its time.

    The query is written once per process (``_door``), not built by the
    ORM on every request: its LEFT JOINs through filtered relations cost a
    signed-in member's page some 4,000 Python calls to build and compile."""
    signed_in = member is not None and member.is_authenticated
    if not signed_in:
        community = Community.objects.filter(slug=slug).first()
        if community is None:
            return None
        return Access(community, None, None, None, None)
    db = router.db_for_read(Community)
    connection = connections[db]
    door = _door(db)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(door.sql, [member.pk, member.pk, now, slug])
        # One row per sanction in force (one row when there is none).
        rows = [door.convert(row, connection) for row in cursor.fetchall()]
    if not rows:
        return None
    first = rows[0]
    community = Community.from_db(db, door.community_names, first[: door.split[0]])
    mine = first[door.split[0] : door.split[1]]
    membership = None
    if mine[0] is not None:
        membership = _loaded(
            Membership,
            db,
            {
                "community_id": community.pk,
                "member_id": member.pk,
                **dict(zip(_MEMBERSHIP_FIELDS, mine, strict=True)),
            },
        )
    active = {}
    for row in rows:
        held = row[door.split[1] :]
        if held[0] is None:
            continue
        sanction = _loaded(
            Sanction,
            db,
            {
                "community_id": community.pk,
                "member_id": member.pk,
                **dict(zip(_SANCTION_FIELDS, held, strict=True)),
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


@dataclass(frozen=True)
class _Door:
    sql: str
    community_names: list[str]
    # Where the membership's columns start and the sanction's start.
    split: tuple[int, int]
    # Per column: the converters the ORM would apply to its value.
    converters: list[tuple]

    def convert(self, row, connection) -> list:
        values = list(row)
        for index, expression, converters in self.converters:
            value = values[index]
            for converter in converters:
                value = converter(value, expression, connection)
            values[index] = value
        return values


@functools.cache
def _door(db: str) -> _Door:
    """``community_access``'s query for the database ``db``: the community
    by slug, LEFT JOIN the member's membership, LEFT JOIN their sanctions in
    force (parameters: member id, member id, now, slug)."""
    connection = connections[db]
    qn = connection.ops.quote_name
    community_fields = list(Community._meta.concrete_fields)
    membership_fields = [Membership._meta.get_field(n) for n in _MEMBERSHIP_FIELDS]
    sanction_fields = [Sanction._meta.get_field(n) for n in _SANCTION_FIELDS]
    columns = (
        [("c", f) for f in community_fields]
        + [("m", f) for f in membership_fields]
        + [("s", f) for f in sanction_fields]
    )
    select = ", ".join(f"{alias}.{qn(field.column)}" for alias, field in columns)
    sanction = Sanction._meta
    # Only the models' own table and column names, quoted, are written in;
    # every value is a parameter.
    sql = (
        f"SELECT {select} FROM {qn(Community._meta.db_table)} c "  # noqa: S608
        f"LEFT JOIN {qn(Membership._meta.db_table)} m "
        f"ON m.{qn('community_id')} = c.{qn('id')} AND m.{qn('member_id')} = %s "
        f"LEFT JOIN {qn(sanction.db_table)} s "
        f"ON s.{qn('community_id')} = c.{qn('id')} AND s.{qn('member_id')} = %s "
        f"AND s.{qn(sanction.get_field('lifted_at').column)} IS NULL "
        f"AND (s.{qn(sanction.get_field('ends_at').column)} IS NULL "
        f"OR s.{qn(sanction.get_field('ends_at').column)} > %s) "
        f"WHERE c.{qn(Community._meta.get_field('slug').column)} = %s"
    )
    converters = []
    for index, (alias, field) in enumerate(columns):
        expression, found = field_converters(alias, field, connection)
        if found:
            converters.append((index, expression, found))
    first = len(community_fields)
    return _Door(
        sql,
        [f.attname for f in community_fields],
        (first, first + len(membership_fields)),
        converters,
    )


def _loaded(model, db: str, values: dict):
    """A ``model`` instance as read from ``db``, from every concrete field's
    value by attribute name (from_db takes them in the model's order)."""
    names = [field.attname for field in model._meta.concrete_fields]
    return model.from_db(db, names, [values[name] for name in names])
