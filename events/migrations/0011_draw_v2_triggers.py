"""Database guards for moim-draw-v2 (docs/draw.md section 17), whatever
writes (the admin, a shell, raw SQL):

- a gathering's draw seed cannot change once it has left the draft, nor its
  committed terms, their digest, the commitment or the frozen digest once
  set;
- a draw's record, algorithm, gathering and time cannot change (only the
  notices' mark and who pressed the button, which a departing member's
  deletion clears), and no draw row can be deleted;
- amendments and log entries are append-only: no update, no delete.

SQLite: the guards call ``moim_guard()``, a function the app registers on
its own connections (events.guards) and which answers 1; a connection
without it (the sqlite3 shell) fails on the unknown function, so the write
is refused there too. Only the test suite's table flush switches it off.
SQLite drops a table's triggers when Django rebuilds it for a schema change:
a later migration that alters one of these tables must run them again.
"""

from django.db import migrations

GATHERING_GUARD = """
    (OLD.status <> 'draft' AND NEW.draw_seed IS NOT OLD.draw_seed)
    OR (OLD.terms_digest <> '' AND (
        NEW.terms IS NOT OLD.terms
        OR NEW.terms_digest IS NOT OLD.terms_digest
        OR NEW.draw_commitment IS NOT OLD.draw_commitment))
    OR (OLD.frozen_digest <> '' AND NEW.frozen_digest IS NOT OLD.frozen_digest)
"""
DRAW_GUARD = """
    NEW.record IS NOT OLD.record
    OR NEW.algorithm IS NOT OLD.algorithm
    OR NEW.gathering_id IS NOT OLD.gathering_id
    OR NEW.drawn_at IS NOT OLD.drawn_at
"""

SQLITE_CREATE = [
    f"""
CREATE TRIGGER events_gathering_committed BEFORE UPDATE ON events_gathering
WHEN moim_guard() AND ({GATHERING_GUARD})
BEGIN SELECT RAISE(ABORT, 'the draw seed and terms are committed'); END
""",
    f"""
CREATE TRIGGER events_draw_final BEFORE UPDATE ON events_draw
WHEN moim_guard() AND ({DRAW_GUARD})
BEGIN SELECT RAISE(ABORT, 'a draw is final'); END
""",
    """
CREATE TRIGGER events_draw_kept BEFORE DELETE ON events_draw
WHEN moim_guard()
BEGIN SELECT RAISE(ABORT, 'a draw is final'); END
""",
]
for table in ("events_amendment", "events_logentry"):
    for action in ("UPDATE", "DELETE"):
        SQLITE_CREATE.append(
            f"""
CREATE TRIGGER {table}_{action.lower()} BEFORE {action} ON {table}
WHEN moim_guard()
BEGIN SELECT RAISE(ABORT, 'the log is append-only'); END
"""
        )
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS events_gathering_committed",
    "DROP TRIGGER IF EXISTS events_draw_final",
    "DROP TRIGGER IF EXISTS events_draw_kept",
    *(
        f"DROP TRIGGER IF EXISTS {table}_{action}"
        for table in ("events_amendment", "events_logentry")
        for action in ("update", "delete")
    ),
]

PG_GATHERING = GATHERING_GUARD.replace("IS NOT", "IS DISTINCT FROM")
PG_DRAW = DRAW_GUARD.replace("IS NOT", "IS DISTINCT FROM")
POSTGRES_CREATE = [
    f"""
CREATE FUNCTION events_gathering_committed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF {PG_GATHERING} THEN
        RAISE EXCEPTION 'the draw seed and terms are committed'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END
$$
""",
    """
CREATE TRIGGER events_gathering_committed BEFORE UPDATE ON events_gathering
FOR EACH ROW EXECUTE FUNCTION events_gathering_committed()
""",
    f"""
CREATE FUNCTION events_draw_final() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR ({PG_DRAW}) THEN
        RAISE EXCEPTION 'a draw is final'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END
$$
""",
    """
CREATE TRIGGER events_draw_final BEFORE UPDATE OR DELETE ON events_draw
FOR EACH ROW EXECUTE FUNCTION events_draw_final()
""",
    """
CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the log is append-only'
        USING ERRCODE = 'integrity_constraint_violation';
END
$$
""",
    """
CREATE TRIGGER events_amendment_append_only BEFORE UPDATE OR DELETE
ON events_amendment FOR EACH ROW EXECUTE FUNCTION events_append_only()
""",
    """
CREATE TRIGGER events_logentry_append_only BEFORE UPDATE OR DELETE
ON events_logentry FOR EACH ROW EXECUTE FUNCTION events_append_only()
""",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS events_gathering_committed ON events_gathering",
    "DROP FUNCTION IF EXISTS events_gathering_committed()",
    "DROP TRIGGER IF EXISTS events_draw_final ON events_draw",
    "DROP FUNCTION IF EXISTS events_draw_final()",
    "DROP TRIGGER IF EXISTS events_amendment_append_only ON events_amendment",
    "DROP TRIGGER IF EXISTS events_logentry_append_only ON events_logentry",
    "DROP FUNCTION IF EXISTS events_append_only()",
]


def _run(statements: dict[str, list[str]]):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0010_draw_v2_terms_log"),
    ]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_CREATE, "postgresql": POSTGRES_CREATE}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
        ),
    ]
