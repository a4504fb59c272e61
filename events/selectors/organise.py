"""Reads of the organiser pages: the dashboard, check-in, hosts. Each
function states its query budget."""

import unicodedata
from typing import NamedTuple

from django.core.paginator import Paginator
from django.db.models import Case, Count, F, Q, QuerySet, Value, When

from community.display import display_name, shown_name_q
from community.models import Community, Member
from events.access import (
    attendee_filter,
    host_candidates,
    is_attendance_evidence,
    no_show_filter,
)
from events.applicant_list import STORED, ApplicantQuery, ListOrder, ListStatus
from events.draw import WON
from events.models import (
    Application,
    ApplicationStatus,
    Draw,
    Gathering,
    JoinPass,
    SelectionMode,
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


def organise_draw_winners(*, gathering: Gathering) -> frozenset[str] | None:
    """The public ids of the applications that won the gathering's draw
    (as its record says: a later seat from the waitlist is not a win), or
    None when there is no draw. One query for a drawn lottery, none
    before its applications are frozen."""
    if gathering.selection_mode != SelectionMode.LOTTERY or gathering.frozen_at is None:
        return None
    draws = Draw.objects.filter(gathering=gathering)
    record = draws.values_list("record", flat=True).first()
    if record is None:
        return None
    return frozenset(
        entry["public_id"]
        for entry in record.get("entries", [])
        if entry.get("outcome") == WON
    )


class ApplicantCounts(NamedTuple):
    # ListStatus value -> how many applications it keeps.
    by_status: dict[str, int]
    total: int
    # How many applications have each of these (the columns that are empty
    # until then are not shown).
    ranked: int
    weighted: int
    waitlisted: int
    join_passes: int


def _status_condition(status: str, winners: frozenset[str] | None) -> Q:
    if status in STORED:
        return Q(status=status)
    if status == ListStatus.WON:
        return Q(public_id__in=sorted(winners or ())) if winners else Q(pk__in=[])
    # The one meaning analytics, the survey and the path use: a confirmed
    # seat not recorded as a no-show attended (events.access).
    if status == ListStatus.ATTENDED:
        return attendee_filter()
    if status == ListStatus.NO_SHOW:
        return no_show_filter()
    raise ValueError(status)


def organise_applicant_counts(
    *, gathering: Gathering, winners: frozenset[str] | None = None
) -> ApplicantCounts:
    """How many applications each status filter keeps, and how many have a
    rank, a weight, a waitlist place and a join pass. One query."""
    aggregates = {
        f"s_{value}": Count("pk", filter=_status_condition(value, winners))
        for value in ListStatus.values
    }
    row = Application.objects.filter(gathering=gathering).aggregate(
        total=Count("pk"),
        ranked=Count("rank"),
        weighted=Count("weight"),
        waitlisted=Count("waitlist_position"),
        join_passes=Count("join_pass"),
        **aggregates,
    )
    return ApplicantCounts(
        by_status={value: row[f"s_{value}"] for value in ListStatus.values},
        total=row["total"],
        ranked=row["ranked"],
        weighted=row["weighted"],
        waitlisted=row["waitlisted"],
        join_passes=row["join_passes"],
    )


def _name_condition(gathering: Gathering, search: str) -> Q:
    """Applications whose member is shown under a name containing
    ``search`` (``shown_name_q``: never a name the community does not show
    of them), or whose application or member public id it is."""
    member_id = Q(public_id__iexact=search) | Q(member__public_id__iexact=search)
    key = unicodedata.normalize("NFKC", search).strip().casefold()
    if not key:
        return member_id
    return member_id | shown_name_q(
        gathering.community, "icontains", key, via="member__"
    )


# The order the "status" sort lists: where an organiser's attention goes
# first (pending offers and confirmations), then the waiting, then the rest.
STATUS_ORDER = [
    ApplicationStatus.OFFERED,
    ApplicationStatus.CONFIRMED,
    ApplicationStatus.APPLIED,
    ApplicationStatus.WAITLISTED,
    ApplicationStatus.DECLINED,
    ApplicationStatus.EXPIRED,
    ApplicationStatus.WITHDRAWN,
    ApplicationStatus.NOT_SELECTED,
    ApplicationStatus.CANCELLED,
]
BY_RANK = (F("rank").asc(nulls_last=True), "created_at", "pk")


def _ordering(order: str) -> tuple:
    if order == ListOrder.DATE:
        return ("created_at", "pk")
    if order == ListOrder.RECENT:
        return ("-created_at", "-pk")
    if order == ListOrder.STATUS:
        position = Case(
            *(When(status=s, then=Value(i)) for i, s in enumerate(STATUS_ORDER)),
            default=Value(len(STATUS_ORDER)),
        )
        return (position.asc(), *BY_RANK)
    return BY_RANK


def _applicants(
    gathering: Gathering,
    query: ApplicantQuery,
    winners: frozenset[str] | None,
) -> QuerySet[Application]:
    applications = Application.objects.filter(gathering=gathering)
    if query.status:
        applications = applications.filter(_status_condition(query.status, winners))
    if query.search:
        applications = applications.filter(_name_condition(gathering, query.search))
    return applications.select_related("member", "join_pass").order_by(
        *_ordering(query.order)
    )


def _annotate(
    gathering: Gathering,
    applications: list[Application],
    winners: frozenset[str] | None,
) -> None:
    for application in applications:
        # Each answer next to its question, for the template; an answer
        # left out (or a question added later) pairs with nothing.
        application.qa = list(
            zip(gathering.questions, application.answers, strict=False)
        )
        application.won = winners is not None and application.public_id in winners


def organise_application_page(
    *,
    gathering: Gathering,
    page: int | str = 1,
    query: ApplicantQuery = ApplicantQuery(),  # noqa: B008 (immutable)
    winners: frozenset[str] | None = None,
):
    """A page of the gathering's applications for its organisers, those
    ``query`` keeps in its order (by default in draw order once there is
    one, unranked ones after, by arrival), with each member and join pass.
    Two queries (count and page), whatever the number of applications."""
    applications = _applicants(gathering, query, winners)
    page_obj = Paginator(applications, APPLICATIONS_PER_PAGE).get_page(page)
    page_obj.object_list = list(page_obj.object_list)
    _annotate(gathering, page_obj.object_list, winners)
    return page_obj


def organise_applicant_rows(
    *,
    gathering: Gathering,
    query: ApplicantQuery,
    winners: frozenset[str] | None = None,
) -> list[Application]:
    """Every application ``query`` keeps, in its order, with each member and
    join pass, for an export. One query."""
    applications = list(_applicants(gathering, query, winners))
    _annotate(gathering, applications, winners)
    return applications


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


class HostSuggestion(NamedTuple):
    public_id: str
    name: str  # as the community shows the member


def organise_host_suggestions(
    *, community: Community, query: str, limit: int = 8
) -> list[HostSuggestion]:
    """Members who may host a gathering of ``community`` (``host_candidates``)
    whose name as the community shows it contains ``query``
    (``shown_name_q``); those whose name starts with it first. One query."""
    key = unicodedata.normalize("NFKC", query).strip().casefold()
    if not key:
        return []
    members = (
        Member.objects.filter(
            shown_name_q(community, "icontains", key),
            host_candidates(community),
        )
        .only("pk", "public_id", "real_name", "nickname", "display_mode")
        .order_by("nickname_key", "real_name", "pk")[: limit * 3]
    )
    found = [HostSuggestion(m.public_id, display_name(m, community)) for m in members]
    found.sort(key=lambda s: not s.name.casefold().startswith(key))
    return found[:limit]


class HostResolution(NamedTuple):
    members: list[Member]  # in the order named, each once
    unknown: list[str]  # names that match no member who may host
    ambiguous: list[str]  # names that match several


def organise_hosts_resolve(*, community: Community, names: list[str]) -> HostResolution:
    """The members of ``community`` who may host (``host_candidates``) named
    by ``names``: each a public id (what the picker sends) or the name the
    community shows (``shown_name_q``; with or without "@", so a shown
    nickname may be typed as a mention). A public id wins;
    a name that several members share is ambiguous rather than guessed.
    One query."""
    keys = {
        name: unicodedata.normalize("NFKC", name).strip().lstrip("@").casefold()
        for name in names
    }
    wanted = Q(public_id__in=list(names))
    for key in set(keys.values()):
        if key:
            wanted |= shown_name_q(community, "iexact", key)
    candidates = list(
        Member.objects.filter(wanted, host_candidates(community)).only(
            "pk", "public_id", "real_name", "nickname", "display_mode"
        )
    )
    members, unknown, ambiguous = [], [], []
    for name in names:
        key = keys[name]
        matches = [m for m in candidates if m.public_id == name] or [
            m
            for m in candidates
            if key
            and key
            == unicodedata.normalize("NFKC", display_name(m, community)).casefold()
        ]
        if not matches:
            unknown.append(name)
        elif len(matches) > 1:
            ambiguous.append(name)
        elif matches[0] not in members:
            members.append(matches[0])
    return HostResolution(members, unknown, ambiguous)


def organise_has_draw(*, gathering: Gathering) -> bool:
    """One query."""
    return Draw.objects.filter(gathering=gathering).exists()
