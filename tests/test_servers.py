"""The tests' own servers (tests/servers.py): after a forked server stops,
the test process waits until that server's database sessions have ended,
and only for those; its own pooled sessions stay open and never delay it."""

import os
import time
import urllib.request

import psycopg
import pytest
from django.db import connection

from tests.servers import (
    _wait_for_sessions_to_end,
    daphne_start,
    daphne_stop,
    server_session_name,
)

pytestmark = [pytest.mark.postgres, pytest.mark.usefixtures("transactional_db")]


def sessions_named(name: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND application_name = %s",
            [name],
        )
        return cursor.fetchone()[0]


def own_sessions() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND application_name <> %s",
            [server_session_name(os.getpid())],
        )
        return cursor.fetchone()[0]


def test_a_stopped_servers_sessions_are_waited_for_and_not_the_test_process_own():
    name = server_session_name(os.getpid())
    server = daphne_start()
    try:
        # A page that reads the database: the server opens its sessions.
        url = f"http://127.0.0.1:{server.port.value}/"
        with urllib.request.urlopen(url, timeout=30) as response:
            assert response.status == 200
        assert sessions_named(name) >= 1
    finally:
        daphne_stop(server)

    # A session of the test process's own besides the one it asks with (as
    # its connection pool keeps): waiting for every other session would
    # never end.
    with psycopg.connect(**_own_params()):
        assert own_sessions() >= 2
        started = time.monotonic()
        _wait_for_sessions_to_end(timeout=10)

        assert time.monotonic() - started < 5
    assert sessions_named(name) == 0


def _own_params() -> dict:
    params = dict(connection.get_connection_params())
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params.pop("application_name", None)
    return params


def test_a_server_session_that_outlives_the_wait_fails_the_test_naming_it():
    name = server_session_name(os.getpid())
    params = {**connection.get_connection_params(), "application_name": name}
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params) as lingering:
        pid = lingering.info.backend_pid
        started = time.monotonic()
        with pytest.raises(pytest.fail.Exception, match=str(pid)):
            _wait_for_sessions_to_end(timeout=0.5)
        assert 0.5 <= time.monotonic() - started < 5
