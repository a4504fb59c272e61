"""The import graph of each app has no circle.

Every module of community/, events/ and realtime/ is read with ``ast`` and
each import it makes, at the top or inside a function, becomes an edge to
the module it names. An import inside a function is counted like any
other: it is how a circle is usually hidden, not a way out of one. The test
fails on any circle among the modules of one app, naming its modules.

Packages: ``from pkg import name`` leads to ``pkg.name`` when that is a
module, else to ``pkg/__init__.py``, whose own imports (its re-exports)
are edges like any other. Importing ``pkg.mod`` is an edge to ``pkg.mod``
only: Python runs ``pkg/__init__.py`` first, but that adds a circle only
when ``__init__`` itself imports back, which its own edges then show.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ["community", "events", "realtime"]


def _modules(app: str) -> dict[str, Path]:
    """Every module of ``app`` by dotted name (a package by its own name)."""
    modules = {}
    for path in sorted((ROOT / app).rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def _is_package(path: Path) -> bool:
    return path.name == "__init__.py"


def _imported(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The modules of the same app that the module ``name`` imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = name if _is_package(path) else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            for alias in node.names:
                submodule = f"{source}.{alias.name}"
                targets.add(submodule if submodule in modules else source)
    return {target for target in targets if target in modules and target != name}


def _graph(app: str) -> dict[str, set[str]]:
    modules = _modules(app)
    return {name: _imported(name, path, modules) for name, path in modules.items()}


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module
    (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    circles = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, edges = work[-1]
            for target in edges:
                if target not in index:
                    index[target] = low[target] = counter
                    counter += 1
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(graph[target]))))
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        circles.append(sorted(component))
    return circles


def test_the_reader_finds_a_circle_hidden_in_a_function(tmp_path):
    graph = {
        "app.a": {"app.b"},
        "app.b": {"app.c"},
        "app.c": {"app.a"},
        "app.d": {"app.a"},
    }
    assert _circles(graph) == [["app.a", "app.b", "app.c"]]
    source = tmp_path / "b.py"
    source.write_text("def f():\n    from app.a import thing\n")
    modules = {"app.a": tmp_path / "a.py", "app.b": source}
    assert _imported("app.b", source, modules) == {"app.a"}


@pytest.mark.parametrize("app", APPS)
def test_no_import_circle_among_the_modules_of(app):
    circles = _circles(_graph(app))
    assert circles == [], "import circles: " + "; ".join(
        " ↔ ".join(circle) for circle in circles
    )
