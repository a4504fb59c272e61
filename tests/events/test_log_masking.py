"""Feed tokens are masked on every log handler, in every mode (SECURITY.md,
"Secrets that must not travel"): Django installs handlers of its own (the
"django" logger's console and mail handlers, runserver's "django.server"),
and a near-miss feed URL such as ``/feeds/<token>`` is logged by Django's
``Not Found:`` line, not by the feed view."""

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from events.log_masking import FeedTokenFilter

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "SECRETfeedTOKEN-0123456789abcdef"

# Django's own handlers log these without the feed view ever running.
NEAR_MISSES = [f"/feeds/{TOKEN}", f"/feeds/{TOKEN}.ics/", f"/feeds/{TOKEN}/"]

SCRIPT = f"""
import logging
import django

django.setup()
from django.test import Client

client = Client()
for path in {NEAR_MISSES!r}:
    assert client.get(path).status_code == 404, path
# What runserver writes for each request.
logging.getLogger("django.server").info(
    '"%s" %s %s', "GET /feeds/{TOKEN}.ics HTTP/1.1", 200, 12
)
logging.getLogger("django.server").warning(
    '"%s" %s %s', "GET /feeds/{TOKEN} HTTP/1.1", 404, 12
)
print("done", flush=True)
"""


def _handlers_of_every_logger() -> list[tuple[str, logging.Handler]]:
    loggers = [logging.root] + [
        logger
        for logger in logging.root.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    return [
        (logger.name, handler)
        for logger in loggers
        for handler in logger.handlers
        # pytest's capture handlers, added for the duration of this test.
        if not type(handler).__module__.startswith("_pytest")
    ]


def test_every_handler_of_every_logger_masks_feed_tokens():
    handlers = _handlers_of_every_logger()

    unmasked = [
        f"{name}: {type(handler).__name__}"
        for name, handler in handlers
        # A library's NullHandler (requests, urllib3) writes nothing.
        if not isinstance(handler, logging.NullHandler)
        and not any(isinstance(f, FeedTokenFilter) for f in handler.filters)
    ]
    assert handlers
    assert not unmasked, f"handlers without the feed token filter: {unmasked}"


@pytest.mark.parametrize("debug", ["1", "0"])
def test_no_log_line_carries_a_feed_token_with_debug_on_or_off(debug, tmp_path):
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in {"DATABASE_URL", "REDIS_URL", "LOG_LEVEL"}
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_DEBUG=debug,
        SECRET_KEY="a-log-test-secret-" + "q9" * 30,
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="0",
        SQLITE_PATH=str(tmp_path / "db.sqlite3"),
        PYTHONPATH=str(ROOT),
    )
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    output = result.stdout + result.stderr

    assert result.returncode == 0, output
    assert "Not Found: /feeds/****" in output
    assert "GET /feeds/****.ics HTTP/1.1" in output
    assert TOKEN not in output
