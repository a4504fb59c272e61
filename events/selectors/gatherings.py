"""Reads of the member-facing gathering pages: the gathering page, "my
gatherings", the community page's list of upcoming gatherings and the draw
record. Each function states its query budget: pages pin their query
counts, so none of these may grow with the number of applications."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext as _

from community.access import Access
from community.models import Community, Member
from community.timefmt import local_format
from events import draw as algorithm
from events.access import (
    eligibility_refusal,
    hosting,
    is_organiser,
    join_refusal,
    withdraw_refusal,
)
from events.chain import log_head, movements_for_record
from events.errors import EventsError
from events.fairness import weights_compute
from events.join_tokens import join_path
from events.models import (
    Amendment,
    Application,
    ApplicationStatus,
    Draw,
    Gathering,
    GatheringStatus,
    SelectionMode,
)
from events.terms import terms_amendments

# Gatherings that a community page lists as coming up.
UPCOMING = [
    GatheringStatus.OPEN,
    GatheringStatus.CLOSED,
    GatheringStatus.DRAWN,
    GatheringStatus.LOBBY,
    GatheringStatus.LIVE,
]


def gathering_for_page(*, community: Community, gathering_id: int) -> Gathering | None:
    """The gathering of ``community`` with that id (one query). Whether the
    reader may see a draft is the caller's question (``gathering_visible``)."""
    return (
        Gathering.objects.select_related("community")
        .filter(community=community, pk=gathering_id)
        .first()
    )


def gathering_visible(
    gathering: Gathering, member: Member | None, access: Access
) -> bool:
    """A published gathering is visible to whoever may read its community
    (checked before); an unpublished draft only to its organisers."""
    return gathering.published_at is not None or is_organiser(member, gathering, access)


@dataclass
class JoinLink:
    """What an attendee may see of their personal join URL: the path once
    the link is released, else when it will be. Never the video link."""

    path: str = ""
    available_at: datetime | None = None
    revoked: bool = False


@dataclass
class GatheringPage:
    gathering: Gathering
    is_organiser: bool
    applied_count: int
    confirmed_count: int
    has_draw: bool
    application: Application | None = None
    chance: float | None = None
    join: JoinLink | None = None
    is_open: bool = False
    can_apply: bool = False
    can_withdraw: bool = False
    refusal: str = ""
    eligibility: list[str] = field(default_factory=list)


def _join_link(application: Application, now: datetime) -> JoinLink | None:
    """What an attendee sees of their join URL, by ``join_refusal``."""
    if application.status != ApplicationStatus.CONFIRMED:
        return None
    refusal = join_refusal(application, now)
    if refusal is None:
        return JoinLink(path=join_path(application.join_pass))
    if refusal.code == "join_revoked":
        return JoinLink(revoked=True)
    if refusal.code == "join_not_released":
        return JoinLink(available_at=application.gathering.link_release_at)
    return None


def application_chance(
    *, gathering: Gathering, application: Application, now: datetime
) -> float | None:
    """An estimate of ``application``'s chance of a seat in the coming draw,
    under the weights the draw would use now: the frozen ones after close,
    else the community's policy applied to the current applications. None
    when there is no draw to come. Six queries at most, whatever the number
    of applications."""
    if (
        gathering.selection_mode != SelectionMode.LOTTERY
        or application.status != ApplicationStatus.APPLIED
        or gathering.status not in {GatheringStatus.OPEN, GatheringStatus.CLOSED}
    ):
        return None
    waiting = Application.objects.filter(
        gathering=gathering, status=ApplicationStatus.APPLIED
    )
    if gathering.frozen_at is not None:
        pairs = list(waiting.values_list("pk", "weight"))
        weights = {pk: weight or 1 for pk, weight in pairs}
    else:
        applications = list(waiting.only("pk", "member_id"))
        weights = weights_compute(gathering, applications, now)
    if application.pk not in weights:
        return None
    ids = list(weights)
    chances = algorithm.win_probabilities(
        [weights[pk] for pk in ids], gathering.capacity
    )
    return chances[ids.index(application.pk)]


def _eligibility_notes(gathering: Gathering) -> list[str]:
    notes = [_("Members of this community can apply.")]
    if gathering.require_work_verified:
        notes.append(_("Only members verified at work can apply."))
    if gathering.require_matching_role:
        notes.append(
            _("Only members whose job role is %(role)s can apply.")
            % {"role": gathering.community.get_role_display()}
        )
    return notes


def gathering_page(
    *, gathering: Gathering, member: Member | None, access: Access, now: datetime
) -> GatheringPage:
    """Everything the gathering page shows, for this reader. Ten queries at
    most (the member's application and pass, the counts, the draw's
    existence, the organiser check, the chance), whatever the number of
    applications."""
    counts = Application.objects.filter(gathering=gathering).aggregate(
        applied=Count(
            "pk",
            filter=Q(weight__isnull=False)
            if gathering.frozen_at is not None
            else ~Q(status=ApplicationStatus.WITHDRAWN),
        ),
        confirmed=Count("pk", filter=Q(status=ApplicationStatus.CONFIRMED)),
    )
    has_draw = (
        gathering.selection_mode == SelectionMode.LOTTERY
        and gathering.frozen_at is not None
        and Draw.objects.filter(gathering=gathering).exists()
    )
    page = GatheringPage(
        gathering=gathering,
        is_organiser=is_organiser(member, gathering, access),
        applied_count=counts["applied"],
        confirmed_count=counts["confirmed"],
        has_draw=has_draw,
        eligibility=_eligibility_notes(gathering),
    )
    page.is_open = gathering.status == GatheringStatus.OPEN and (
        gathering.applications_open_at <= now < gathering.applications_close_at
    )
    if member is None or not member.is_authenticated:
        return page
    application = (
        Application.objects.select_related("join_pass")
        .filter(gathering=gathering, member=member)
        .first()
    )
    if application is not None:
        # The page's gathering is already loaded; spare the query.
        application.gathering = gathering
        page.application = application
        page.chance = application_chance(
            gathering=gathering, application=application, now=now
        )
        page.join = _join_link(application, now)
        page.can_withdraw = withdraw_refusal(application, gathering, now) is None
    if application is not None and application.status != ApplicationStatus.WITHDRAWN:
        return page
    refusal: EventsError | None = eligibility_refusal(member, gathering, access)
    if refusal is None and not page.is_open:
        refusal = EventsError("not_open")
    if refusal is None:
        page.can_apply = True
    else:
        page.refusal = refusal.message
        if refusal.code == "not_open" and now < gathering.applications_open_at:
            page.refusal = _("Applications open on %(time)s.") % {
                "time": local_format(gathering.applications_open_at)
            }
    return page


