"""Real daphne servers and task workers for the tests that need one: forked
copies of the test process, so they run with the test settings and the test
database that pytest-django created (the tests use ``transactional_db`` so
that what they write is committed and visible to the servers); and a private
redis-server, the machine's real binary, for the tests that stop it."""

import contextlib
import ctypes
import multiprocessing.context
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from asgiref.sync import SyncToAsync
from daphne.testing import DaphneProcess
from django.conf import settings
from django.db import connections
from django.test.utils import override_settings

SERVER_HOST = "127.0.0.1"
SERVER_START_TIMEOUT = 30
# Playwright's sync API keeps an event loop running in the test thread, which
# makes Django refuse ORM calls from that thread unless told otherwise.
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"
PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _server_application():
    # Imported in the server process only: config.asgi builds the whole
    # ASGI stack (static files, websockets) exactly as production does.
    from config.asgi import application

    return application


class HeldStart:
    """A forked process that starts its work only once released: fork it
    while the test process runs one thread, release it later. Forking while
    another thread is busy (a load running) can leave the child waiting for
    ever on a lock that thread held at that instant."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._go = multiprocessing.get_context("fork").Event()

    def release(self) -> None:
        self._go.set()

    def _wait_for_release(self) -> None:
        _die_with_the_test_process()
        self._go.wait()


class ForkedDaphneProcess(HeldStart, DaphneProcess):
    """DaphneProcess, always forked: the child must inherit the test settings
    (overridden mail and task backends, the test database's name) rather than
    import them afresh, which the spawn and forkserver start methods would."""

    _Popen = staticmethod(multiprocessing.context.ForkProcess._Popen)

    def run(self) -> None:
        self._wait_for_release()
        _sessions_named_after_the_test_process()
        super().run()


def _die_with_the_test_process() -> None:
    # A server outlives nothing: if the test process that forked it ends
    # without stopping it (a crash, a killed worker), Linux ends it too, so
    # no server is left holding a port, a database session or a pipe.
    if sys.platform == "linux":
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _server_process_setup() -> None:
    # The server must keep Django's async-safety checks: they are what
    # catches an ORM call made from async code in the app.
    os.environ.pop(ASYNC_UNSAFE, None)
    # asgiref runs thread-sensitive sync code (every ORM call of a consumer)
    # on one executor thread made at import. A fork copies the executor but
    # not its thread, so after an async test in the parent the executor
    # would wait forever for a thread that does not exist: give the child
    # its own.
    SyncToAsync.single_thread_executor = ThreadPoolExecutor(max_workers=1)


def _close_connections() -> None:
    # A forked child shares the parent's sockets: an open connection (or a
    # psycopg pool with its worker threads) used by both would corrupt the
    # protocol stream, so nothing may be open at the fork.
    for connection in connections.all(initialized_only=True):
        connection.close()
        pools = getattr(connection, "_connection_pools", {})
        if connection.alias in pools:
            connection.close_pool()


def server_session_name(test_process: int, server_process: int) -> str:
    """The application_name under which ``server_process``, a server or
    worker forked by ``test_process``, opens its PostgreSQL sessions."""
    return f"moim-test-server-of-{test_process}-{server_process}"


def _sessions_named_after_the_test_process() -> None:
    # In a forked server or worker, before its first query: its sessions
    # carry the test process's pid and its own, so that the test process
    # can tell them from its own and from those of a server still running
    # (see _wait_for_sessions_to_end). The child's connection pool is built
    # afresh (_close_connections ran before the fork), from these settings.
    for settings_dict in connections.settings.values():
        if settings_dict["ENGINE"] == "django.db.backends.postgresql":
            options = settings_dict.setdefault("OPTIONS", {})
            options["application_name"] = server_session_name(os.getppid(), os.getpid())


def _wait_for_sessions_to_end(*processes, timeout: float = 10) -> None:
    """PostgreSQL refuses to drop the test database while the server's
    sessions are still open, and a stopped server's session still in a
    transaction would hold its locks; they end shortly after the process
    exits. Only the sessions of ``processes``, the servers or workers just
    stopped, are waited for (each names them after itself): the test
    process's own stay open (its connection pool keeps some), and so do a
    server's still serving (a package-wide one while a module's own
    stops). A session still there after ``timeout`` seconds fails the
    test, naming it."""
    connection = connections["default"]
    if connection.vendor != "postgresql":
        return
    deadline = time.monotonic() + timeout
    try:
        with connection.cursor() as cursor:
            while True:
                cursor.execute(
                    "SELECT pid, state, backend_start, left(query, 80) "
                    "FROM pg_stat_activity "
                    "WHERE datname = current_database() "
                    "AND application_name = ANY(%s)",
                    [[server_session_name(os.getpid(), p.pid) for p in processes]],
                )
                sessions = cursor.fetchall()
                if not sessions:
                    break
                if time.monotonic() > deadline:
                    pytest.fail(
                        f"a stopped server's database sessions are still open "
                        f"after {timeout} s: {sessions}",
                        pytrace=False,
                    )
                time.sleep(0.05)
    finally:
        _close_connections()


def daphne_start(port: int | None = None) -> DaphneProcess:
    """A forked daphne serving config.asgi on ``port`` (a free one if None),
    started and listening. Call with the database unblocked and under any
    settings overrides the server should keep for its whole life."""
    return daphne_serve(daphne_fork(port))


def daphne_fork(port: int | None = None) -> ForkedDaphneProcess:
    """A daphne process forked now, which serves on ``port`` only once
    ``daphne_serve`` releases it (a restart under load: see HeldStart)."""
    _close_connections()
    process = ForkedDaphneProcess(
        SERVER_HOST, _server_application, setup=_server_process_setup, port=port
    )
    process.start()
    return process


def daphne_serve(process: ForkedDaphneProcess) -> ForkedDaphneProcess:
    """Release a forked daphne and wait until it listens."""
    process.release()
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while not process.ready.wait(timeout=0.2):
        if not process.is_alive() or time.monotonic() > deadline:
            error = "" if process.errors.empty() else process.errors.get()[1]
            process.terminate()
            pytest.fail(f"daphne did not start:\n{error}", pytrace=False)
    return process


def daphne_stop(process: DaphneProcess) -> None:
    process.terminate()
    process.join(timeout=10)
    if process.is_alive():  # its port must be free for a restart
        process.kill()
        process.join(timeout=5)


@contextlib.contextmanager
def daphnes(count: int) -> Iterator[list[DaphneProcess]]:
    """``count`` daphne processes; stopped on exit, and the database left
    ready to be flushed or dropped."""
    processes = []
    try:
        for _ in range(count):
            processes.append(daphne_start())
        yield processes
    finally:
        for process in processes:
            daphne_stop(process)
        _wait_for_sessions_to_end(*processes)


class ForkedWorkerProcess(HeldStart, multiprocessing.context.ForkProcess):
    """``manage.py db_worker``, forked like the servers. It stops as a
    deployed worker does on SIGTERM: it finishes the job in hand, then
    exits."""

    def run(self) -> None:
        self._wait_for_release()
        _sessions_named_after_the_test_process()
        _server_process_setup()
        from django.core.management import call_command

        call_command("db_worker", "--interval", "0.2", "--no-startup-delay")


def worker_start() -> ForkedWorkerProcess:
    """A task worker on the test database (the caller sets TASKS to the
    database backend first)."""
    return worker_run(worker_fork())


def worker_fork() -> ForkedWorkerProcess:
    """A task worker forked now, which works only once ``worker_run``
    releases it (a restart under load: see HeldStart)."""
    _close_connections()
    process = ForkedWorkerProcess(daemon=True)
    process.start()
    return process


def worker_run(process: ForkedWorkerProcess) -> ForkedWorkerProcess:
    process.release()
    return process


def worker_stop(process: ForkedWorkerProcess) -> None:
    process.terminate()
    process.join(timeout=30)
    if process.is_alive():
        process.kill()
        process.join(timeout=5)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((SERVER_HOST, 0))
        return probe.getsockname()[1]


def redis_start(port: int) -> subprocess.Popen:
    """The machine's redis-server on ``port``, nothing persisted; without
    the binary the test fails, it never skips."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed; this test needs it")
    process = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            SERVER_HOST,
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection((SERVER_HOST, port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    pytest.fail(f"redis-server did not start on port {port}")


def redis_stop(process: subprocess.Popen) -> None:
    process.kill()
    process.wait()


@contextlib.contextmanager
def private_redis() -> Iterator[int]:
    """A redis-server of this test's own on a free port; yields the port."""
    port = free_port()
    process = redis_start(port)
    try:
        yield port
    finally:
        redis_stop(process)


def redis_settings(url: str) -> override_settings:
    """The servers' channel layer and cache on ``url``, under a prefix of
    this test's own."""
    prefix = f"moim-test-{uuid.uuid4().hex[:8]}"
    return override_settings(
        CHANNEL_LAYERS={
            "default": {
                "BACKEND": settings.CHANNEL_LAYER_BACKENDS["pubsub"],
                "CONFIG": {"hosts": [url], "prefix": prefix},
            }
        },
        CACHES={
            "default": {
                "BACKEND": "config.cache.SharedRedisCache",
                "LOCATION": url,
                "KEY_PREFIX": prefix,
                "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
            }
        },
    )
