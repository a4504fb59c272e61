"""`manage.py check --deploy` is clean with production variables, and Moim's
own checks flag embedded backends once DEBUG is off."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from community.push import key_generate

ROOT = Path(__file__).resolve().parents[2]
CONFIG_VARIABLES = {
    "DJANGO_DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "DATABASE_URL",
    "REDIS_URL",
    "EMAIL_URL",
    "TRUSTED_PROXY_COUNT",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SERVE_STATIC",
    "SITE_URL",
    "MOIM_VAPID_PRIVATE_KEY",
    "MOIM_VAPID_PUBLIC_KEY",
}


def check_deploy(**env) -> subprocess.CompletedProcess:
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in CONFIG_VARIABLES
    }
    environment.update(env, DJANGO_SETTINGS_MODULE="config.settings")
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def documented_production_variables() -> dict[str, str]:
    """The variables of docs/deploy.md's minimal production set-up, as a
    reader would copy them (its ``...`` secret filled with a real one): the
    check must be clean with exactly what the documentation tells people to
    set."""
    text = (ROOT / "docs" / "deploy.md").read_text()
    block = text.split("## Minimal production set-up", 1)[1].split("```sh", 1)[1]
    block = block.split("```", 1)[0]
    variables = dict(
        re.match(r"export (\w+)=(\S+)", line.strip()).groups()
        for line in block.splitlines()
        if line.strip().startswith("export ")
    )
    assert variables["SECRET_KEY"] == "..."
    variables["SECRET_KEY"] = secrets.token_urlsafe(45)
    assert variables["MOIM_VAPID_PRIVATE_KEY"] == "..."
    assert variables["MOIM_VAPID_PUBLIC_KEY"] == "..."
    (
        variables["MOIM_VAPID_PRIVATE_KEY"],
        variables["MOIM_VAPID_PUBLIC_KEY"],
    ) = key_generate()
    return variables


PRODUCTION = documented_production_variables()


def test_the_documented_variables_are_the_ones_settings_read():
    assert set(PRODUCTION) <= CONFIG_VARIABLES
    assert {"DJANGO_DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL"} <= set(
        PRODUCTION
    )


@pytest.fixture(scope="module")
def production_check():
    return check_deploy(**PRODUCTION)


@pytest.fixture(scope="module")
def embedded_production_check():
    return check_deploy(
        DJANGO_DEBUG="0",
        SECRET_KEY=PRODUCTION["SECRET_KEY"],
        ALLOWED_HOSTS="moim.example.com",
    )


def test_the_secret_key_used_is_long_enough_for_django():
    assert len(PRODUCTION["SECRET_KEY"]) >= 60


def test_check_deploy_with_production_variables_passes(production_check):
    assert production_check.returncode == 0, production_check.stderr


def test_check_deploy_with_production_variables_reports_nothing(production_check):
    output = production_check.stdout + production_check.stderr

    assert "System check identified no issues" in output
    assert "WARNING" not in output
    assert "ERROR" not in output


def test_check_deploy_fails_with_debug_off_on_embedded_backends(
    embedded_production_check,
):
    assert embedded_production_check.returncode != 0


@pytest.mark.parametrize(
    ("check_id", "about"),
    [
        ("moim.W001", "SQLite"),
        ("moim.W002", "in memory"),
        ("moim.E001", "cache"),
        ("moim.W003", "SITE_URL"),
    ],
)
def test_debug_off_on_embedded_backends_is_reported(
    embedded_production_check, check_id, about
):
    output = embedded_production_check.stderr
    (finding,) = [line for line in output.splitlines() if check_id in line]

    assert about in finding


def test_the_embedded_default_with_debug_on_passes_moims_checks():
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in CONFIG_VARIABLES
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert "moim." not in result.stdout + result.stderr
