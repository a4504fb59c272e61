"""Reads of the member-facing gathering pages: the gathering page, "my
gatherings", the community page's list of upcoming gatherings and the draw
record. Each function states its query budget: pages pin their query
counts, so none of these may grow with the number of applications."""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import NamedTuple

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext as _

from community.access import Access, communities_banning
from community.models import Community, Member
from community.timefmt import local_format
from events import checkin_tokens
from events import draw as algorithm
from events.access import (
    attendee_pass_shown,
    checkin_window,
    eligibility_refusal,
    is_organiser,
    join_refusal,
    organised_by,
    self_checkin_refusal,
    survey_open_refusal,
    withdraw_refusal,
)
from events.chain import log_head, movements_for_record
from events.errors import EventsError
from events.fairness import weights_compute
from events.join_tokens import join_path
from events.models import (
    NOT_OVER,
    Amendment,
    Application,
    ApplicationStatus,
    Draw,
    Gathering,
    GatheringStatus,
    SelectionMode,
    SelfCheckin,
    SurveyInvitation,
    SurveyParticipation,
)
from events.selectors.surveys import SurveyState
from events.terms import terms_amendments
from realtime.models import Room

# Gatherings that a community page lists as coming up.
UPCOMING = [
    GatheringStatus.OPEN,
    GatheringStatus.CLOSED,
    GatheringStatus.DRAWN,
    GatheringStatus.LOBBY,
    GatheringStatus.LIVE,
]
# Gatherings that "my gatherings" lists as upcoming rather than past: those
# coming up, and an organiser's drafts.
COMING = [*UPCOMING, GatheringStatus.DRAFT]


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


class PageAction(StrEnum):
    """What the gathering page leads with, for one reader: its main panel,
    the first thing under the title (on a phone, in the first screen). One
    value per state of the gathering and of the reader's application;
    ``page_action`` decides it, the template only draws it."""

    DRAFT = "draft"  # unpublished, organisers only; the header says so
    OPENS_LATER = "opens_later"  # published, applications not open yet
    APPLY = "apply"  # the application form
    SIGN_IN = "sign_in"  # open, signed out
    JOIN_COMMUNITY = "join_community"  # open, not a member but may join
    REFUSED = "refused"  # open, a member who may not apply: why
    CLOSED = "closed"  # applications closed, no application of theirs
    APPLIED = "applied"  # waiting for the draw
    OFFERED = "offered"  # claim the offer (or decline it)
    CONFIRMED = "confirmed"  # a seat: when the link comes, or the venue
    JOIN_NOW = "join_now"  # a seat, the link released: join
    WAITLISTED = "waitlisted"
    NOT_SEATED = "not_seated"  # not selected, declined, offer expired
    LIVE = "live"  # happening now, nothing for this reader to do
    SURVEY = "survey"  # answer the survey
    ENDED = "ended"
    CANCELLED = "cancelled"


# Actions under which the page explains who may apply.
APPLYING = frozenset(
    {
        PageAction.DRAFT,
        PageAction.OPENS_LATER,
        PageAction.APPLY,
        PageAction.SIGN_IN,
        PageAction.JOIN_COMMUNITY,
        PageAction.REFUSED,
    }
)
# A seat the member holds, by application status (before the start).
SEAT_ACTIONS = {
    ApplicationStatus.APPLIED: PageAction.APPLIED,
    ApplicationStatus.OFFERED: PageAction.OFFERED,
    ApplicationStatus.CONFIRMED: PageAction.CONFIRMED,
    ApplicationStatus.WAITLISTED: PageAction.WAITLISTED,
}
# The gathering is on (its chat lobby open, or live).
HAPPENING = frozenset({GatheringStatus.LOBBY, GatheringStatus.LIVE})


@dataclass
class AttendeeCheckin:
    """An attendee's check-in at a gathering at a venue, as their page
    shows it: the QR code's value and its short code, whether they are
    checked in, and whether the venue code's form is open to them now."""

    value: str
    code: str
    checked_in: bool
    self_open: bool
    opens_at: datetime


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
    action: PageAction = PageAction.ENDED
    # The chat room on the page: "" (none for this reader), "soon", "room",
    # "archive" or "archive_empty" (read only, and nobody wrote).
    chat: str = ""
    checkin: AttendeeCheckin | None = None

    @property
    def shows_eligibility(self) -> bool:
        """Who may apply matters only while one still may."""
        return self.action in APPLYING

    @property
    def shows_calendar(self) -> bool:
        gathering = self.gathering
        return (
            gathering.published_at is not None
            and gathering.status in NOT_OVER
            and not gathering.is_cancelled
        )


