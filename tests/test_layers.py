"""The layers: the domain apps never import the project's configuration.

``config/`` wires the project (settings, URLs, ASGI, the cache backend);
community/, events/ and realtime/ read settings through django.conf and
reach shared machinery (the cache guard: community.caching) through the
apps, so that the configuration can change without touching a rule. The
test reads every module's imports, so that it stays that way.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = ("community", "events", "realtime")


def imported(path: Path) -> set[str]:
    """The modules ``path`` imports, at any depth (function-local too)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
            # ``from config import cache`` imports config.cache.
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def modules(app: str) -> list[Path]:
    return sorted((ROOT / app).rglob("*.py"))


@pytest.mark.parametrize("app", DOMAIN)
def test_no_domain_module_imports_config(app):
    offending = {
        str(path.relative_to(ROOT)): sorted(
            name for name in imported(path) if name.split(".")[0] == "config"
        )
        for path in modules(app)
    }
    assert {path: names for path, names in offending.items() if names} == {}


def test_the_reader_sees_every_form_of_import(tmp_path):
    # The test above is only as good as this reader.
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import config.cache\n"
        "from config import settings\n"
        "from django.conf import settings as s\n"
        "def f():\n"
        "    from config.cache import cache_optional\n"
    )
    names = imported(sample)
    assert {"config.cache", "config.settings", "config"} <= names
    assert "django.conf" in names
    assert [n for n in names if n.split(".")[0] == "config"]
