"""The fairness weights of a draw (PRODUCT.md): each application's weight
under its community's policy. A read: the draw freezes these weights at the
close, and the gathering page estimates a chance with them before."""

from collections import Counter
from datetime import datetime, timedelta

from django.db.models import Max

from events.draw import weight_for
from events.models import Application, ApplicationStatus, FairnessPolicy, Gathering
from events.terms import terms_in_force, terms_policy

# Outcomes that count as a loss for the fairness weights: a lottery
# application that never held a seat.
LOSSES = [ApplicationStatus.NOT_SELECTED]


def policy_of_community(community) -> FairnessPolicy:
    """The community's policy, or an unsaved one with the defaults."""
    policy = FairnessPolicy.objects.filter(community=community).first()
    return policy or FairnessPolicy(community=community)


def policy_for(gathering: Gathering) -> FairnessPolicy:
    """The weights and company cap ``gathering``'s draw applies: those its
    committed terms fixed at opening, as amended (moim-draw-v2), else the
    community's policy now (v1, or before the opening)."""
    if gathering.terms:
        return terms_policy(terms_in_force(gathering), gathering)
    policy = FairnessPolicy.objects.filter(community=gathering.community_id).first()
    return policy or FairnessPolicy(community=gathering.community)


def weights_compute(
    gathering: Gathering,
    applications: list[Application],
    now: datetime,
    policy: FairnessPolicy | None = None,
) -> dict[int, int]:
    """Each application's weight under the community's policy, in tenths:
    the base, plus a bonus per earlier loss in this community since the
    member's last seat (capped), or the no-show weight while a recent no-show
    counts. Three queries whatever the number of applications. ``policy``:
    the one the gathering's committed terms fixed (default: the
    community's)."""
    policy = policy or policy_for(gathering)
    # A subquery, not a list of ids: SQLite refuses more than 32,766
    # parameters, and a gathering may have more applicants than that.
    applicants = Application.objects.filter(gathering=gathering).values("member_id")
    earlier = Application.objects.filter(
        gathering__community=gathering.community_id,
        member_id__in=applicants,
    ).exclude(gathering=gathering)
    last_seat = dict(
        earlier.filter(status=ApplicationStatus.CONFIRMED)
        .values("member_id")
        .annotate(at=Max("gathering__starts_at"))
        .values_list("member_id", "at")
    )
    losses: Counter[int] = Counter()
    for member_id, starts_at in earlier.filter(status__in=LOSSES).values_list(
        "member_id", "gathering__starts_at"
    ):
        if member_id not in last_seat or starts_at > last_seat[member_id]:
            losses[member_id] += 1
    no_show_since = now - timedelta(days=policy.no_show_days)
    no_shows = set(
        earlier.filter(
            status=ApplicationStatus.CONFIRMED,
            attended=False,
            gathering__ends_at__gte=no_show_since,
        ).values_list("member_id", flat=True)
    )
    terms = {
        "base_weight": policy.base_weight,
        "loss_bonus": policy.loss_bonus,
        "loss_cap": policy.loss_cap,
        "no_show_weight": policy.no_show_weight,
    }
    return {
        application.pk: weight_for(
            terms, losses[application.member_id], application.member_id in no_shows
        )
        for application in applications
    }
