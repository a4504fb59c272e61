"""Who organises a gathering and who may apply: one place for both."""

from community.access import Access, access_for
from community.models import Member
from events.errors import EventsError
from events.models import Gathering


def is_organiser(
    member: Member | None, gathering: Gathering, access: Access | None = None
) -> bool:
    """Community moderators (and staff) and the gathering's hosts."""
    if member is None or not member.is_authenticated:
        return False
    access = access or access_for(member, gathering.community)
    if access.is_moderator:
        return True
    return gathering.hosts.filter(pk=member.pk).exists()


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
