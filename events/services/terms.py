"""A lottery gathering's terms (docs/draw.md section 14): fixed when
applications open, covered with the seed by the published commitment, and
changed afterwards only by a numbered amendment with its reason, which the
community's log and the draw record carry."""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from community.access import Access
from events import draw as algorithm
from events.access import amend_refusal, organiser_write_refusal
from events.beacon import QUICKNET, beacon_configured, quicknet_round_at
from events.errors import EventsError, amendment_problem
from events.fairness import policy_for
from events.models import (
    Amendment,
    Application,
    ApplicationStatus,
    FairnessPolicy,
    Gathering,
    SelectionMode,
)
from events.services.chain import log_append
from events.services.seats import locked_gathering
from events.terms import terms_amendments, terms_utc

# The terms an amendment changes, and the gathering's column each one is.
AMENDED_COLUMNS = {
    "capacity": ("capacity", int),
    "claim_window_seconds": ("claim_window", "seconds"),
    "offer_cutoff_seconds": ("offer_cutoff_before", "seconds"),
}


def terms_build(gathering: Gathering, policy: FairnessPolicy) -> dict:
    """The gathering's terms as they stand, in the canonical shape."""
    return {
        "algorithm": algorithm.ALGORITHM_V2,
        "capacity": gathering.capacity,
        "selection_mode": gathering.selection_mode,
        "company_cap": policy.company_cap,
        "groups": algorithm.GROUPS_SCHEME,
        "weights": {
            "base_weight": policy.base_weight,
            "loss_bonus": policy.loss_bonus,
            "loss_cap": policy.loss_cap,
            "no_show_weight": policy.no_show_weight,
            "no_show_days": policy.no_show_days,
            "formula": algorithm.WEIGHT_FORMULA,
        },
        "applications_open_at": terms_utc(gathering.applications_open_at),
        "applications_close_at": terms_utc(gathering.applications_close_at),
        "claim_window_seconds": int(gathering.claim_window.total_seconds()),
        "offer_cutoff_seconds": int(gathering.offer_cutoff_before.total_seconds()),
        "beacon": _beacon_named(gathering),
        "overbooking_permille": _overbooking(gathering, policy),
    }


# Overbooking needs this many confirmed seats with attendance recorded in
# the community, and never offers more than twice the seats.
OVERBOOKING_HISTORY = 20
OVERBOOKING_MAX_PERMILLE = 2000


def _overbooking(gathering: Gathering, policy: FairnessPolicy) -> int | None:
    """With the community's option on: ceil(1000 ÷ attendance rate), the
    rate measured from its own check-ins (confirmed seats whose attendance
    was recorded); None without the option or enough history."""
    if not policy.overbooking:
        return None
    seen = Application.objects.filter(
        gathering__community=gathering.community_id,
        status=ApplicationStatus.CONFIRMED,
        attended__isnull=False,
    ).aggregate(total=Count("pk"), came=Count("pk", filter=Q(attended=True)))
    if seen["total"] < OVERBOOKING_HISTORY or not seen["came"]:
        return None
    permille = -(-1000 * seen["total"] // seen["came"])
    return min(permille, OVERBOOKING_MAX_PERMILLE)


def _beacon_named(gathering: Gathering) -> dict | None:
    """The quicknet round the draw will mix in, when a relay is configured:
    the first published strictly after the close, so nobody can know it
    while applications are open."""
    if not beacon_configured():
        return None
    after_close = gathering.applications_close_at + timedelta(seconds=1)
    return {"chain": QUICKNET.hash, "round": quicknet_round_at(after_close)}


def terms_commit(gathering: Gathering, now: datetime) -> None:
    """At opening: fix a lottery gathering's terms, publish the commitment
    over seed and terms, and append it to the community's log. Caller holds
    the gathering's lock (the lifecycle); a gathering with terms keeps
    them."""
    if gathering.terms or gathering.selection_mode != SelectionMode.LOTTERY:
        return
    terms = terms_build(gathering, policy_for(gathering))
    digest = algorithm.terms_digest(terms)
    gathering.terms = terms
    gathering.terms_digest = digest
    gathering.draw_commitment = algorithm.commitment_v2(
        bytes.fromhex(gathering.draw_seed), digest
    )
    gathering.save(update_fields=["terms", "terms_digest", "draw_commitment"])
    log_append(
        community_id=gathering.community_id,
        items=[
            (
                "commitment",
                gathering,
                {
                    "commitment": gathering.draw_commitment,
                    "terms_digest": digest,
                    "terms": terms,
                },
            )
        ],
        now=now,
    )


def terms_amend(
    *,
    gathering: Gathering,
    changes: dict,
    reason: str,
    access: Access | None = None,
    now: datetime | None = None,
) -> Amendment:
    """Publish amendment n+1 of the committed terms: ``changes`` maps terms
    (``events.draw.AMENDABLE``) to new values, ``reason`` says why. Only
    while applications are open (``amend_refusal``). Locks the gathering;
    the amendment is appended to the community's log in the same
    transaction."""
    if access is not None and (refusal := organiser_write_refusal(access)):
        raise refusal
    now = now or timezone.now()
    reason = reason.strip()
    with transaction.atomic():
        locked = locked_gathering(gathering.pk)
        if refusal := amend_refusal(locked):
            raise refusal
        amendments = terms_amendments(locked)
        current, _problems = algorithm.amendments_apply(locked.terms, amendments)
        changes = {k: v for k, v in changes.items() if current.get(k) != v}
        problem = _amendment_problem(changes, reason)
        previous = algorithm.terms_digest(current)
        amended, problems = algorithm.amendments_apply(
            current,
            [
                {
                    "number": 1,
                    "reason": reason,
                    "changes": changes,
                    "previous_digest": previous,
                    "terms_digest": algorithm.terms_digest({**current, **changes}),
                }
            ],
        )
        if problem or problems:
            raise EventsError(
                "amendment_invalid",
                problem=problem or amendment_problem("terms_check"),
            )
        amendment = Amendment.objects.create(
            gathering=locked,
            number=len(amendments) + 1,
            changes=changes,
            reason=reason,
            previous_digest=previous,
            terms_digest=algorithm.terms_digest(amended),
            created_at=now,
        )
        for key, value in changes.items():
            column, kind = AMENDED_COLUMNS.get(key, (None, None))
            if column is not None:
                setattr(
                    locked,
                    column,
                    timedelta(seconds=value) if kind == "seconds" else value,
                )
        locked.save(update_fields=["capacity", "claim_window", "offer_cutoff_before"])
        log_append(
            community_id=locked.community_id,
            items=[
                (
                    "amendment",
                    locked,
                    {
                        "number": amendment.number,
                        "reason": reason,
                        "changes": changes,
                        "previous_digest": previous,
                        "terms_digest": amendment.terms_digest,
                    },
                )
            ],
            now=now,
        )
    return amendment


def _amendment_problem(changes: dict, reason: str) -> str | None:
    """What is wrong with an amendment, in the active language, or None."""
    if not reason or len(reason) > 300:
        return amendment_problem("reason")
    if not changes:
        return amendment_problem("no_change")
    for key, value in changes.items():
        if key not in algorithm.AMENDABLE:
            return amendment_problem("not_amendable", key)
        if key == "company_cap":
            if value is not None and (not isinstance(value, int) or value < 1):
                return amendment_problem("company_cap", key)
        elif (
            not isinstance(value, int)
            or isinstance(value, bool)
            or value < (1 if key == "capacity" else 0)
        ):
            return amendment_problem("whole_number", key)
    return None
