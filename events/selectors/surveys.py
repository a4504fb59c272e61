"""Reads of the survey: what a member, an organiser and the public may see
of it. Results exist only after the close and from k responses
(docs/anonymity.md). Each function states its query budget."""

import random
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import F, Q
from django.utils.translation import gettext as _

from community.access import Access
from community.models import Community, Member
from events.access import (
    answer_refusal,
    attendee_filter,
    response_refusal,
    survey_open_refusal,
)
from events.errors import EventsError
from events.models import (
    Application,
    Gathering,
    GatheringStatus,
    Survey,
    SurveyInvitation,
    SurveyParticipation,
    SurveyResponse,
    Takeaway,
)
from events.questions import QuestionKind, survey_questions

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
            opened=self.is_open or self.is_closed,
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


def survey_summary_filter(prefix: str = "") -> Q:
    """``survey_summary_shown`` for many rows at once: a filter on surveys,
    or with ``prefix`` (``"survey__"``) on gatherings. The count and the
    average are written only at the close, so a survey still open never
    passes."""
    return Q(
        **{
            f"{prefix}response_count__isnull": False,
            f"{prefix}response_count__gte": F(f"{prefix}min_responses"),
            f"{prefix}satisfaction_average__isnull": False,
        }
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


@dataclass
class Bar:
    """One value of a question and how many answers gave it; the chart's
    geometry is the ``bar_chart`` template tag's."""

    label: str
    count: int
    share: float


@dataclass
class QuestionResult:
    key: str
    kind: str
    label: str
    answered: int
    average: float | None = None
    bars: list[Bar] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)


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
    return [
        Bar(label=label, count=count, share=count / total if total else 0.0)
        for label, count in zip(labels, counts, strict=True)
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


@dataclass
class Trend:
    """The points of the satisfaction chart, oldest first; its geometry is
    the ``trend_chart`` template tag's."""

    points: list[TrendPoint]


def community_satisfaction_trend(*, community: Community, limit: int = 12) -> Trend:
    """Average satisfaction of the community's last ``limit`` gatherings
    whose survey closed with k responses or more, oldest first (the page
    draws them with the ``trend_chart`` tag). One query."""
    surveys = list(
        Survey.objects.filter(
            survey_summary_filter(),
            gathering__community=community,
            gathering__status__in=SURVEY_DONE,
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
    return Trend(
        points=[
            TrendPoint(
                gathering=s.gathering,
                average=s.satisfaction_average,
                responses=s.response_count,
            )
            for s in reversed(surveys)
        ]
    )
