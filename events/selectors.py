"""Reads that shape the events pages. Each function states its query budget:
pages pin their query counts, so none of these may grow with the number of
applications."""

import random
from dataclasses import dataclass, field
from datetime import datetime

from django.core.paginator import Paginator
from django.db.models import Count, Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from community.access import Access
from community.models import Community, Member, Thread
from community.models import Visibility as ThreadVisibility
from events import draw as algorithm
from events.access import (
    answer_refusal,
    attendee_filter,
    eligibility_refusal,
    hosting,
    is_organiser,
    join_refusal,
    response_refusal,
    survey_open_refusal,
    withdraw_refusal,
)
from events.errors import EventsError
from events.fairness import weights_compute
from events.join_tokens import join_path
from events.models import (
    Application,
    ApplicationStatus,
    Draw,
    Gathering,
    GatheringStatus,
    JoinPass,
    PathItemVisibility,
    PathKind,
    PathVisibility,
    SelectionMode,
    Survey,
    SurveyInvitation,
    SurveyParticipation,
    SurveyResponse,
    Takeaway,
)
from events.questions import QuestionKind, survey_questions

# ---------------------------------------------------------------------------
# Member-facing pages: the gathering page, "my gatherings", the community
# page's list of upcoming gatherings.
# ---------------------------------------------------------------------------

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
                "time": _local(gathering.applications_open_at)
            }
    return page


def _local(when: datetime) -> str:
    return formats.date_format(timezone.localtime(when), "DATETIME_FORMAT")


