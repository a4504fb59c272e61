"""Reading a lottery gathering's committed terms (docs/draw.md section 14):
the amendments published since the opening, the terms in force after them,
and the weight policy they fixed. The services that commit and amend them
are events.services.terms."""

from datetime import UTC, datetime

from events import draw as algorithm
from events.models import Amendment, FairnessPolicy, Gathering


def terms_utc(moment: datetime) -> str:
    """A time in the terms: UTC, to the second."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def terms_amendments(gathering: Gathering) -> list[dict]:
    """The gathering's amendments in the record's shape, in order."""
    return [
        {
            "number": a.number,
            "at": terms_utc(a.created_at),
            "reason": a.reason,
            "changes": a.changes,
            "previous_digest": a.previous_digest,
            "terms_digest": a.terms_digest,
        }
        for a in Amendment.objects.filter(gathering=gathering).order_by("number")
    ]


def terms_in_force(gathering: Gathering) -> dict:
    """The committed terms with every amendment applied."""
    in_force, _problems = algorithm.amendments_apply(
        gathering.terms, terms_amendments(gathering)
    )
    return in_force


def terms_policy(terms: dict, gathering: Gathering) -> FairnessPolicy:
    """The weight policy and company cap the terms fixed, as an unsaved
    policy: a later change of the community's policy does not reach a
    gathering whose terms are committed."""
    weights = terms["weights"]
    return FairnessPolicy(
        community=gathering.community,
        base_weight=weights["base_weight"],
        loss_bonus=weights["loss_bonus"],
        loss_cap=weights["loss_cap"],
        no_show_weight=weights["no_show_weight"],
        no_show_days=weights["no_show_days"],
        company_cap=terms["company_cap"],
    )
