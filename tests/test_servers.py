"""The tests' own servers (tests/servers.py): after a forked server stops,
the test process waits until that server's database sessions have ended,
and only for those; its own pooled sessions, and those of a server still
serving, stay open and never delay it."""

import os
import time
import urllib.request
from types import SimpleNamespace

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


def sessions_of(process) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND application_name = %s",
            [server_session_name(os.getpid(), process.pid)],
        )
        return cursor.fetchone()[0]


def own_sessions() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND application_name NOT LIKE %s",
            ["moim-test-server-of-%"],
        )
        return cursor.fetchone()[0]


def _own_params() -> dict:
    params = dict(connection.get_connection_params())
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params.pop("application_name", None)
    return params


def _served(server) -> None:
    # A page that reads the database: the server opens its sessions.
    url = f"http://127.0.0.1:{server.port.value}/"
    with urllib.request.urlopen(url, timeout=30) as response:
        assert response.status == 200
    assert sessions_of(server) >= 1


def test_a_stopped_servers_sessions_are_waited_for_and_not_the_test_process_own():
    server = daphne_start()
    try:
        _served(server)
    finally:
        daphne_stop(server)

    # A session of the test process's own besides the one it asks with (as
    # its connection pool keeps): waiting for every other session would
    # never end.
    with psycopg.connect(**_own_params()):
        assert own_sessions() >= 2
        started = time.monotonic()
        _wait_for_sessions_to_end(server, timeout=10)

        assert time.monotonic() - started < 5
    assert sessions_of(server) == 0


def test_a_server_still_serving_is_not_waited_for_when_another_stops():
    # As a module's own server stops while the package-wide one serves on.
    serving, stopping = daphne_start(), daphne_start()
    try:
        _served(serving)
        _served(stopping)
        daphne_stop(stopping)

        started = time.monotonic()
        _wait_for_sessions_to_end(stopping, timeout=10)

        assert time.monotonic() - started < 5
        assert sessions_of(stopping) == 0
        assert sessions_of(serving) >= 1
    finally:
        daphne_stop(serving)
        daphne_stop(stopping)
    _wait_for_sessions_to_end(serving)


def test_a_server_session_that_outlives_the_wait_fails_the_test_naming_it():
    process = SimpleNamespace(pid=os.getpid() + 100_000)
    params = {
        **_own_params(),
        "application_name": server_session_name(os.getpid(), process.pid),
    }
    with psycopg.connect(**params) as lingering:
        pid = lingering.info.backend_pid
        started = time.monotonic()
        with pytest.raises(pytest.fail.Exception, match=str(pid)):
            _wait_for_sessions_to_end(process, timeout=0.5)
        assert 0.5 <= time.monotonic() - started < 5