def _join_link(application: Application, now: datetime) -> JoinLink | None:
    """What an attendee sees of their join URL, by ``join_refusal`` (an
    offline gathering has none: its attendees come to the venue)."""
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


def _attendee_checkin(
    application: Application, now: datetime
) -> AttendeeCheckin | None:
    """The attendee's check-in codes (``attendee_pass_shown``). One query
    (the gathering's self check-in), only for such an attendee."""
    if not attendee_pass_shown(application):
        return None
    gathering = application.gathering
    enabled = SelfCheckin.objects.filter(gathering=gathering, enabled=True).exists()
    ids = {"gathering_id": gathering.pk, "public_id": application.public_id}
    return AttendeeCheckin(
        value=checkin_tokens.attendee_pass(**ids),
        code=checkin_tokens.attendee_code(**ids),
        checked_in=application.attended is True,
        self_open=self_checkin_refusal(
            application=application, gathering=gathering, enabled=enabled, now=now
        )
        is None,
        opens_at=checkin_window(gathering)[0],
    )


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


def page_action(
    *,
    page: GatheringPage,
    member: Member | None,
    access: Access,
    survey: SurveyState | None,
    now: datetime,
) -> PageAction:
    """The one panel the page leads with, from the gathering's state and the
    reader's (``PageAction``). Past, live and cancelled gatherings offer no
    application; the rules themselves are ``events.access``'s predicates,
    which ``gathering_page`` has already asked. No query."""
    gathering = page.gathering
    status = gathering.status
    application = page.application
    holds = (
        application.status
        if application is not None and application.status != ApplicationStatus.WITHDRAWN
        else None
    )
    if gathering.is_cancelled:
        return PageAction.CANCELLED
    if gathering.published_at is None:
        return PageAction.DRAFT
    if survey is not None and survey.can_answer:
        return PageAction.SURVEY
    if status not in NOT_OVER or now >= gathering.ends_at:
        return PageAction.ENDED
    if status in HAPPENING or now >= gathering.starts_at:
        if holds != ApplicationStatus.CONFIRMED:
            return PageAction.LIVE
        if page.join is not None and page.join.path:
            return PageAction.JOIN_NOW
        return PageAction.CONFIRMED
    if holds is not None:
        return SEAT_ACTIONS.get(holds, PageAction.NOT_SEATED)
    if page.can_apply:
        return PageAction.APPLY
    if now < gathering.applications_open_at:
        return PageAction.OPENS_LATER
    if not page.is_open:
        return PageAction.CLOSED
    if member is None or not member.is_authenticated:
        return PageAction.SIGN_IN
    if not access.is_member and access.can_join:
        return PageAction.JOIN_COMMUNITY
    return PageAction.REFUSED


def _chat(page: GatheringPage) -> str:
    """The chat room the page shows (``GatheringPage.chat``): attendees and
    organisers only; an archive nobody wrote in is said, not drawn as an
    empty box. One query for an archive, else none."""
    application = page.application
    if not (
        page.is_organiser
        or (
            application is not None
            and application.status == ApplicationStatus.CONFIRMED
        )
    ):
        return ""
    state = page.gathering.chat_state
    if state == "before":
        return "soon" if not page.gathering.is_cancelled else ""
    if state != "archive":
        return "room"
    written = Room.objects.filter(gathering=page.gathering, last_seq__gt=0).exists()
    return "archive" if written else "archive_empty"


def gathering_page(
    *,
    gathering: Gathering,
    member: Member | None,
    access: Access,
    now: datetime,
    survey: SurveyState | None = None,
) -> GatheringPage:
    """Everything the gathering page shows, for this reader, and what it
    leads with (``page_action``; ``survey`` is ``survey_state``'s answer).
    Eleven queries at most (the member's application and pass, the counts,
    the draw's existence, the organiser check, the chance, the chat
    archive), whatever the number of applications."""
    page = _gathering_page(gathering=gathering, member=member, access=access, now=now)
    page.action = page_action(
        page=page, member=member, access=access, survey=survey, now=now
    )
    page.chat = _chat(page)
    return page


