"""``moim_guard()`` on SQLite connections: the switch the draw's database
guards (migration 0010) read. It answers 1, so the guards refuse; a
connection that lacks it (the sqlite3 shell) fails on the unknown function,
which refuses the write as well. ``guards_suspended`` turns it off for the
one caller that must empty every table at once: the test suite's flush
between transactional tests (PostgreSQL's TRUNCATE fires no row trigger)."""

from contextlib import contextmanager

_suspended = False


def _guard() -> int:
    return 0 if _suspended else 1


def guard_register(sender, connection, **kwargs) -> None:
    """connection_created receiver: give a new SQLite connection the
    function."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("moim_guard", 0, _guard)


@contextmanager
def guards_suspended():
    global _suspended
    _suspended = True
    try:
        yield
    finally:
        _suspended = False
