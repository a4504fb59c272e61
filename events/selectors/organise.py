"""Reads of the organiser pages: the dashboard, check-in, hosts. Each
function states its query budget."""

import unicodedata
from typing import NamedTuple

from django.core.paginator import Paginator
from django.db.models import Count, F, Q

from community.display import display_name
from community.models import Community, DisplayMode, Member
from events.access import host_candidates, is_attendance_evidence
from events.models import (
    Application,
    ApplicationStatus,
    Draw,
    Gathering,
    JoinPass,
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
        .select_related("member", "join_pass")
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


def organise_hosts(*, gathering: Gathering) -> list[Member]:
    """The gathering's hosts. One query."""
    return list(gathering.hosts.order_by("pk"))


class HostSuggestion(NamedTuple):
    public_id: str
    name: str  # as the community shows the member


def _shown_name_filter(community: Community, lookup: str, value: str) -> Q:
    """Members whose nickname, or the real name ``community`` shows of them,
    matches: a real name a member keeps to themselves here is never
    searched (community.display.display_name decides what is shown)."""
    shown_real_name = Q(**{f"real_name__{lookup}": value})
    if not community.requires_real_names:
        shown_real_name &= Q(display_mode=DisplayMode.REAL_NAME) | Q(nickname="")
    return Q(**{f"nickname_key__{lookup}": value}) | shown_real_name


def organise_host_suggestions(
    *, community: Community, query: str, limit: int = 8
) -> list[HostSuggestion]:
    """Members who may host a gathering of ``community`` (``host_candidates``)
    whose nickname, or the real name the community shows, contains
    ``query``; those whose name starts with it first. One query."""
    key = unicodedata.normalize("NFKC", query).strip().casefold()
    if not key:
        return []
    members = (
        Member.objects.filter(
            _shown_name_filter(community, "icontains", key),
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
    by ``names``: each a public id (what the picker sends), a nickname
    (with or without "@") or the name the community shows. A public id wins;
    a name that several members share is ambiguous rather than guessed.
    One query."""
    keys = {
        name: unicodedata.normalize("NFKC", name).strip().lstrip("@").casefold()
        for name in names
    }
    wanted = Q(public_id__in=list(names))
    for key in set(keys.values()):
        if key:
            wanted |= _shown_name_filter(community, "iexact", key)
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
            in {
                (m.nickname or "").casefold(),
                display_name(m, community).casefold(),
            }
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
