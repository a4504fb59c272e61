"""compose.yaml, the Dockerfile and the Procfile run Moim as docs/deploy.md
says: their commands, with compose's own environment, bring up the schema, a
web process and a task worker on PostgreSQL and Redis, and a visitor's
Chromium signs in and gets mail through the worker.

There is no Docker here to build the image, so the test runs each service's
command as the image would (the Dockerfile's ``CMD`` for the web process),
with compose's environment for that service; only the addresses of the
database and of Redis (compose's service names) become this machine's.
"""

import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import psycopg
import pytest
import yaml
from django.conf import settings
from playwright.sync_api import expect

from community.demo import DEMO_DOMAIN, DEMO_PASSWORD
from tests.browser.conftest import PageProblems, _fail_on_late_problems, _open_page
from tests.browser.steps import sign_in
from tests.servers import _die_with_the_test_process, free_port

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text())
SERVICES = COMPOSE["services"]
START_TIMEOUT = 60
# ${NAME:?message} must be given; ${NAME:-default} falls back.
VARIABLE = re.compile(r"\$\{(\w+)(?::([?-])([^}]*))?\}")


def interpolate(value: str, given: dict[str, str]) -> str:
    def substitute(match: re.Match) -> str:
        name, kind, text = match.groups()
        if given.get(name):
            return given[name]
        if kind == "?":
            raise KeyError(f"compose.yaml requires {name}: {text}")
        return text or ""

    return VARIABLE.sub(substitute, value)


def service_command(name: str) -> list[str]:
    """What a service runs: its ``command``, else the image's ``CMD``."""
    command = SERVICES[name].get("command")
    if command is not None:
        return list(command)
    (cmd,) = [
        line
        for line in (ROOT / "Dockerfile").read_text().splitlines()
        if line.startswith("CMD ")
    ]
    return yaml.safe_load(cmd.removeprefix("CMD "))


@pytest.fixture(scope="module")
def database_url():
    """A database of its own on the test run's PostgreSQL server, made and
    dropped here: the stack migrates it itself, as compose's ``migrate`` does."""
    server = settings.DATABASES["default"]
    name = f"moim_compose_{os.getpid()}"
    admin = psycopg.connect(
        host=server["HOST"] or "127.0.0.1",
        port=server["PORT"] or 5432,
        user=server["USER"],
        password=server["PASSWORD"],
        dbname="postgres",
        autocommit=True,
    )
    admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.execute(f'CREATE DATABASE "{name}"')
    credentials = server["USER"] + (
        f":{server['PASSWORD']}" if server["PASSWORD"] else ""
    )
    yield (
        f"postgres://{credentials}@{server['HOST'] or '127.0.0.1'}:"
        f"{server['PORT'] or 5432}/{name}"
    )
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


@pytest.fixture(scope="module")
def environment(database_url):
    """Compose's environment of the web and worker services, with this
    machine's database and Redis in place of compose's ``db`` and ``redis``."""
    given = {"SECRET_KEY": "compose-test-" + "k" * 50}
    compose_env = {
        name: interpolate(str(value), given)
        for name, value in SERVICES["web"]["environment"].items()
    }
    assert SERVICES["worker"]["environment"] == SERVICES["web"]["environment"]
    # Compose's addresses are its own services'.
    db = SERVICES["db"]["environment"]
    assert compose_env["DATABASE_URL"] == (
        f"postgres://{db['POSTGRES_USER']}:{db['POSTGRES_PASSWORD']}"
        f"@db:5432/{db['POSTGRES_DB']}"
    )
    assert urlsplit(compose_env["REDIS_URL"]).hostname == "redis"
    redis = urlsplit(settings.REDIS_URL or "redis://127.0.0.1:6379/0")
    compose_env["DATABASE_URL"] = database_url
    compose_env["REDIS_URL"] = f"redis://{redis.netloc}/{redis.path.strip('/') or 0}"
    # The test process's own configuration must not leak into the stack.
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "SQLITE_", "PYTEST_"))
        and name not in {"DATABASE_URL", "REDIS_URL"}
    }
    env.update(compose_env)
    return env


def _run(command: list[str], env: dict, timeout: float = 300) -> str:
    result = subprocess.run(
        [sys.executable if command[0] == "python" else command[0], *command[1:]],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _start(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    with log.open("w") as output:
        return subprocess.Popen(
            [sys.executable if command[0] == "python" else command[0], *command[1:]],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_the_test_process,
        )


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _wait_for(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    pytest.fail(f"{url} did not answer in {START_TIMEOUT} s:\n{log.read_text()}")


def _mails_to(log: Path, address: str) -> list[str]:
    """The bodies of the mails to ``address`` that the console backend has
    printed in ``log`` so far."""
    return [
        part.split("\n\n", 1)[1]
        for part in log.read_text().split("-" * 79)
        if f"\nTo: {address}\n" in part
    ]


def _wait_for_mail(log: Path, address: str, containing: str, timeout: float = 30):
    """Wait until a mail to ``address`` that contains ``containing`` is in
    ``log`` (the demo's gatherings may mail the same member meanwhile)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(containing in body for body in _mails_to(log, address)):
            return
        time.sleep(0.2)
    pytest.fail(f"no mail to {address} with {containing!r}:\n{log.read_text()}")


@pytest.fixture(scope="module")
def stack(environment, tmp_path_factory):
    """migrate, seed_demo (as compose.yaml's header suggests), then the web
    process and the worker, each as its service would run it."""
    logs = tmp_path_factory.mktemp("compose")
    _run(service_command("migrate"), environment)
    _run(["python", "manage.py", "seed_demo"], environment)
    port = free_port()
    web = service_command("web")
    web[web.index("-b") + 1] = "127.0.0.1"
    web[web.index("-p") + 1] = str(port)
    web_log, worker_log = logs / "web.log", logs / "worker.log"
    processes = [
        _start(web, environment, web_log),
        _start(service_command("worker"), environment, worker_log),
    ]
    try:
        url = f"http://localhost:{port}"
        _wait_for(url + "/", processes[0], web_log)
        yield SimpleNamespace(url=url, web_log=web_log, worker_log=worker_log)
    finally:
        for process in processes:
            _stop(process)


def test_the_procfile_runs_what_compose_runs():
    procfile = dict(
        line.split(": ", 1)
        for line in (ROOT / "Procfile").read_text().splitlines()
        if line.strip()
    )

    assert procfile["release"].split() == service_command("migrate")
    assert procfile["worker"].split() == service_command("worker")
    web = service_command("web")
    web[web.index("-p") + 1] = "$PORT"
    assert procfile["web"].split() == web


def test_a_visitor_signs_in_and_gets_mail_from_the_worker(stack, chromium):
    problems = PageProblems(server_netloc=urlsplit(stack.url).netloc)
    page = _open_page(chromium, SimpleNamespace(url=stack.url), problems)
    try:
        email = f"member02@{DEMO_DOMAIN}"
        # Signed in over plain HTTP with production settings: the browser
        # keeps the Secure session cookie because the host is localhost.
        sign_in(page, email, DEMO_PASSWORD)

        page.context.clear_cookies()
        page.goto("/accounts/password/reset/")
        page.fill("input[name=email]", email)
        page.locator("main form button[type=submit]").click()
        expect(page).to_have_url(re.compile(r"/accounts/password/reset/done/"))
    finally:
        page.context.close()
    _fail_on_late_problems(problems)

    # The web process queued the mail in the database; the worker sent it
    # (to its console, compose's default without EMAIL_URL).
    _wait_for_mail(stack.worker_log, email, f"{stack.url}/accounts/password/reset/key/")
