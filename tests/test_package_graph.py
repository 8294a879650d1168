"""The import graph of dora's packages has no cycle, and no package reaches into another's views.

A cycle between two feature packages (search ↔ maps, catalogue ↔ interop…) means neither can be
understood, tested or changed alone; shared pieces belong in a neutral module (dora.core) or in
the package that owns them. Computed from the source (ast), imports inside functions included:
a lazy import hides a cycle from Python, not from the design.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

DORA = Path(__file__).resolve().parents[1] / "dora"


def _packages() -> set[str]:
    return {p.name for p in DORA.iterdir() if (p / "__init__.py").is_file()}


def _imported_modules(path: Path) -> list[tuple[str, int]]:
    """Absolute names of the modules `path` imports (relative imports resolved)."""
    parts = path.relative_to(DORA.parent).with_suffix("").parts
    package = parts[:-1]  # for __init__.py too: its package is its directory
    found: list[tuple[str, int]] = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join(base + ((node.module,) if node.module else ()))
            else:
                module = node.module or ""
            found.append((module, node.lineno))
            # `from dora.maps import views` imports a submodule, not a name.
            found += [(f"{module}.{alias.name}", node.lineno) for alias in node.names]
    return found


def import_graph() -> tuple[dict[str, set[str]], dict[tuple[str, str], list[str]]]:
    """package -> packages it imports, and where (file:line) each edge comes from."""
    packages = _packages()
    edges: dict[str, set[str]] = defaultdict(set)
    where: dict[tuple[str, str], list[str]] = defaultdict(list)
    for path in DORA.rglob("*.py"):
        relative = path.relative_to(DORA).parts
        if len(relative) < 2 or relative[0] not in packages:
            continue
        source = relative[0]
        for module, line in _imported_modules(path):
            names = module.split(".")
            if names[0] != "dora" or len(names) < 2 or names[1] not in packages:
                continue
            if names[1] != source:
                edges[source].add(names[1])
                where[(source, names[1])].append(f"{path.relative_to(DORA.parent)}:{line}")
    return edges, where


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one package (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(set(edges) | {t for targets in edges.values() for t in targets}):
        if node not in index:
            visit(node)
    return components


def test_the_cycle_finder_finds_cycles():
    # The guard below is only worth something if it can fail.
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_the_graph_sees_the_real_imports():
    edges, where = import_graph()
    assert "catalogue" in edges["search"]  # search documents are built from services
    assert "core" in edges["maps"]
    assert any(w.startswith("dora/maps/") for w in where[("maps", "core")])


def test_no_import_cycle_between_packages():
    edges, where = import_graph()
    explained = []
    for component in _cycles(edges):
        for source in component:
            for target in sorted(edges[source] & set(component)):
                explained.append(f"{source} -> {target}: {', '.join(where[(source, target)])}")
    assert explained == []


def test_no_package_imports_another_packages_views():
    # Views are entry points; what two pages share lives in a module both can import.
    offenders = []
    for path in DORA.rglob("*.py"):
        owner = path.relative_to(DORA).parts[0]
        for module, line in _imported_modules(path):
            names = module.split(".")
            reaches_views = names[0] == "dora" and len(names) >= 3 and names[2] == "views"
            if reaches_views and names[1] != owner:
                offenders.append(f"{path.relative_to(DORA.parent)}:{line} {module}")
    assert offenders == []
