"""The locks say what installs: exact versions with hashes, for the app
(requirements.lock, the image) and for the app with its dev extras
(requirements-dev.lock, make run and make test). A lock that no longer
satisfies pyproject.toml, or a set-up that installed something else, fails
here; `make upgrade` writes both locks anew."""

import re
import tomllib
from importlib.metadata import distributions
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+?)(?:\s*;\s*(.+?))?\s*\\?$")


def pins(lock: str) -> dict[str, list[tuple[Version, Marker | None]]]:
    """Every pin of a lock: name → [(version, marker)]; a universal lock may
    pin one name twice under exclusive markers."""
    found: dict[str, list[tuple[Version, Marker | None]]] = {}
    text = (ROOT / lock).read_text()
    for line in text.splitlines():
        match = PIN.match(line)
        if match:
            name, version, marker = match.groups()
            found.setdefault(canonicalize_name(name), []).append(
                (Version(version), Marker(marker) if marker else None)
            )
    return found


def applying(lock: str) -> dict[str, Version]:
    """The pins whose marker holds on this interpreter."""
    return {
        name: version
        for name, entries in pins(lock).items()
        for version, marker in entries
        if marker is None or marker.evaluate()
    }


def requirements(*, dev: bool) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    listed = project["dependencies"]
    if dev:
        listed = listed + project["optional-dependencies"]["dev"]
    return [Requirement(line) for line in listed]


@pytest.mark.parametrize(
    ("lock", "dev"), [("requirements.lock", False), ("requirements-dev.lock", True)]
)
def test_the_lock_satisfies_every_range_of_pyproject(lock, dev):
    locked = applying(lock)
    stale = []
    for requirement in requirements(dev=dev):
        name = canonicalize_name(requirement.name)
        if name not in locked or locked[name] not in requirement.specifier:
            stale.append(f"{requirement} (locked: {locked.get(name)})")
        for extra in requirement.extras:
            wanted = {
                canonicalize_name(Requirement(line).name)
                for line in _extra_requirements(requirement.name, extra)
            }
            stale += [f"{requirement}: {n} missing" for n in wanted - set(locked)]
    assert not stale, f"Stale lock, run `make upgrade`: {stale}"


def _extra_requirements(package: str, extra: str) -> list[str]:
    from importlib.metadata import requires

    marker_extra = f'extra == "{extra}"'
    return [
        line.split(";")[0]
        for line in requires(package) or []
        if marker_extra in line.replace("'", '"')
    ]


def test_every_pin_carries_a_hash():
    for lock in ("requirements.lock", "requirements-dev.lock"):
        blocks = re.split(r"\n(?=[A-Za-z0-9])", (ROOT / lock).read_text())
        unhashed = [
            block.split()[0]
            for block in blocks
            if PIN.match(block.splitlines()[0]) and "--hash=sha256:" not in block
        ]
        assert not unhashed, f"{lock}: {unhashed}"


def test_the_app_lock_pins_the_same_versions_as_the_dev_lock():
    app, dev = pins("requirements.lock"), pins("requirements-dev.lock")
    differing = {
        name: (app[name], dev.get(name)) for name in app if app[name] != dev.get(name)
    }
    assert app and not differing


def test_every_locked_version_is_the_installed_one():
    locked = applying("requirements-dev.lock")
    installed = {
        canonicalize_name(d.metadata["Name"]): Version(d.version)
        for d in distributions()
    }
    differing = {
        name: (version, installed.get(name))
        for name, version in locked.items()
        if installed.get(name) != version
    }
    assert not differing, f"locked, installed: {differing}; run `make setup`"


@pytest.mark.parametrize(
    ("path", "lock"),
    [
        ("Makefile", "requirements-dev.lock"),
        ("Dockerfile", "requirements.lock"),
        ("docs/deploy.md", "requirements.lock"),
    ],
)
def test_every_installer_installs_the_lock_hash_checked(path, lock):
    text = " ".join((ROOT / path).read_text().split())
    assert f"--require-hashes --no-deps -r {lock}" in text
    assert "pip install ." not in text
    assert "pip install -e" not in text
