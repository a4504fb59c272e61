"""seed_demo's draws from a database without the demo: each gathering is
drawn once, from the seed it was created with (the other tests of the demo's
gatherings share one seeding per module, tests/events/test_demo_gatherings.py;
this one watches the seeding's own statements)."""

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events.models import Draw, Gathering


def test_every_demo_record_came_from_its_first_draw(db):
    """No draw was tried and thrown away: each gathering was inserted once,
    with the commitment to the seed its record reveals, and drawn once; no
    draw, gathering or seed was ever deleted, rolled back or replaced."""
    with CaptureQueriesContext(connection) as captured:
        call_command("seed_demo", verbosity=0)
    statements = [query["sql"] for query in captured.captured_queries]

    def inserts(table: str) -> list[str]:
        return [sql for sql in statements if sql.startswith(f'INSERT INTO "{table}"')]

    gathering_inserts = inserts("events_gathering")
    draw_inserts = inserts("events_draw")
    assert len(gathering_inserts) == Gathering.objects.count()
    assert len(draw_inserts) == Draw.objects.count() == 6
    assert not [sql for sql in statements if sql.startswith("ROLLBACK")]
    assert not [
        sql
        for sql in statements
        if sql.startswith(
            ('DELETE FROM "events_draw"', 'DELETE FROM "events_gathering"')
        )
        or (sql.startswith('UPDATE "events_gathering"') and '"draw_seed"' in sql)
        or (sql.startswith('UPDATE "events_draw"') and '"record"' in sql)
    ]
    for draw in Draw.objects.select_related("gathering"):
        record = draw.record
        assert record["seed"] == draw.gathering.draw_seed
        assert record["commitment"] == draw.gathering.draw_commitment
        # The seed the gathering was created with is the one the record
        # reveals, and its commitment was written once (at creation or, for
        # v2, at opening with the terms), before the draw.
        created = [sql for sql in gathering_inserts if record["seed"] in sql]
        assert len(created) == 1
        committed = [
            index
            for index, sql in enumerate(statements)
            if sql.startswith(
                ('INSERT INTO "events_gathering"', 'UPDATE "events_gathering"')
            )
            and record["commitment"] in sql
        ]
        assert len(committed) == 1
        drawn = [
            index
            for index, sql in enumerate(statements)
            if sql.startswith('INSERT INTO "events_draw"') and record["seed"] in sql
        ]
        assert len(drawn) == 1
        assert committed[0] < drawn[0]
