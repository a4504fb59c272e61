"""With DEBUG off, a missing, development or weak SECRET_KEY stops every process
before it does anything (SECURITY.md, "Every door"): the public development
key would let anyone forge sessions and join URLs and open sealed survey
responses.

Each process is started for real, as a deployment starts it, with the
suite's own configuration variables removed."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEVELOPMENT_KEY = "django-insecure-moim-development-only"
GOOD_KEY = "a-real-secret-" + "k7Q" * 20

# The server, the task worker, management commands that need the apps, and
# one that Django runs before loading them (check).
PROCESSES = {
    "asgi application": [sys.executable, "-c", "import config.asgi"],
    "daphne": [
        sys.executable,
        "-m",
        "events.log_masking",
        "-p",
        "0",
        "config.asgi:application",
    ],
    "db_worker": [sys.executable, "manage.py", "db_worker"],
    "check": [sys.executable, "manage.py", "check"],
    "migrate": [sys.executable, "manage.py", "migrate", "--check"],
}


def start(command: list[str], tmp_path, **env) -> tuple[int | None, str]:
    """The exit code and output of ``command``, or (None, output) if it was
    still running after a while: a process that started."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if name
        not in {
            "DJANGO_DEBUG",
            "SECRET_KEY",
            "SECRET_KEY_FALLBACKS",
            "DATABASE_URL",
            "REDIS_URL",
            "DJANGO_SETTINGS_MODULE",
        }
    }
    environment.update(
        DJANGO_DEBUG="0",
        ALLOWED_HOSTS="moim.example.com",
        SQLITE_PATH=str(tmp_path / "db.sqlite3"),
        PYTHONPATH=str(ROOT),
    )
    environment.update(env)
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        output, _ = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
        return None, output
    return process.returncode, output


def assert_refused(code: int | None, output: str) -> None:
    assert code not in (None, 0), f"the process started:\n{output}"
    assert "ImproperlyConfigured" in output, output
    assert "SECRET_KEY" in output, output
    # The refusal says how to make a real key.
    assert "secrets.token_urlsafe(50)" in output, output


def example_file_key() -> str:
    """The placeholder an operator gets by copying `.env.example`."""
    (key,) = re.findall(
        r"^SECRET_KEY=(.*)$", (ROOT / ".env.example").read_text(), re.MULTILINE
    )
    return key.strip()


@pytest.mark.parametrize("process", PROCESSES)
def test_without_a_secret_key_no_process_starts(process, tmp_path):
    assert_refused(*start(PROCESSES[process], tmp_path))


@pytest.mark.parametrize("process", PROCESSES)
def test_with_the_development_key_no_process_starts(process, tmp_path):
    assert_refused(*start(PROCESSES[process], tmp_path, SECRET_KEY=DEVELOPMENT_KEY))


@pytest.mark.parametrize("key", ["", "  ", "django-insecure-abc" + "x" * 50])
def test_a_blank_or_django_generated_development_key_is_refused(key, tmp_path):
    assert_refused(*start(PROCESSES["check"], tmp_path, SECRET_KEY=key))


# Whatever Django's own check security.W009 calls weak: fewer than 50
# characters, fewer than 5 distinct characters.
WEAK_KEYS = {
    "the .env.example placeholder": example_file_key(),
    "the old image build key": "collectstatic-only",
    "49 random characters": "Zq8-Lw3_Xe7Rt1Yu5Io9Pa2Sd6Fg0Hj4Kl8Zx3Cv7Bn1Mq5Wd",
    "four distinct characters": "abcd" * 20,
}


@pytest.mark.parametrize("key", WEAK_KEYS.values(), ids=WEAK_KEYS)
def test_a_placeholder_or_weak_key_is_refused(key, tmp_path):
    assert_refused(*start(PROCESSES["check"], tmp_path, SECRET_KEY=key))


def test_the_example_files_key_is_refused_by_the_server_too(tmp_path):
    assert_refused(
        *start(PROCESSES["asgi application"], tmp_path, SECRET_KEY=example_file_key())
    )


@pytest.mark.parametrize("key", WEAK_KEYS.values(), ids=WEAK_KEYS)
def test_a_placeholder_or_weak_fallback_is_refused(key, tmp_path):
    code, output = start(
        PROCESSES["check"], tmp_path, SECRET_KEY=GOOD_KEY, SECRET_KEY_FALLBACKS=key
    )

    assert_refused(code, output)
    assert "SECRET_KEY_FALLBACKS" in output


def test_a_real_fallback_is_accepted(tmp_path):
    code, output = start(
        PROCESSES["asgi application"],
        tmp_path,
        SECRET_KEY=GOOD_KEY,
        SECRET_KEY_FALLBACKS="an-earlier-secret-" + "p4W" * 15,
    )

    assert code == 0, output


def test_the_development_key_as_a_fallback_is_refused(tmp_path):
    code, output = start(
        PROCESSES["check"],
        tmp_path,
        SECRET_KEY=GOOD_KEY,
        SECRET_KEY_FALLBACKS=DEVELOPMENT_KEY,
    )

    assert_refused(code, output)
    assert "SECRET_KEY_FALLBACKS" in output


def test_with_a_real_key_the_processes_start(tmp_path):
    code, output = start(PROCESSES["asgi application"], tmp_path, SECRET_KEY=GOOD_KEY)
    assert code == 0, output

    code, output = start(
        [sys.executable, "manage.py", "shell", "-c", "print('started')"],
        tmp_path,
        SECRET_KEY=GOOD_KEY,
    )
    assert code == 0, output
    assert "started" in output


def test_with_debug_on_the_development_key_is_still_the_default(tmp_path):
    code, output = start(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from django.conf import settings; print(settings.SECRET_KEY)",
        ],
        tmp_path,
        DJANGO_DEBUG="1",
    )

    assert code == 0, output
    assert DEVELOPMENT_KEY in output


def test_the_images_collectstatic_step_still_runs(tmp_path):
    # The Dockerfile collects static files with DEBUG off and a throwaway key
    # made at build time (no key, not even a useless one, is written into the
    # image or this file): the step itself is run here, by the shell, as the
    # build runs it.
    lines = (ROOT / "Dockerfile").read_text().splitlines()
    (step,) = [line for line in lines if "collectstatic" in line]
    command = step.removeprefix("RUN ").split("&&", 1)[0].rstrip(" \\")
    assert "DJANGO_DEBUG=0" in command
    assert "secrets.token_urlsafe" in command
    assert not re.search(r"SECRET_KEY=[\w-]", command), command

    code, output = start(
        ["sh", "-c", command + " --dry-run"],
        tmp_path,
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    )

    assert code == 0, output