@dataclass
class MyApplicationRow:
    application: Application
    gathering: Gathering
    join: JoinLink | None
    draw_url: str
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
        draw_url = (
            reverse("draw_record", args=[gathering.community.slug, gathering.pk])
            if application.has_draw
            else ""
        )
        rows.append(
            MyApplicationRow(
                application=application,
                gathering=gathering,
                join=_join_link(application, now),
                draw_url=draw_url,
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
    """The published draw record, or None before the draw. One query."""
    return (
        Draw.objects.filter(gathering=gathering)
        .values_list("record", flat=True)
        .first()
    )


# ---------------------------------------------------------------------------
# Organiser pages: the dashboard, check-in, hosts.
# ---------------------------------------------------------------------------

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


def organise_checkin_rows(
    *, gathering: Gathering
) -> list[tuple[Application, str | None]]:
    """Confirmed attendees with the check-in choice to pre-fill: what was
    recorded, else "attended" when their join URL was used, else nothing.
    One query."""
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
        elif join_pass is not None and join_pass.first_used_at is not None:
            prefill = "attended"
        else:
            prefill = None
        rows.append((application, prefill))
    return rows


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


# ---------------------------------------------------------------------------
# The survey: what a member, an organiser and the public may see of it.
# Results exist only after the close and from k responses (docs/anonymity.md).
# ---------------------------------------------------------------------------

SURVEY_DONE = [GatheringStatus.SURVEY_CLOSED, GatheringStatus.ARCHIVED]
AFTER_END = [
    GatheringStatus.ENDED,
    GatheringStatus.SURVEY_OPEN,
    *SURVEY_DONE,
]


@dataclass
class SurveyState:
    """The survey as one member sees it on the gathering page."""

    survey: Survey | None
    is_open: bool
    is_closed: bool
    # Attended (check-in as it stands): may keep a takeaway.
    is_attendee: bool
    answered: bool
    # Invited when the survey opened: who may answer, whatever check-in
    # records later; ``refusal`` says why a member may not (organisers).
    invited: bool = False
    refusal: EventsError | None = None
    takeaway: Takeaway | None = None

    @property
    def response_refusal(self) -> EventsError | None:
        """Why the member may not answer (``response_refusal``), or None."""
        return response_refusal(
            member_refusal=self.refusal,
            open_refusal=None if self.is_open else EventsError("survey_not_open"),
            answered=self.answered,
        )

    @property
    def can_answer(self) -> bool:
        return self.response_refusal is None


def survey_state(
    *,
    gathering: Gathering,
    member: Member | None,
    now: datetime,
    access: Access | None = None,
) -> SurveyState | None:
    """None before the gathering ends. Five queries, a few more for an
    invited member or an attendee while the survey is open."""
    if gathering.status not in AFTER_END:
        return None
    survey = Survey.objects.filter(gathering=gathering).first()
    is_open = survey_open_refusal(survey, gathering.status, now) is None
    state = SurveyState(
        survey=survey,
        is_open=is_open,
        is_closed=gathering.status in SURVEY_DONE,
        is_attendee=False,
        answered=False,
        refusal=EventsError("survey_not_attendee"),
    )
    if member is None or not member.is_authenticated:
        return state
    state.is_attendee = Application.objects.filter(
        attendee_filter(), gathering=gathering, member=member
    ).exists()
    state.invited = survey is not None and (
        SurveyInvitation.objects.filter(survey=survey, member=member).exists()
    )
    if not (state.is_attendee or state.invited):
        return state
    state.refusal = answer_refusal(
        member=member, gathering=gathering, survey=survey, access=access
    )
    state.answered = survey is not None and (
        SurveyParticipation.objects.filter(survey=survey, member=member).exists()
    )
    state.takeaway = Takeaway.objects.filter(gathering=gathering, member=member).first()
    return state


def survey_summary_shown(survey: Survey | None) -> bool:
    """Whether the average may be published: after the close, from k."""
    return (
        survey is not None
        and survey.response_count is not None
        and survey.response_count >= survey.min_responses
        and survey.satisfaction_average is not None
    )


def survey_for_form(*, gathering: Gathering) -> Survey | None:
    """One query."""
    return Survey.objects.filter(gathering=gathering).first()


@dataclass
class SurveyProgress:
    survey: Survey
    answered: int
    attendees: int

    @property
    def rate(self) -> float:
        return self.answered / self.attendees if self.attendees else 0.0


def survey_progress(*, gathering: Gathering) -> SurveyProgress:
    """How many of those invited answered: all an organiser sees while the
    survey is open. Once it opened, "attendees" are the invited members,
    fixed then, so check-in changed later changes nothing shown; before,
    the attendees as check-in stands. Three queries."""
    survey = Survey.objects.filter(gathering=gathering).first() or Survey(
        gathering=gathering
    )
    answered = (
        SurveyParticipation.objects.filter(survey=survey).count() if survey.pk else 0
    )
    if survey.opens_at is not None:
        attendees = SurveyInvitation.objects.filter(survey=survey).count()
    else:
        attendees = Application.objects.filter(
            attendee_filter(), gathering=gathering
        ).count()
    return SurveyProgress(survey=survey, answered=answered, attendees=attendees)


# Bar charts: one row per value, bars up to BAR_WIDTH wide.
BAR_WIDTH = 240
BAR_ROW = 26


@dataclass
class Bar:
    label: str
    count: int
    share: float
    width: int
    y: int


@dataclass
class QuestionResult:
    key: str
    kind: str
    label: str
    answered: int
    average: float | None = None
    bars: list[Bar] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)

    @property
    def chart_height(self) -> int:
        return len(self.bars) * BAR_ROW


@dataclass
class SurveyResults:
    progress: SurveyProgress
    closed: bool
    responses: int
    enough: bool
    questions: list[QuestionResult] = field(default_factory=list)

    @property
    def rate(self) -> float:
        attendees = self.progress.attendees
        return self.responses / attendees if attendees else 0.0

    @property
    def rate_percent(self) -> int:
        return round(self.rate * 100)


def _bars(labels: list[str], counts: list[int]) -> list[Bar]:
    total = sum(counts)
    top = max(counts, default=0)
    return [
        Bar(
            label=label,
            count=count,
            share=count / total if total else 0.0,
            width=round(BAR_WIDTH * count / top) if top else 0,
            y=index * BAR_ROW,
        )
        for index, (label, count) in enumerate(zip(labels, counts, strict=True))
    ]


def survey_results(*, gathering: Gathering) -> SurveyResults:
    """The results an organiser may see: while the survey is open, or below
    k, only the progress; after the close and from k, each question's
    average and distribution (ratings, 5 down to 1), choice and yes/no
    counts, and its texts in a fresh random order. Four queries, whatever
    the number of responses."""
    progress = survey_progress(gathering=gathering)
    survey = progress.survey
    closed = gathering.status in SURVEY_DONE and survey.response_count is not None
    results = SurveyResults(
        progress=progress,
        closed=closed,
        responses=survey.response_count or 0,
        enough=closed and (survey.response_count or 0) >= survey.min_responses,
    )
    if not results.enough:
        return results
    rows = list(
        SurveyResponse.objects.filter(survey=survey).values_list("answers", flat=True)
    )
    shuffle = random.SystemRandom().shuffle
    for question in survey_questions(survey):
        key, kind = question["key"], question["kind"]
        given = [row[key] for row in rows if key in row]
        result = QuestionResult(
            key=key, kind=kind, label=str(question["label"]), answered=len(given)
        )
        if kind == QuestionKind.RATING:
            values = [5, 4, 3, 2, 1]
            result.average = sum(given) / len(given) if given else None
            result.bars = _bars(
                [str(v) for v in values], [given.count(v) for v in values]
            )
        elif kind == QuestionKind.CHOICE:
            choices = question["choices"]
            result.bars = _bars(choices, [given.count(i) for i in range(len(choices))])
        elif kind == QuestionKind.YES_NO:
            result.bars = _bars(
                [_("Yes"), _("No")], [given.count("yes"), given.count("no")]
            )
        else:
            result.texts = list(given)
            shuffle(result.texts)
        results.questions.append(result)
    return results


@dataclass
class TrendPoint:
    gathering: Gathering
    average: float
    responses: int
    x: float = 0
    y: float = 0


@dataclass
class Trend:
    points: list[TrendPoint]
    width: int = 640
    height: int = 220
    left: int = 40
    top: int = 16
    plot_height: int = 160

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)

    @property
    def gridlines(self) -> list[tuple[int, float]]:
        return [(value, self._y(value)) for value in (5, 4, 3, 2, 1)]

    @property
    def right(self) -> int:
        return self.width - 16

    @property
    def bottom(self) -> float:
        return self._y(1)

    def _y(self, value: float) -> float:
        return self.top + (5 - value) / 4 * self.plot_height


