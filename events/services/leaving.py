"""What leaving Moim (``community.services.leaving.member_delete``) takes
away in gatherings: applications still waiting for or holding a seat end as
withdrawals do, through the seat service, so a seat passes on; the member
no longer hosts a gathering that is not over; what they wrote in an
application is erased. The outcomes stay: the draw records and the
survey's counts keep their rows (docs/privacy.md)."""

from datetime import datetime

from community.models import Member
from events.models import Application, Gathering, JoinPass
from events.services.sanctions import gatherings_part_end


def gatherings_leave(*, member: Member, now: datetime) -> None:
    """End ``member``'s part in every gathering that is not over, as a ban
    does in one community (``gatherings_part_end``), and erase what they
    wrote in any application. Run inside the leaving transaction."""
    gatherings_part_end(member=member, gatherings=Gathering.objects.all(), now=now)
    Application.objects.filter(member=member).update(motivation="", answers=[])
    JoinPass.objects.filter(application__member=member, revoked_at__isnull=True).update(
        revoked_at=now
    )