def _gathering_page(
    *, gathering: Gathering, member: Member | None, access: Access, now: datetime
) -> GatheringPage:
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
    if now < gathering.applications_open_at:
        page.refusal = _("Applications open on %(time)s.") % {
            "time": local_format(gathering.applications_open_at)
        }
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
        page.checkin = _attendee_checkin(application, now)
    if application is not None and application.status != ApplicationStatus.WITHDRAWN:
        return page
    refusal: EventsError | None = eligibility_refusal(member, gathering, access)
    if refusal is None and not page.is_open:
        refusal = EventsError("not_open")
    if refusal is None:
        page.can_apply = True
    elif not (refusal.code == "not_open" and page.refusal):
        page.refusal = refusal.message
    return page


@dataclass
class MyApplicationRow:
    application: Application
    gathering: Gathering
    join: JoinLink | None
    has_draw: bool
    can_withdraw: bool
    # The gathering's survey is open and waits for this member's answer.
    survey_waiting: bool = False

    @property
    def is_upcoming(self) -> bool:
        return self.gathering.status in COMING


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
    """Every application of ``member``, the latest gathering first, each
    with whether its survey waits for their answer (open, they were invited
    when it opened, they have not answered). One query, whatever their
    number."""
    survey_of = {"survey__gathering": OuterRef("gathering"), "member": member}
    applications = (
        Application.objects.filter(member=member)
        .select_related("gathering__community", "gathering__survey", "join_pass")
        .annotate(
            has_draw=Exists(Draw.objects.filter(gathering=OuterRef("gathering"))),
            survey_invited=Exists(SurveyInvitation.objects.filter(**survey_of)),
            survey_answered=Exists(SurveyParticipation.objects.filter(**survey_of)),
        )
        .order_by("-gathering__starts_at", "-pk")
    )
    rows = []
    for application in applications:
        gathering = application.gathering
        survey = getattr(gathering, "survey", None)
        rows.append(
            MyApplicationRow(
                application=application,
                gathering=gathering,
                join=_join_link(application, now),
                has_draw=application.has_draw,
                can_withdraw=withdraw_refusal(application, gathering, now) is None,
                survey_waiting=(
                    application.survey_invited
                    and not application.survey_answered
                    and survey_open_refusal(survey, gathering.status, now) is None
                ),
            )
        )
    return rows


def member_hosted_gatherings(*, member: Member) -> list[Gathering]:
    """The gatherings ``member`` organises (hosts, or in a community they
    moderate), the latest first, drafts included. One query."""
    return list(
        Gathering.objects.filter(organised_by(member))
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


@dataclass
class HomeGatherings:
    """What the signed-in home shows of gatherings: the member's next one
    (with what they see of its join link), the seat offers waiting for their
    answer, and gatherings open for applications in their communities."""

    next_seat: MyApplicationRow | None
    offers: list[Application]
    open_gatherings: list[Gathering]


def home_gatherings(
    *, member: Member, community_ids: list[int], now: datetime, limit: int = 5
) -> HomeGatherings:
    """The gatherings part of ``member``'s home. Three queries, whatever the
    number of their communities, applications or gatherings."""
    seat = (
        Application.objects.filter(
            member=member,
            status=ApplicationStatus.CONFIRMED,
            gathering__status__in=UPCOMING,
            gathering__ends_at__gt=now,
        )
        .select_related("gathering__community", "join_pass")
        .order_by("gathering__starts_at", "pk")
        .first()
    )
    next_seat = None
    if seat is not None:
        next_seat = MyApplicationRow(
            application=seat,
            gathering=seat.gathering,
            join=_join_link(seat, now),
            has_draw=False,
            can_withdraw=False,
        )
    offers = list(
        Application.objects.filter(
            member=member,
            status=ApplicationStatus.OFFERED,
            offer_expires_at__gt=now,
        )
        .select_related("gathering__community")
        .order_by("offer_expires_at", "pk")[:limit]
    )
    open_gatherings = list(
        Gathering.objects.filter(
            community_id__in=community_ids,
            published_at__isnull=False,
            status=GatheringStatus.OPEN,
            applications_close_at__gt=now,
        )
        .exclude(community_id__in=communities_banning(member))
        .annotate(
            applied=Exists(
                Application.objects.filter(
                    gathering=OuterRef("pk"), member=member
                ).exclude(status=ApplicationStatus.WITHDRAWN)
            )
        )
        .select_related("community")
        .order_by("applications_close_at", "starts_at", "pk")[:limit]
    )
    return HomeGatherings(
        next_seat=next_seat, offers=offers, open_gatherings=open_gatherings
    )
