"""The package's shape, checked on its source: layers import downwards only, no import cycles,
only the store touches pyoxigraph's ``Store``, nobody reads another package's private names."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "server" / "corridor"

# What each layer may import (besides itself). Data flows one way:
# ingest -> validation -> store -> derived -> web; rdf, config and resources are shared.
BASE = {"corridor", "corridor.config", "corridor.resources", "corridor.rdf"}
ALLOWED = {
    "corridor": {"corridor"},
    "corridor.rdf": {"corridor"},
    "corridor.config": {"corridor", "corridor.resources", "corridor.rdf"},
    "corridor.resources": {"corridor"},
    "corridor.store": BASE,
    "corridor.validation": BASE | {"corridor.store"},
    "corridor.query": BASE | {"corridor.store"},
    "corridor.ingest": BASE | {"corridor.store", "corridor.validation"},
    "corridor.derived": BASE | {"corridor.store"},
    "corridor.web": BASE | {"corridor.store", "corridor.validation", "corridor.ingest",
                            "corridor.query", "corridor.derived"},
    "corridor.cli": BASE | {"corridor.store", "corridor.validation", "corridor.ingest",
                            "corridor.query", "corridor.derived", "corridor.web"},
}


def modules() -> Iterator[tuple[str, Path, ast.Module]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        yield name, path, ast.parse(path.read_text(encoding="utf-8"), str(path))


def layer(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 else module


def imported(module: str, tree: ast.Module) -> Iterator[tuple[str, list[str], int]]:
    """(imported module, names taken from it, line) for every import, lazy ones included."""
    package = module if (PACKAGE.parent / module.replace(".", "/") / "__init__.py").exists() \
        else module.rsplit(".", 1)[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, [], node.lineno
        elif isinstance(node, ast.ImportFrom):
            source = node.module or ""
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                source = ".".join([*base, source] if source else base)
            yield source, [a.name for a in node.names], node.lineno


def corridor_imports() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for name, _path, tree in modules():
        targets = graph.setdefault(name, set())
        for source, names, _line in imported(name, tree):
            if not source.startswith("corridor"):
                continue
            for taken in names or [""]:
                candidate = f"{source}.{taken}" if taken else source
                is_module = (PACKAGE.parent / (candidate.replace(".", "/") + ".py")).exists() or (
                    PACKAGE.parent / candidate.replace(".", "/") / "__init__.py").exists()
                targets.add(candidate if is_module else source)
    return graph


def test_each_layer_imports_only_the_layers_below_it():
    wrong = []
    for module, targets in corridor_imports().items():
        mine = layer(module)
        allowed = ALLOWED[mine] | {mine}
        wrong += [f"{module} imports {t}" for t in sorted(targets) if layer(t) not in allowed]
    assert wrong == []


def test_there_is_no_import_cycle_between_modules():
    graph = corridor_imports()
    # a package imports its own modules (its public surface); that is not a cycle
    edges = {m: {t for t in ts if t != m and not m.startswith(t + ".")} for m, ts in graph.items()}
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for target in sorted(edges.get(node, ())):
            if state.get(target) == 1:
                cycles.append([*path[path.index(target):], target] if target in path
                              else [*path, target])
            elif state.get(target) is None:
                visit(target, [*path, target])
        state[node] = 2

    for module in sorted(edges):
        if module not in state:
            visit(module, [module])
    assert cycles == []


OUTSIDE_THE_STORE = [m for m in modules() if layer(m[0]) != "corridor.store"]


@pytest.mark.parametrize("name,path,tree", OUTSIDE_THE_STORE,
                         ids=lambda v: v if isinstance(v, str) else "")
def test_only_the_store_package_touches_pyoxigraph_store(name, path, tree):
    aliases = {"pyoxigraph"}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            aliases |= {a.asname or a.name for a in node.names if a.name == "pyoxigraph"}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "pyoxigraph":
            found += [node.lineno for a in node.names if a.name == "Store"]
        if (isinstance(node, ast.Attribute) and node.attr == "Store"
                and isinstance(node.value, ast.Name) and node.value.id in aliases):
            found.append(node.lineno)
    assert found == [], f"{path}: pyoxigraph.Store used at lines {found}"


def test_no_module_uses_another_packages_private_names():
    public_proxies = {"_get_current_object"}  # Werkzeug's documented LocalProxy accessor
    wrong = []
    trees = {name: tree for name, _path, tree in modules()}
    for name, tree in trees.items():
        mine = layer(name)
        module_aliases: dict[str, str] = {}
        for source, names, line in imported(name, tree):
            if not source.startswith("corridor"):
                continue
            for taken in names:
                if taken.startswith("_") and layer(source) != mine:
                    wrong.append(f"{name}:{line} imports {source}.{taken}")
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("corridor"):
                for a in node.names:
                    module_aliases[a.asname or a.name] = f"{node.module}.{a.name}"
            if isinstance(node, ast.Import):
                for a in node.names:
                    if a.name.startswith("corridor"):
                        module_aliases[a.asname or a.name] = a.name
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and node.attr.startswith("_")
                    and not node.attr.startswith("__") and node.attr not in public_proxies
                    and isinstance(node.value, ast.Name) and node.value.id in module_aliases
                    and layer(module_aliases[node.value.id]) != mine):
                wrong.append(f"{name}:{node.lineno} reads {node.value.id}.{node.attr}")
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in ("getattr", "hasattr", "setattr") and len(node.args) > 1
                    and isinstance(node.args[1], ast.Constant)
                    and str(node.args[1].value).startswith("_")
                    and not str(node.args[1].value).startswith("__")):
                wrong.append(f"{name}:{node.lineno} {node.func.id}(…, {node.args[1].value!r})")
    assert wrong == []