def community_satisfaction_trend(*, community: Community, limit: int = 12) -> Trend:
    """Average satisfaction of the community's last ``limit`` gatherings
    whose survey closed with k responses or more, oldest first, with the
    coordinates of an SVG line chart. One query."""
    surveys = list(
        Survey.objects.filter(
            gathering__community=community,
            gathering__status__in=SURVEY_DONE,
            response_count__gte=F("min_responses"),
            satisfaction_average__isnull=False,
        )
        # What a point shows: no join for the community, which is given.
        .select_related("gathering")
        .only(
            "satisfaction_average",
            "response_count",
            "gathering__title",
            "gathering__community_id",
        )
        .order_by("-gathering__ends_at", "-pk")[:limit]
    )
    for survey in surveys:
        survey.gathering.community = community
    trend = Trend(
        points=[
            TrendPoint(
                gathering=s.gathering,
                average=s.satisfaction_average,
                responses=s.response_count,
            )
            for s in reversed(surveys)
        ]
    )
    span = trend.right - trend.left
    count = len(trend.points)
    for index, point in enumerate(trend.points):
        point.x = trend.left + (span * index / (count - 1) if count > 1 else span / 2)
        point.y = trend._y(point.average)
    return trend


# ---------------------------------------------------------------------------
# The path: a member's gatherings attended and hosted, helpful answers and
# published takeaways, each shown as its owner chose.
# ---------------------------------------------------------------------------

# Without a choice of the member's, an item is shown like this.
PATH_DEFAULTS = {
    PathKind.ATTENDED: PathVisibility.COMMUNITY,
    PathKind.HOSTED: PathVisibility.PUBLIC,
    PathKind.HELPFUL: PathVisibility.COMMUNITY,
}


@dataclass
class PathItem:
    kind: str
    object_id: int
    when: datetime
    community: Community
    visibility: str
    title: str
    url: str
    gathering: Gathering | None = None
    takeaway: Takeaway | None = None
    # For the owner: a gathering attended with no takeaway yet.
    takeaway_missing: bool = False

    @property
    def kind_label(self) -> str:
        return PathKind(self.kind).label


def _seen_by(item: PathItem, viewer_communities: set[int]) -> bool:
    if item.visibility == PathVisibility.PUBLIC:
        return item.community.public_read or item.community.pk in viewer_communities
    if item.visibility == PathVisibility.COMMUNITY:
        return item.community.pk in viewer_communities
    return False


