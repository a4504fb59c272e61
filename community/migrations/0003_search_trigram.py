"""Korean-friendly search on PostgreSQL: trigram GIN indexes let
``icontains`` (LIKE '%…%') find a substring such as "마케터" inside
"퍼포먼스마케터끼리" without an English full-text configuration. SQLite has no
such index; the same queries scan there and stay correct."""

from django.db import migrations

INDEXES = [
    ("community_thread_title_trgm", "community_thread", "title"),
    ("community_thread_body_trgm", "community_thread", "body"),
    ("community_comment_body_trgm", "community_comment", "body"),
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # pg_trgm is a trusted extension: a database owner may create it.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
            f"USING gin ({column} gin_trgm_ops)"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("community", "0002_communities_threads")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
