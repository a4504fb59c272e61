"""Reads of the organiser pages: the dashboard, check-in, hosts. Each
function states its query budget."""

from typing import NamedTuple

from django.core.paginator import Paginator
from django.db.models import Count, F, Q

from community.models import Community, Member
from events.access import is_attendance_evidence
from events.models import (
    Application,
    ApplicationStatus,
    Draw,
    Gathering,
    JoinPass,
    SelfCheckin,
)

APPLICATIONS_PER_PAGE = 100


def organise_application_counts(*, gathering: Gathering) -> dict[str, int]:
    """How many applications are in each status, every status present (zero
    when none). One query."""
    counts = dict.fromkeys(ApplicationStatus.values, 0)
    rows = (
        Application.objects.filter(gathering=gathering)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    counts.update(dict(rows))
    return counts


def organise_application_page(*, gathering: Gathering, page: int | str = 1):
    """A page of the gathering's applications for its organisers, in draw
    order once there is one (unranked ones after, by arrival), with each
    member and join pass. Two queries (count and page), whatever the
    number of applications."""
    applications = (
        Application.objects.filter(gathering=gathering)
        .select_related("member", "join_pass")
        .order_by(F("rank").asc(nulls_last=True), "created_at", "pk")
    )
    page_obj = Paginator(applications, APPLICATIONS_PER_PAGE).get_page(page)
    page_obj.object_list = list(page_obj.object_list)
    for application in page_obj.object_list:
        # Each answer next to its question, for the template; an answer
        # left out (or a question added later) pairs with nothing.
        application.qa = list(
            zip(gathering.questions, application.answers, strict=False)
        )
    return page_obj


def organise_application_get(
    *, gathering: Gathering, application_id: int
) -> Application | None:
    """An application of this gathering (None for any other id). One
    query."""
    return (
        Application.objects.select_related("member")
        .filter(gathering=gathering, pk=application_id)
        .first()
    )


class CheckinRow(NamedTuple):
    application: Application
    # "attended", "no_show" or None: the choice the check-in form starts at.
    prefill: str | None


def organise_checkin_rows(*, gathering: Gathering) -> list[CheckinRow]:
    """Confirmed attendees with the check-in choice to pre-fill: what was
    recorded, else "attended" when their join URL was used as attendance
    evidence (``is_attendance_evidence``), else nothing. One query."""
    applications = (
        Application.objects.filter(
            gathering=gathering, status=ApplicationStatus.CONFIRMED
        )
        .select_related("member", "join_pass", "checkin")
        .order_by(F("rank").asc(nulls_last=True), "confirmed_at", "pk")
    )
    rows = []
    for application in applications:
        join_pass: JoinPass | None = getattr(application, "join_pass", None)
        if application.attended is not None:
            prefill = "attended" if application.attended else "no_show"
        elif (
            join_pass is not None
            and join_pass.first_used_at is not None
            and is_attendance_evidence(gathering, join_pass.first_used_at)
        ):
            prefill = "attended"
        else:
            prefill = None
        rows.append(CheckinRow(application, prefill))
    return rows


class CheckinCount(NamedTuple):
    checked_in: int
    confirmed: int


def organise_checkin_count(*, gathering: Gathering) -> CheckinCount:
    """How many confirmed attendees are marked attended, of how many. One
    query."""
    counts = Application.objects.filter(
        gathering=gathering, status=ApplicationStatus.CONFIRMED
    ).aggregate(confirmed=Count("pk"), checked_in=Count("pk", filter=Q(attended=True)))
    return CheckinCount(counts["checked_in"], counts["confirmed"])


def organise_self_checkin(*, gathering: Gathering) -> SelfCheckin | None:
    """The gathering's self check-in settings, if an organiser ever set
    them. One query."""
    return SelfCheckin.objects.filter(gathering=gathering).first()


def organise_hosts(*, gathering: Gathering) -> list[Member]:
    """The gathering's hosts. One query."""
    return list(gathering.hosts.order_by("pk"))


def organise_community_members(
    *, community: Community, public_ids: list[str]
) -> tuple[list[Member], list[str]]:
    """Members of ``community`` with those public ids, in the order given,
    and the ids that name nobody in it. One query."""
    found = {
        member.public_id: member
        for member in Member.objects.filter(
            public_id__in=public_ids,
            memberships__community=community,
            is_active=True,
        )
    }
    members = [found[pid] for pid in public_ids if pid in found]
    unknown = [pid for pid in public_ids if pid not in found]
    return members, unknown


def organise_has_draw(*, gathering: Gathering) -> bool:
    """One query."""
    return Draw.objects.filter(gathering=gathering).exists()