def member_path(*, member: Member, viewer: Member | None) -> list[PathItem]:
    """The items of ``member``'s path that ``viewer`` may see, oldest first:
    everything for the member themself; for anyone else an item marked
    public (in a community whose pages are public, or one they belong to)
    or marked for community members (of its community). Six queries,
    whatever the length of the path."""
    is_owner = viewer is not None and viewer.pk == member.pk
    chosen = {
        (kind, object_id): visibility
        for kind, object_id, visibility in PathItemVisibility.objects.filter(
            member=member
        ).values_list("kind", "object_id", "visibility")
    }

    def visibility(kind: str, object_id: int) -> str:
        return chosen.get((kind, object_id), PATH_DEFAULTS[kind])

    items: list[PathItem] = []
    attended = (
        Application.objects.filter(
            attendee_filter(), member=member, gathering__status__in=AFTER_END
        )
        .select_related("gathering__community")
        .order_by()
    )
    for application in attended:
        gathering = application.gathering
        items.append(_gathering_item(PathKind.ATTENDED, gathering, visibility))
    hosted = (
        Gathering.objects.filter(hosts=member, status__in=AFTER_END)
        .select_related("community")
        .order_by()
    )
    for gathering in hosted:
        items.append(_gathering_item(PathKind.HOSTED, gathering, visibility))
    helpful = (
        Thread.objects.filter(
            visibility=ThreadVisibility.VISIBLE,
            helpful_comment__author=member,
            helpful_comment__visibility=ThreadVisibility.VISIBLE,
        )
        .select_related("community", "helpful_comment")
        .order_by()
    )
    for thread in helpful:
        items.append(
            PathItem(
                kind=PathKind.HELPFUL,
                object_id=thread.pk,
                when=thread.helpful_comment.created_at,
                community=thread.community,
                visibility=visibility(PathKind.HELPFUL, thread.pk),
                title=thread.title,
                url=reverse("thread_detail", args=[thread.community.slug, thread.pk])
                + f"#comment-{thread.helpful_comment_id}",
            )
        )
    takeaways = Takeaway.objects.filter(member=member).select_related(
        "gathering__community"
    )
    for takeaway in takeaways:
        gathering = takeaway.gathering
        items.append(
            PathItem(
                kind=PathKind.TAKEAWAY,
                object_id=takeaway.pk,
                # Right after the gathering it comes from.
                when=gathering.ends_at,
                community=gathering.community,
                visibility=takeaway.visibility,
                title=gathering.title,
                url=_gathering_url(gathering),
                gathering=gathering,
                takeaway=takeaway,
            )
        )
    if is_owner:
        kept = {item.gathering.pk for item in items if item.takeaway}
        for item in items:
            if item.kind == PathKind.ATTENDED and item.object_id not in kept:
                item.takeaway_missing = True
    else:
        viewer_communities = (
            set(viewer.memberships.values_list("community_id", flat=True))
            if viewer is not None and viewer.is_authenticated
            else set()
        )
        items = [item for item in items if _seen_by(item, viewer_communities)]
    order = {kind: index for index, kind in enumerate(PathKind.values)}
    items.sort(key=lambda item: (item.when, order[item.kind], item.object_id))
    return items


def _gathering_url(gathering: Gathering) -> str:
    return reverse("gathering_detail", args=[gathering.community.slug, gathering.pk])


def _gathering_item(kind: str, gathering: Gathering, visibility) -> PathItem:
    return PathItem(
        kind=kind,
        object_id=gathering.pk,
        when=gathering.starts_at,
        community=gathering.community,
        visibility=visibility(kind, gathering.pk),
        title=gathering.title,
        url=_gathering_url(gathering),
        gathering=gathering,
    )


def path_export(*, member: Member) -> dict:
    """The member's whole path as data for the JSON export (their own, so
    every item, with its visibility). Six queries."""
    items = member_path(member=member, viewer=member)
    return {
        "member": member.public_id,
        "exported_at": timezone.now().isoformat(),
        "items": [
            {
                "kind": item.kind,
                "when": item.when.isoformat(),
                "community": item.community.slug,
                "title": item.title,
                "url": item.url,
                "visibility": item.visibility,
                **(
                    {
                        "learned": item.takeaway.learned,
                        "will_apply": item.takeaway.will_apply,
                    }
                    if item.takeaway
                    else {}
                ),
            }
            for item in items
        ],
    }


def path_past_gatherings(*, member: Member) -> list[Gathering]:
    """Gatherings the member attended or hosted, once over, each once, for
    the path's .ics. Two queries."""
    attended = Gathering.objects.filter(
        pk__in=Application.objects.filter(attendee_filter(), member=member).values(
            "gathering"
        ),
        status__in=AFTER_END,
    )
    hosted = Gathering.objects.filter(hosts=member, status__in=AFTER_END)
    found = {
        g.pk: g
        for query in (attended, hosted)
        for g in query.select_related("community")
    }
    return sorted(found.values(), key=lambda g: (g.starts_at, g.pk))
