"""Who organises a gathering and who may apply: one place for both."""

from django.db.models import Q

from community.access import (
    Access,
    access_for,
    communities_banning,
    members_banned_from,
)
from community.models import (
    Community,
    Member,
    Membership,
    MembershipRole,
)
from events.errors import EventsError
from events.models import Gathering


def is_organiser(
    member: Member | None, gathering: Gathering, access: Access | None = None
) -> bool:
    """Community moderators (and staff), and the gathering's hosts while they
    belong to its community. A ban takes it all: a banned member organises
    nothing in that community, whatever gatherings still name them as host.
    ``hosting`` is the same rule for many gatherings at once, ``organising``
    for many members."""
    if member is None or not member.is_authenticated:
        return False
    access = access or access_for(member, gathering.community)
    if access.banned is not None:
        return False
    if access.is_moderator:
        return True
    return access.is_member and gathering.hosts.filter(pk=member.pk).exists()


def hosting(member: Member) -> Q:
    """The gatherings ``member`` organises as their host, as a filter: hosted,
    in a community they belong to and are not banned from (``is_organiser``
    for one gathering)."""
    return (
        Q(hosts=member)
        & Q(
            community_id__in=Membership.objects.filter(member=member).values(
                "community_id"
            )
        )
        & ~Q(community_id__in=communities_banning(member))
    )


def organising(gathering: Gathering) -> Q:
    """The members who organise ``gathering``, as a filter on members
    (``is_organiser`` for many members at once, in one query): staff, the
    community's moderators and owners, and its hosts who belong to it; none
    that the community bans."""
    community_id = gathering.community_id
    memberships = Membership.objects.filter(community_id=community_id)
    moderators = memberships.filter(
        role__in=[MembershipRole.MODERATOR, MembershipRole.OWNER]
    )
    return ~Q(pk__in=members_banned_from(community_id)) & (
        Q(is_staff=True)
        | Q(pk__in=moderators.values("member_id"))
        | (
            Q(pk__in=gathering.hosts.values("pk"))
            & Q(pk__in=memberships.values("member_id"))
        )
    )


def organiser_write_refusal(access: Access) -> EventsError | None:
    """Why this organiser may not write what a gathering says to its
    members, or None: its title and description, publishing them, the
    cancellation (whose reason is mailed to every applicant) and the
    survey's set-up. A mute makes a member read-only everywhere in the
    community, organiser pages included; what writes no text (the dashboard,
    the draw, check-in, revoking a join URL, the survey's results) stays open
    to a muted host."""
    if access.muted is not None:
        return EventsError("muted")
    return None


def eligibility_refusal(
    member: Member, gathering: Gathering, access: Access
) -> EventsError | None:
    """Why ``member`` may not apply, or None."""
    if access.banned is not None:
        return EventsError("banned")
    if not access.is_member:
        return EventsError("not_member")
    if gathering.require_work_verified and not member.is_work_verified:
        return EventsError("work_unverified")
    if gathering.require_matching_role and member.role != gathering.community.role:
        return EventsError("role_mismatch", role=gathering.community.get_role_display())
    return None


def seat_refusal(access: Access) -> EventsError | None:
    """Why the member may not be offered, confirm or hold a seat at a
    gathering of ``access.community``, or None: a ban takes every seat, even
    one a draw run on an input frozen before the ban would give them.
    ``seat_barred`` is the same rule for many applications at once."""
    if access.banned is not None:
        return EventsError("banned")
    return None


def seat_barred(community: Community | int) -> Q:
    """The applications whose member may hold no seat in ``community``, as a
    filter on applications (``seat_refusal`` for many rows). A member who
    left Moim holds none anywhere (``events.services.leaving``)."""
    return Q(member_id__in=members_banned_from(community)) | Q(member__is_active=False)
