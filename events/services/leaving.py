"""What leaving Moim (``community.services.leaving.member_delete``) takes
away in gatherings: applications still waiting for or holding a seat end as
withdrawals do, through the seat service, so a seat passes on; the member
no longer hosts a gathering that is not over; what they wrote in an
application is erased. The outcomes stay: the draw records and the
survey's counts keep their rows (docs/privacy.md)."""

from datetime import datetime

from django.db.models import Q

from community.models import Member
from events.models import (
    NOT_OVER,
    Application,
    ApplicationStatus,
    Gathering,
    GatheringStatus,
    JoinPass,
)
from events.services.applications import application_end
from events.services.offers import locked_gathering
from events.services.sanctions import LIVE_APPLICATIONS


def gatherings_leave(*, member: Member, now: datetime) -> None:
    """End ``member``'s part in every gathering that is not over, and erase
    what they wrote in any application.

    Between the close of applications and the draw an application stays in
    the frozen input, as a ban's does: the draw ranks it and ends it right
    after (``events.access.seat_barred`` bars a member who left), before
    anyone is told. Run inside the leaving transaction: locks each gathering
    concerned, one after the other in id order."""
    gathering_ids = sorted(
        set(
            Gathering.objects.filter(status__in=NOT_OVER)
            .filter(
                Q(hosts=member)
                | Q(
                    applications__member=member,
                    applications__status__in=LIVE_APPLICATIONS,
                )
            )
            .values_list("pk", flat=True)
        )
    )
    for gathering_id in gathering_ids:
        gathering = locked_gathering(gathering_id)
        application = (
            Application.objects.select_for_update()
            .filter(gathering=gathering, member=member, status__in=LIVE_APPLICATIONS)
            .first()
        )
        frozen = (
            gathering.status == GatheringStatus.CLOSED
            and application is not None
            and application.status == ApplicationStatus.APPLIED
        )
        if application is not None and not frozen:
            application_end(gathering=gathering, application=application, now=now)
        gathering.hosts.remove(member)
    Application.objects.filter(member=member).update(motivation="", answers=[])
    JoinPass.objects.filter(application__member=member, revoked_at__isnull=True).update(
        revoked_at=now
    )
