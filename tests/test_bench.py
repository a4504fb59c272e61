"""Every script in bench/ runs as committed: each is started here at its
smallest settings (a few seconds of load on a few rows), so that a change
to the code they drive, or to each other (chat.py, gatherings.py and
mixed.py use forum.py's plumbing), cannot break one unnoticed. A benchmark
that does not run measures nothing.

They create PostgreSQL databases of their own (named after the test
database, with "bench" in the name, dropped at the end) and use Redis, so
the tests are marked ``postgres``: deselected on the embedded SQLite pass.
"""

import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from django.conf import settings

pytestmark = [pytest.mark.postgres, pytest.mark.long]

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
TIMEOUT = 240


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_url(script: str) -> str:
    """A database of the script's own next to the test database: its name
    carries "bench" (the scripts refuse to drop any other)."""
    db = settings.DATABASES["default"]
    name = f"{db['NAME']}_{script}_bench_{uuid.uuid4().hex[:6]}"[:63]
    return (
        f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        f"/{name}"
    )


def _exists(url: str) -> bool:
    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        return (
            conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s",
                [parts.path.lstrip("/")],
            ).fetchone()
            is not None
        )


def _redis_url() -> str:
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.fail("REDIS_URL is not set; the benchmarks need Redis")
    return url


SMALLEST = {
    "forum.py": lambda: [
        "--communities", "3", "--threads", "40", "--comments", "600",
        "--duration", "0.3", "--warmup", "0", "--rounds", "1",
        "--concurrency", "2", "--redis-url", _redis_url(),
    ],
    "gatherings.py": lambda: [
        "--members", "10", "--resubmit", "2", "--concurrency", "4",
        "--bare-duration", "0.3", "--draw-applications", "30",
        "--redis-url", _redis_url(),
    ],
    "chat.py": lambda: [
        "--clients", "4", "--senders", "2", "--rate", "1", "--duration", "1",
        "--rounds", "1", "--warmup", "0.2", "--drain", "1", "--processes", "1",
        "--redis-url", _redis_url(),
    ],
    "mixed.py": lambda: [
        "--users", "8", "--communities", "3", "--threads", "40",
        "--comments", "600", "--pages", "3", "--lead", "10", "--warmup", "1",
        "--measure", "1",
        "--rounds", "1", "--concurrency", "2", "--redis-down", "2",
        "--worker-down", "2", "--settle", "2", "--after", "1", "--resync", "20",
        "--redis-port", str(_free_port()),
        "--ports", str(_free_port()), str(_free_port()),
    ],
}  # fmt: skip


@pytest.mark.parametrize("script", sorted(SMALLEST))
def test_each_bench_script_runs_at_its_smallest_settings_and_drops_its_database(
    script,
):
    url = _database_url(script.removesuffix(".py"))
    result = subprocess.run(
        [
            sys.executable,
            str(BENCH / script),
            "--database-url",
            url,
            *SMALLEST[script](),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    # 1 is a run that finished and printed its figures but missed a goal
    # (at these sizes, on a shared machine, timings are not the point).
    assert result.returncode in (0, 1), result.stdout[-3000:] + result.stderr[-3000:]
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert " UTC" in result.stdout.splitlines()[-1], result.stdout[-3000:]
    assert not _exists(url)


def test_forum_teardown_drops_the_database_when_the_run_failed_early():
    # A run that fails before Django is set up (chat.py did, reading an
    # option of forum.py's) still drops the database it created.
    url = _database_url("teardown")
    script = (
        "import argparse, sys\n"
        f"sys.path.insert(0, {str(BENCH)!r})\n"
        "import forum\n"
        f"forum.database_recreate({url!r}, False)\n"
        "forum.teardown(argparse.Namespace(database_url="
        f"{url!r}, no_redis=True, keep_db=False), None, True)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert not _exists(url)
