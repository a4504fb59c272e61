"""``manage.py verify_draw``: recompute a lottery draw from its record.

With a gathering (its id or uid) the stored draw record is checked, and also
compared with what the site published before the draw: the commitment shown
when applications opened and the frozen-list digest recorded at close. For a
moim-draw-v2 record also: its seat movements, the community's whole hash
chain, that the chain holds the record's commitment, amendments, head and
digest, and the beacon round's BLS signature (offline, against quicknet's
pinned public key). With ``--file`` a downloaded record is checked from the
file alone, no database needed, exactly as an outside checker would.
"""

import json
import sys
import uuid

from django.core.management.base import BaseCommand, CommandError

from events import draw as algorithm


class Command(BaseCommand):
    help = (
        "Recompute a lottery draw from its published record and print 'match' "
        "or each mismatch (exit status 1 on any mismatch)."
    )

    # call_command(..., stdin=...) feeds "--file -" in tests.
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument(
            "gathering",
            nargs="?",
            help="the gathering's id or uid, to check its stored draw record",
        )
        parser.add_argument(
            "--file",
            help="check a draw record saved as JSON (use - for standard input) "
            "instead of one in the database",
        )

    def handle(self, *args, gathering=None, file=None, **options):
        if (gathering is None) == (file is None):
            raise CommandError("Give either a gathering id or --file, not both.")
        if file is not None:
            stdin = options.get("stdin") or sys.stdin
            problems = algorithm.verify(
                self._read(file, stdin), beacon_verify=beacon_valid
            )
        else:
            problems = self._verify_stored(gathering)
        if problems:
            for problem in problems:
                self.stdout.write(f"mismatch: {problem}")
            raise CommandError(
                f"{len(problems)} mismatch(es): the record does not verify."
            )
        self.stdout.write("match")

    def _read(self, path: str, stdin):
        try:
            if path == "-":
                return json.load(stdin)
            with open(path, encoding="utf-8") as handle:
                return json.load(handle)
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from exc
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CommandError(f"{path} is not a JSON document: {exc}.") from exc

    def _verify_stored(self, reference: str) -> list[str]:
        # Imported here so that --file works without a configured database.
        from events.models import Application, Draw
        from events.selectors import draw_record_for_page

        lookup = {"gathering__pk": reference} if reference.isdigit() else None
        if lookup is None:
            try:
                lookup = {"gathering__uid": uuid.UUID(reference)}
            except ValueError as exc:
                raise CommandError(
                    f"{reference!r} is neither a gathering id nor a uid."
                ) from exc
        stored = Draw.objects.select_related("gathering").filter(**lookup).first()
        if stored is None:
            raise CommandError(f"Gathering {reference} has no draw.")
        gathering = stored.gathering
        record = draw_record_for_page(gathering=gathering)
        problems = algorithm.verify(record, beacon_verify=beacon_valid)
        if not isinstance(record, dict):
            return problems
        if record.get("algorithm") == algorithm.ALGORITHM_V2:
            problems += _chain_problems(gathering, stored.record)

        published = [
            # (what, value in the record, value the site published earlier)
            ("commitment", "commitment", gathering.draw_commitment),
            ("frozen digest", "frozen_digest", gathering.frozen_digest),
            ("seed", "seed", gathering.draw_seed),
            ("algorithm", "algorithm", stored.algorithm),
        ]
        for what, field, value in published:
            if record.get(field) != value:
                problems.append(
                    f"the record's {what} {record.get(field)!r} differs from the "
                    f"one stored for the gathering, {value!r}"
                )

        # Applications carry the rank the record gave them.
        entries = record.get("entries")
        if not isinstance(entries, list):
            entries = []
        ranks = {
            entry.get("public_id"): entry.get("rank")
            for entry in entries
            if isinstance(entry, dict)
        }
        for public_id, rank in Application.objects.filter(
            gathering=gathering, rank__isnull=False
        ).values_list("public_id", "rank"):
            if ranks.get(public_id) != rank:
                problems.append(
                    f"application {public_id} has rank {rank} in the database, "
                    f"{ranks.get(public_id)!r} in the record"
                )
        return problems


def beacon_valid(beacon: dict) -> bool:
    """Whether a record's beacon object is a genuine quicknet round: the
    chain is quicknet, the randomness is SHA-256 of the signature, and the
    BLS signature verifies against the chain's pinned public key."""
    from events.beacon import QUICKNET, round_from_hex, round_verify

    if beacon.get("chain") != QUICKNET.hash:
        return False
    try:
        found = round_from_hex(
            beacon.get("round"), beacon.get("signature"), beacon.get("randomness")
        )
    except (TypeError, ValueError):
        return False
    return round_verify(found)


def _chain_problems(gathering, stored_record: dict) -> list[str]:
    """The community's log, whole: every digest and link, and that it holds
    what the record says (commitment, amendments, the head before the draw,
    the record's own digest)."""
    from events.chain import log_entry_json
    from events.models import LogEntry

    chain = [
        log_entry_json(entry)
        for entry in LogEntry.objects.filter(community_id=gathering.community_id)
        .select_related("gathering")
        .order_by("seq")
    ]
    problems = algorithm.chain_problems(chain)
    if chain and chain[0]["seq"] != 1:
        problems.append("the community's log does not start at entry 1")
    uid = str(gathering.uid)
    mine = [entry for entry in chain if entry["gathering"] == uid]
    kinds = {}
    for entry in mine:
        kinds.setdefault(entry["kind"], []).append(entry)
    commitments = kinds.get("commitment", [])
    if [e["payload"].get("commitment") for e in commitments] != [
        stored_record.get("commitment")
    ]:
        problems.append("the log does not hold the record's commitment once")
    amendments = [
        {k: e["payload"].get(k) for k in ("number", "reason", "changes")}
        for e in kinds.get("amendment", [])
    ]
    listed = [
        {k: a.get(k) for k in ("number", "reason", "changes")}
        for a in stored_record.get("amendments") or []
        if isinstance(a, dict)
    ]
    if amendments != listed:
        problems.append("the record's amendments differ from those in the log")
    draws = kinds.get("draw", [])
    if [e["payload"].get("record_digest") for e in draws] != [
        algorithm.digest_of(stored_record)
    ]:
        problems.append("the log does not hold the record's digest once")
    head = stored_record.get("chain_head")
    if head is not None:
        by_seq = {entry["seq"]: entry for entry in chain}
        named = by_seq.get(head.get("seq"))
        if named is None or named["digest"] != head.get("digest"):
            problems.append("the record's chain head is not in the log")
        elif draws and draws[0]["seq"] != head["seq"] + 1:
            problems.append("the draw is not the entry right after the named head")
    return problems
