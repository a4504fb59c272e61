"""A database guard for Survey's lock: once ``locked`` is set, an UPDATE that
changes k, the period, the close or the questions, or clears the lock, is
refused by a trigger, whatever wrote it (the admin, a shell, raw SQL).

SQLite drops a table's triggers when Django rebuilds it for a schema change:
a later migration that alters events_survey must run these statements again.
"""

from django.db import migrations

SQLITE_CREATE = [
    """
CREATE TRIGGER events_survey_locked BEFORE UPDATE ON events_survey
WHEN OLD.locked AND (
    NOT NEW.locked
    OR NEW.min_responses IS NOT OLD.min_responses
    OR NEW.duration IS NOT OLD.duration
    OR NEW.closes_at IS NOT OLD.closes_at
    OR NEW.questions IS NOT OLD.questions
)
BEGIN
    SELECT RAISE(ABORT, 'survey settings are locked');
END
"""
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS events_survey_locked"]

POSTGRES_CREATE = [
    """
CREATE FUNCTION events_survey_locked() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.locked AND (
        NOT NEW.locked
        OR NEW.min_responses IS DISTINCT FROM OLD.min_responses
        OR NEW.duration IS DISTINCT FROM OLD.duration
        OR NEW.closes_at IS DISTINCT FROM OLD.closes_at
        OR NEW.questions IS DISTINCT FROM OLD.questions
    ) THEN
        RAISE EXCEPTION 'survey settings are locked'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END
$$
""",
    """
CREATE TRIGGER events_survey_locked BEFORE UPDATE ON events_survey
FOR EACH ROW EXECUTE FUNCTION events_survey_locked()
""",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS events_survey_locked ON events_survey",
    "DROP FUNCTION IF EXISTS events_survey_locked()",
]


def _run(statements: dict[str, list[str]]):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0004_surveys_path"),
    ]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_CREATE, "postgresql": POSTGRES_CREATE}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
        ),
    ]
