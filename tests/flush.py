"""The flush between transactional tests, made fast on PostgreSQL.

After each transactional test (``transactional_db``: the browser, realtime,
server and mixed-load tests) Django empties the database with the ``flush``
command: on PostgreSQL one ``TRUNCATE`` of every table (about 130, ≈ 1.0–1.3 s
on a loaded CI machine, whatever few rows the test wrote), then the
``post_migrate`` signal, which creates the content types and permissions again
(≈ 0.5 s). ``flush_fast`` leaves the database in the same state in a few
milliseconds:

- one query finds the tables that have rows; only those are emptied, with
  ``DELETE`` in one transaction;
- the rows Django's flush itself leaves behind (those ``post_migrate``
  creates: content types, permissions) are recorded, as a digest per table,
  after the first real flush of the session; while they are unchanged they
  are kept, which is what the flush and the signal would have made again (the
  same rows, even the same ids, so ``ContentType``'s cache stays right), and
  the signal is not needed;
- the transaction runs with ``session_replication_role = replica`` (``SET
  LOCAL``): no trigger fires, neither the foreign keys' (every non-empty table
  is emptied, so no reference is left dangling, in whatever order) nor the
  draw's guards, which refuse ``DELETE`` on draws and log rows just as the
  ``TRUNCATE`` it replaces never fired them. The guards themselves are tested
  outside of it (tests/events/test_draw_terms.py, in transactions
  rolled back, where the role is the default one).

Whenever it cannot be sure, it answers False and the caller runs Django's own
flush: not PostgreSQL, no recorded rows yet, a recorded table changed or
emptied by the test (a test that made a permission), options other than the
test teardown's (``reset_sequences``, ``inhibit_post_migrate``: pytest-django's
``available_apps`` or serialized rollback), or a role not allowed to set
``session_replication_role`` (it needs a superuser, as CI's ``postgres``).
``manage.py flush`` itself is untouched: only the test suite's conftest calls
this, for the duration of the session.
"""

from django.db import DatabaseError, connections, transaction

# database alias -> {table: digest of its rows} right after Django's flush
_left_by_flush: dict[str, dict[str, str]] = {}


def _tables(connection) -> list[str]:
    # The tables Django's flush empties (django.core.management.sql.sql_flush).
    return sorted(
        connection.introspection.django_table_names(
            only_existing=True, include_views=False
        )
    )


def _non_empty(cursor, connection, tables: list[str]) -> list[str]:
    quote = connection.ops.quote_name
    query = " UNION ALL ".join(
        f"SELECT %s WHERE EXISTS (SELECT 1 FROM {quote(table)})" for table in tables
    )
    cursor.execute(query, tables)
    return [row[0] for row in cursor.fetchall()]


def _digests(cursor, connection, tables: list[str]) -> dict[str, str]:
    if not tables:
        return {}
    quote = connection.ops.quote_name
    query = " UNION ALL ".join(
        f"SELECT %s, md5(coalesce(string_agg(r::text, '|' ORDER BY r::text), ''))"
        f" FROM {quote(table)} r"
        for table in tables
    )
    cursor.execute(query, tables)
    return dict(cursor.fetchall())


def flush_applies(connection, options: dict) -> bool:
    """Whether this call of the flush command is the test teardown's on
    PostgreSQL (the one case ``flush_fast`` stands in for)."""
    return (
        connection.vendor == "postgresql"
        and options.get("reset_sequences") is False
        and not options.get("inhibit_post_migrate", False)
        and not options.get("interactive", True)
    )


def flush_record(alias: str) -> None:
    """After Django's flush: remember the rows it left (post_migrate's)."""
    connection = connections[alias]
    with connection.cursor() as cursor:
        left = _non_empty(cursor, connection, _tables(connection))
        _left_by_flush[alias] = _digests(cursor, connection, left)


def flush_forget(alias: str) -> None:
    _left_by_flush.pop(alias, None)


def flush_fast(alias: str) -> bool:
    """Empty every table but the unchanged rows Django's flush would have
    made again; False (nothing done) when it cannot stand in for it."""
    left = _left_by_flush.get(alias)
    if left is None:
        return False
    connection = connections[alias]
    quote = connection.ops.quote_name
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        try:
            with transaction.atomic(using=alias):
                cursor.execute("SET LOCAL session_replication_role = replica")
        except DatabaseError:
            # Not a superuser (nor granted SET on the parameter).
            return False
        non_empty = _non_empty(cursor, connection, _tables(connection))
        kept = [table for table in non_empty if table in left]
        if set(kept) != set(left) or _digests(cursor, connection, kept) != left:
            # A test changed what post_migrate makes: roll back, Django's
            # flush (and the signal) make it again.
            transaction.set_rollback(True, using=alias)
            return False
        for table in non_empty:
            if table not in left:
                cursor.execute(f"DELETE FROM {quote(table)}")
    return True
