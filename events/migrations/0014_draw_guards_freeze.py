"""Tighter database guards for the draw (docs/draw.md section 17), replacing
the gathering guard of 0011 and adding one on applications:

- the draw seed is fixed once a commitment to it exists or the gathering is
  published, not only once it left the draft (moving it back to the draft
  freed the seed);
- a gathering that left the draft never goes back to it;
- ``frozen_at`` cannot change once set (clearing it reopened the list);
- an application's weight, company group, public id and gathering cannot
  change once its gathering's list is frozen (the draw's input).

The same switch as 0011: ``moim_guard()`` on SQLite (events.guards). SQLite
drops a table's triggers when Django rebuilds the table: a later migration
that alters events_gathering or events_application must run these again.
PostgreSQL's TRUNCATE fires no row trigger (it needs the table's owner; the
test suite's flush uses it).
"""

from django.db import migrations

GATHERING_GUARD = """
    ((OLD.status <> 'draft' OR OLD.draw_commitment <> ''
        OR OLD.published_at IS NOT NULL)
        AND NEW.draw_seed IS NOT OLD.draw_seed)
    OR (OLD.status <> 'draft' AND NEW.status = 'draft')
    OR (OLD.frozen_at IS NOT NULL AND NEW.frozen_at IS NOT OLD.frozen_at)
    OR (OLD.terms_digest <> '' AND (
        NEW.terms IS NOT OLD.terms
        OR NEW.terms_digest IS NOT OLD.terms_digest
        OR NEW.draw_commitment IS NOT OLD.draw_commitment))
    OR (OLD.frozen_digest <> '' AND NEW.frozen_digest IS NOT OLD.frozen_digest)
"""
# 0011's guard, for the way back.
GATHERING_GUARD_0011 = """
    (OLD.status <> 'draft' AND NEW.draw_seed IS NOT OLD.draw_seed)
    OR (OLD.terms_digest <> '' AND (
        NEW.terms IS NOT OLD.terms
        OR NEW.terms_digest IS NOT OLD.terms_digest
        OR NEW.draw_commitment IS NOT OLD.draw_commitment))
    OR (OLD.frozen_digest <> '' AND NEW.frozen_digest IS NOT OLD.frozen_digest)
"""
APPLICATION_CHANGED = """
    (NEW.weight IS NOT OLD.weight
     OR NEW."group" IS NOT OLD."group"
     OR NEW.public_id IS NOT OLD.public_id
     OR NEW.gathering_id IS NOT OLD.gathering_id)
"""
FROZEN = """
    EXISTS (SELECT 1 FROM events_gathering
            WHERE id = OLD.gathering_id AND frozen_at IS NOT NULL)
"""


def _sqlite_gathering(guard: str) -> list[str]:
    return [
        "DROP TRIGGER IF EXISTS events_gathering_committed",
        f"""
CREATE TRIGGER events_gathering_committed BEFORE UPDATE ON events_gathering
WHEN moim_guard() AND ({guard})
BEGIN SELECT RAISE(ABORT, 'the draw seed and terms are committed'); END
""",
    ]


def _postgres_gathering(guard: str) -> list[str]:
    guard = guard.replace("IS NOT", "IS DISTINCT FROM")
    # The trigger (0011) calls the function by name: replacing the function
    # is enough.
    return [
        f"""
CREATE OR REPLACE FUNCTION events_gathering_committed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF {guard} THEN
        RAISE EXCEPTION 'the draw seed and terms are committed'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END
$$
"""
    ]


SQLITE_FORWARD = [
    *_sqlite_gathering(GATHERING_GUARD),
    f"""
CREATE TRIGGER events_application_frozen BEFORE UPDATE ON events_application
WHEN moim_guard() AND {APPLICATION_CHANGED} AND {FROZEN}
BEGIN SELECT RAISE(ABORT, 'the frozen list of applications is fixed'); END
""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS events_application_frozen",
    *_sqlite_gathering(GATHERING_GUARD_0011),
]
PG_APPLICATION_CHANGED = APPLICATION_CHANGED.replace("IS NOT", "IS DISTINCT FROM")
POSTGRES_FORWARD = [
    *_postgres_gathering(GATHERING_GUARD),
    f"""
CREATE FUNCTION events_application_frozen() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF {PG_APPLICATION_CHANGED} AND {FROZEN} THEN
        RAISE EXCEPTION 'the frozen list of applications is fixed'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END
$$
""",
    """
CREATE TRIGGER events_application_frozen BEFORE UPDATE ON events_application
FOR EACH ROW EXECUTE FUNCTION events_application_frozen()
""",
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS events_application_frozen ON events_application",
    "DROP FUNCTION IF EXISTS events_application_frozen()",
    *_postgres_gathering(GATHERING_GUARD_0011),
]


def _run(statements: dict[str, list[str]]):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0013_rerender_descriptions_cjk_emphasis"),
    ]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        ),
    ]
