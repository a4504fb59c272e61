"""Reads of the follow-up (events.services.followups): a member's own
answers, opened for their own pages and path, and the organisers' counts,
from the anonymous outcomes only and only from k (docs/anonymity.md, "The
follow-up"). Each function states its query budget."""

from datetime import datetime
from typing import NamedTuple

from django.db.models import Count, F, Q
from django.urls import reverse

from community.models import Community, Member
from events.followup_box import followup_unseal
from events.models import (
    FollowUp,
    FollowUpAnswer,
    FollowUpOutcome,
    FollowUpRound,
    Gathering,
    Takeaway,
)


class FollowUpShown(NamedTuple):
    """A member's own follow-up as their pages show it."""

    gathering_id: int
    # "" while unanswered (or, after a lost key, unreadable).
    answer: str
    note: str
    open: bool
    closes_at: datetime
    url: str

    @property
    def answer_label(self) -> str:
        return FollowUpAnswer(self.answer).label if self.answer else ""


def _shown(followup: FollowUp, gathering: Gathering, now: datetime) -> FollowUpShown:
    round = followup.round
    opened = (
        followup_unseal(
            round_id=round.pk, member_id=followup.member_id, box=followup.box
        )
        if followup.box is not None
        else None
    ) or {}
    return FollowUpShown(
        gathering_id=gathering.pk,
        answer=opened.get("answer", ""),
        note=opened.get("note", ""),
        open=not round.closed and now < round.closes_at,
        closes_at=round.closes_at,
        url=reverse("followup_answer", args=[gathering.community.slug, gathering.pk]),
    )


class FollowUpPage(NamedTuple):
    # The row, for the access rule, with its round.
    followup: FollowUp | None
    shown: FollowUpShown | None
    takeaway: Takeaway | None


def member_followup(
    *, gathering: Gathering, member: Member, now: datetime
) -> FollowUpPage:
    """``member``'s follow-up of ``gathering`` as their page shows it, with
    the takeaway it asks about. Two queries."""
    followup = (
        FollowUp.objects.filter(round__gathering=gathering, member=member)
        .select_related("round")
        .first()
    )
    if followup is None:
        return FollowUpPage(None, None, None)
    takeaway = Takeaway.objects.filter(member=member, gathering=gathering).first()
    return FollowUpPage(followup, _shown(followup, gathering, now), takeaway)


def member_followups(*, member: Member, now: datetime) -> dict[int, FollowUpShown]:
    """Every follow-up ``member`` was asked, by gathering id, as their path
    shows it. One query."""
    followups = FollowUp.objects.filter(member=member).select_related(
        "round__gathering__community"
    )
    return {f.round.gathering_id: _shown(f, f.round.gathering, now) for f in followups}


class FollowUpCounts(NamedTuple):
    """What the organisers see of one gathering's follow-up. ``state``:
    ``not_asked``; ``open`` (asked, counted at the close); ``below_k``
    (closed with fewer than k answers: only their number); ``shown``."""

    state: str
    asked: int
    answered: int | None
    k: int | None
    closes_at: datetime | None
    applied: int = 0
    partly: int = 0
    not_yet: int = 0


def _outcome_counts(outcomes) -> dict[str, int]:
    found = outcomes.aggregate(
        **{
            value: Count("pk", filter=Q(answer=value))
            for value in FollowUpAnswer.values
        }
    )
    return {value: found[value] or 0 for value in FollowUpAnswer.values}


def followup_counts(*, gathering_id: int) -> FollowUpCounts:
    """The organisers' view of a gathering's follow-up: counts from the
    anonymous outcomes, which exist only from k. Three queries at most."""
    round = (
        FollowUpRound.objects.filter(gathering_id=gathering_id)
        .annotate(asked=Count("followups"))
        .first()
    )
    if round is None:
        return FollowUpCounts("not_asked", 0, None, None, None)
    if not round.closed:
        return FollowUpCounts(
            "open", round.asked, None, round.min_answers, round.closes_at
        )
    if round.answered_count < round.min_answers:
        return FollowUpCounts(
            "below_k",
            round.asked,
            round.answered_count,
            round.min_answers,
            round.closes_at,
        )
    counts = _outcome_counts(FollowUpOutcome.objects.filter(round=round))
    return FollowUpCounts(
        "shown",
        round.asked,
        round.answered_count,
        round.min_answers,
        round.closes_at,
        **counts,
    )


class CommunityFollowUps(NamedTuple):
    """The community's follow-ups: the rounds closed from k (``counted``),
    their answers as counts, and how many rounds are open or closed below
    k (counted nowhere)."""

    counted: int
    answered: int
    applied: int
    partly: int
    not_yet: int
    waiting: int
    below_k: int


def community_followups(*, community: Community) -> CommunityFollowUps:
    """Across ``community``: only rounds closed from k add to the counts,
    so the totals never hold an answer that a gathering's page hides. Two
    queries."""
    rounds = FollowUpRound.objects.filter(gathering__community=community)
    states = rounds.aggregate(
        waiting=Count("pk", filter=Q(closed=False)),
        below_k=Count(
            "pk",
            filter=Q(closed=True, answered_count__lt=F("min_answers")),
        ),
        counted=Count(
            "pk",
            filter=Q(closed=True, answered_count__gte=F("min_answers")),
        ),
    )
    counts = _outcome_counts(
        FollowUpOutcome.objects.filter(round__gathering__community=community)
    )
    return CommunityFollowUps(
        counted=states["counted"],
        answered=sum(counts.values()),
        waiting=states["waiting"],
        below_k=states["below_k"],
        **counts,
    )
