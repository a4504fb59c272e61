"""``manage.py verify_draw``: recompute a lottery draw from its record.

With a gathering (its id or uid) the stored draw record is checked, and also
compared with what the site published before the draw: the commitment shown
when applications opened and the frozen-list digest recorded at close. With
``--file`` a downloaded record is checked from the file alone, no database
needed, exactly as an outside checker would.
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
            problems = algorithm.verify(self._read(file, stdin))
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
        record = stored.record
        problems = algorithm.verify(record)
        if not isinstance(record, dict):
            return problems

        gathering = stored.gathering
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
