"""What a community ban takes away in the community's gatherings: hosting,
applications and seats. ``community.services.moderation.sanction_impose``
calls it inside the ban's transaction, so the ban and all it takes away
commit together (or not at all)."""

from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from community.display import display_name
from community.models import Community, Member, MembershipRole
from events.models import (
    NOT_OVER,
    Application,
    ApplicationStatus,
    Gathering,
    GatheringStatus,
)
from events.services.lifecycle import gathering_advance_schedule
from events.services.notices import notices_send
from events.services.seats import application_end, locked_gathering

# The applications a ban ends: every one still waiting for or holding a seat.
LIVE_APPLICATIONS = [
    ApplicationStatus.APPLIED,
    ApplicationStatus.WAITLISTED,
    ApplicationStatus.OFFERED,
    ApplicationStatus.CONFIRMED,
]


def gatherings_ban(
    *,
    member: Member,
    community: Community,
    by: Member | None = None,
    now: datetime | None = None,
) -> None:
    """In every gathering of ``community`` that is not over, the banned
    ``member``'s part ends (``gatherings_part_end``); the other organisers
    but ``by`` of a gathering they hosted are told. No seat is offered to or
    confirmed by a banned member (``events.access.seat_refusal``). Past
    gatherings keep their hosts as a record; ``events.access.is_organiser``
    refuses a banned host there. Run inside the ban's transaction."""
    unhosted = gatherings_part_end(
        member=member,
        gatherings=Gathering.objects.filter(community=community),
        now=now or timezone.now(),
    )
    for gathering in unhosted:
        _organisers_tell(gathering, member, by)


def gatherings_part_end(
    *, member: Member, gatherings: QuerySet[Gathering], now: datetime
) -> list[Gathering]:
    """In each of ``gatherings`` that is not over, ``member``'s application
    ends as a withdrawal does (a seat passes to the next on the waitlist,
    the join URL is revoked, their sockets close, the lifecycle's next step
    is scheduled) and they no longer host it. A ban and leaving Moim both
    end a member's part this way. Returns the gatherings they hosted.

    Between the close of applications and the draw an application stays, as
    a withdrawal would: it is the input of the draw's published record; the
    draw ends it right after the ranking, before anyone is told
    (``draw_run``, ``events.access.seat_barred``).

    Run inside the caller's transaction: locks each gathering concerned,
    one after the other in id order."""
    gathering_ids = sorted(
        set(
            gatherings.filter(status__in=NOT_OVER)
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
    unhosted = []
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
            before = gathering.next_due_at
            application_end(
                gathering=gathering,
                application=application,
                now=now,
                reason="left the community",
            )
            gathering_advance_schedule(gathering, before)
        if gathering.hosts.filter(pk=member.pk).exists():
            gathering.hosts.remove(member)
            unhosted.append(gathering)
    return unhosted


def _organisers_tell(gathering: Gathering, member: Member, by: Member | None):
    """The gathering's other hosts and the community's moderators learn that
    ``member`` no longer hosts it, and why."""
    community = gathering.community
    organisers = {host.pk: host for host in gathering.hosts.exclude(pk=member.pk)} | {
        moderator.pk: moderator
        for moderator in Member.objects.filter(
            memberships__community=community,
            memberships__role__in=[MembershipRole.MODERATOR, MembershipRole.OWNER],
        )
    }
    organisers.pop(member.pk, None)
    if by is not None:
        organisers.pop(by.pk, None)
    context = {"name": display_name(member, community), "community": community.name}
    notices_send(
        items=[(organiser, context) for organiser in organisers.values()],
        gathering=gathering,
        detail=_(
            "%(name)s was banned from %(community)s and no longer hosts ‘%(title)s’."
        ),
    )