@dataclass
class MyApplicationRow:
    application: Application
    gathering: Gathering
    join: JoinLink | None
    has_draw: bool
    can_withdraw: bool


def member_gatherings_due(*, member: Member, now: datetime) -> list[int]:
    """Ids of the member's gatherings (applied or hosted) with a transition
    due, for the page to apply first. One query."""
    return list(
        Gathering.objects.filter(
            Q(applications__member=member) | Q(hosts=member),
            next_due_at__lte=now,
        )
        .values_list("pk", flat=True)
        .distinct()
    )


def member_applications(*, member: Member, now: datetime) -> list[MyApplicationRow]:
    """Every application of ``member``, the latest gathering first. One
    query, whatever their number."""
    applications = (
        Application.objects.filter(member=member)
        .select_related("gathering__community", "join_pass")
        .annotate(has_draw=Exists(Draw.objects.filter(gathering=OuterRef("gathering"))))
        .order_by("-gathering__starts_at", "-pk")
    )
    rows = []
    for application in applications:
        gathering = application.gathering
        rows.append(
            MyApplicationRow(
                application=application,
                gathering=gathering,
                join=_join_link(application, now),
                has_draw=application.has_draw,
                can_withdraw=withdraw_refusal(application, gathering, now) is None,
            )
        )
    return rows


def member_hosted_gatherings(*, member: Member) -> list[Gathering]:
    """The gatherings ``member`` hosts (and so organises), the latest first.
    One query."""
    return list(
        Gathering.objects.filter(hosting(member))
        .select_related("community")
        .order_by("-starts_at", "-pk")
    )


def gatherings_upcoming(
    *, community: Community, now: datetime, limit: int = 5
) -> list[Gathering]:
    """Published gatherings of ``community`` that have not ended, the
    soonest first, with what a row of the community page shows
    (partials/gathering_row.html): its 36 columns are read on every view
    of a community page. One query."""
    gatherings = list(
        Gathering.objects.filter(
            community=community,
            published_at__isnull=False,
            status__in=UPCOMING,
            ends_at__gt=now,
        )
        .only("community_id", "status", "format", "title", "starts_at", "capacity")
        .order_by("starts_at", "pk")[:limit]
    )
    for gathering in gatherings:
        gathering.community = community
    return gatherings


def draw_record_for_page(*, gathering: Gathering) -> dict | None:
    """The published draw record, with a v2 draw's seat movements appended
    (the stored record itself never changes); between a v2 close and its
    draw, the frozen list without the seed; None before. Two queries at
    most."""
    record = (
        Draw.objects.filter(gathering=gathering)
        .values_list("record", flat=True)
        .first()
    )
    if record is not None:
        if record.get("algorithm") == algorithm.ALGORITHM_V2:
            record = {**record, "movements": movements_for_record(gathering)}
        return record
    if gathering.terms and gathering.frozen_at is not None:
        return _frozen_list(gathering)
    return None


def _frozen_list(gathering: Gathering) -> dict:
    """What the close publishes before the draw: the terms, the commitment,
    the frozen entries and their digest; not the seed."""
    entries = [
        {"public_id": public_id, "weight": weight, "group": group or None}
        for public_id, weight, group in Application.objects.filter(
            gathering=gathering, weight__isnull=False
        )
        .order_by("public_id")
        .values_list("public_id", "weight", "group")
    ]
    return {
        "algorithm": algorithm.ALGORITHM_V2,
        "stage": "frozen",
        "gathering": {
            "uid": str(gathering.uid),
            "title": gathering.title,
            "community": gathering.community.slug,
        },
        "commitment": gathering.draw_commitment,
        "terms": gathering.terms,
        "terms_digest": gathering.terms_digest,
        "amendments": terms_amendments(gathering),
        "frozen_digest": gathering.frozen_digest,
        "entries": entries,
    }


class DrawLog(NamedTuple):
    """The draw's public trail on a gathering page: the community log's
    head, and for committed terms their digest, the beacon (or its absence)
    and the amendments."""

    head: dict | None
    terms_digest: str
    beacon_round: int | None
    amendments: list


def draw_log(*, gathering: Gathering) -> DrawLog:
    """One query for the head; one more for a gathering with terms."""
    amendments = []
    if gathering.terms:
        amendments = list(
            Amendment.objects.filter(gathering=gathering)
            .order_by("number")
            .values_list("number", "reason", "changes", "created_at", named=True)
        )
    beacon = (gathering.terms or {}).get("beacon") or {}
    return DrawLog(
        head=log_head(gathering.community_id),
        terms_digest=gathering.terms_digest,
        beacon_round=beacon.get("round"),
        amendments=amendments,
    )
