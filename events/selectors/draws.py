"""Reads of a draw's results as members see them: the record turned into
sentences ("you are number 8 of 16 on the waitlist"), each entry's weight
explained by the policy the record carries, and the record's bytes and hash
as published. Everything here is read from the record, so the page says what
anyone who checks the record can recompute."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from community.models import Member
from events import draw as algorithm
from events.draw_publication import draw_record_hash
from events.models import Application, Draw, Gathering

# Past this many entries the page lists no ranking (the record has it): a
# page of a hundred thousand rows helps nobody.
RANKING_SHOWN_AT_MOST = 500


def weight_text(weight: int) -> str:
    """A weight in tenths as a member reads it: 15 → "1.5"."""
    return f"{weight // 10}.{weight % 10}"


def weight_reasons(weight: int, policy: dict | None) -> list[str]:
    """Why an entry has ``weight``, under the policy in the record
    (``gathering.policy``, as events.fairness applies it): the base weight,
    a bonus per earlier loss since the member's last seat up to a cap, or
    the no-show weight while a recent no-show counts. Without a policy in
    the record only the weight can be told."""
    if not policy:
        return [_("Weight %(weight)s.") % {"weight": weight_text(weight)}]
    base = policy.get("base_weight", 10)
    bonus = policy.get("loss_bonus", 0)
    cap = policy.get("loss_cap", 0)
    no_show = policy.get("no_show_weight")
    if weight == base:
        return [
            _("Everyone starts at weight %(base)s: no earlier loss or no-show counted.")
            % {"base": weight_text(base)}
        ]
    if weight == no_show:
        return [
            ngettext(
                "A seat you confirmed in the last %(days)s day went unused (a "
                "no-show), so your weight is %(weight)s instead of %(base)s.",
                "A seat you confirmed in the last %(days)s days went unused (a "
                "no-show), so your weight is %(weight)s instead of %(base)s.",
                policy.get("no_show_days", 0),
            )
            % {
                "days": policy.get("no_show_days", 0),
                "weight": weight_text(weight),
                "base": weight_text(base),
            }
        ]
    if bonus and weight > base and (weight - base) % bonus == 0:
        losses = (weight - base) // bonus
        if losses <= cap:
            return [
                ngettext(
                    "%(base)s to start, plus %(bonus)s for %(losses)s earlier "
                    "draw in this community that you did not win since your last "
                    "seat (at most %(cap)s count).",
                    "%(base)s to start, plus %(bonus)s for each of %(losses)s "
                    "earlier draws in this community that you did not win since "
                    "your last seat (at most %(cap)s count).",
                    losses,
                )
                % {
                    "base": weight_text(base),
                    "bonus": weight_text(bonus),
                    "losses": losses,
                    "cap": cap,
                }
            ]
    return [_("Weight %(weight)s.") % {"weight": weight_text(weight)}]


@dataclass
class DrawEntry:
    """One ranked entry of the record, as the results page lists it."""

    public_id: str
    weight: str
    rank: int
    won: bool
    waitlist_position: int | None
    mine: bool = False


@dataclass
class MyResult:
    """The reader's own line in the draw, and what happened to the seat
    since (``application``: its status now)."""

    entry: DrawEntry
    reasons: list[str]
    application: Application


@dataclass
class DrawResults:
    gathering: Gathering
    record: dict
    record_hash: str
    algorithm: str
    seats: int
    entries: int
    winners: int
    waitlisted: int
    company_cap: int | None
    policy: dict | None
    beacon: dict | None
    mine: MyResult | None = None
    ranking: list[DrawEntry] = field(default_factory=list)
    ranking_shown: bool = True


def _entry(raw: dict, mine_id: str | None) -> DrawEntry:
    return DrawEntry(
        public_id=raw["public_id"],
        weight=weight_text(raw["weight"]),
        rank=raw["rank"],
        won=raw["outcome"] == algorithm.WON,
        waitlist_position=raw.get("waitlist_position"),
        mine=raw["public_id"] == mine_id,
    )


def draw_results(*, gathering: Gathering, member: Member | None) -> DrawResults | None:
    """The results of ``gathering``'s draw for this reader, or None before
    the draw. Two queries at most (the record; the reader's application),
    whatever the number of entries."""
    record = (
        Draw.objects.filter(gathering=gathering)
        .values_list("record", flat=True)
        .first()
    )
    if record is None:
        return None
    application = None
    if member is not None and member.is_authenticated:
        application = (
            Application.objects.filter(gathering=gathering, member=member)
            .only("pk", "public_id", "status", "waitlist_position", "rank")
            .first()
        )
    mine_id = application.public_id if application is not None else None
    raw_entries = sorted(record["entries"], key=lambda entry: entry["rank"])
    policy = (record.get("gathering") or {}).get("policy")
    ranking = [_entry(raw, mine_id) for raw in raw_entries]
    winners = sum(1 for entry in ranking if entry.won)
    results = DrawResults(
        gathering=gathering,
        record=record,
        record_hash=draw_record_hash(record),
        algorithm=record.get("algorithm", ""),
        seats=record["capacity"],
        entries=len(ranking),
        winners=winners,
        waitlisted=len(ranking) - winners,
        company_cap=record.get("company_cap"),
        policy=policy,
        beacon=record.get("beacon"),
        ranking_shown=len(ranking) <= RANKING_SHOWN_AT_MOST,
    )
    if results.ranking_shown:
        results.ranking = ranking
    for raw, entry in zip(raw_entries, ranking, strict=True):
        if entry.mine:
            results.mine = MyResult(
                entry=entry,
                reasons=weight_reasons(raw["weight"], policy),
                application=application,
            )
            break
    return results
