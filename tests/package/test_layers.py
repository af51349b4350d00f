"""The package's layers: imports flow one way, core ← learn ← show/fast ← app, with no cycles.

Every ``import`` of a package module is read from the source (module level and inside
functions alike), so a cycle cannot hide in a function body.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "autograd_tiny"

# A layer may import only from the layers listed for it (and from itself).
ALLOWED = {
    "core": {"core"},
    "learn": {"core", "learn"},
    "show": {"core", "learn", "show"},
    "fast": {"core", "learn", "fast"},
    "app": {"core", "learn", "show", "fast", "app"},
}
# Top-level modules: the package's front door, the reading version and the two old paths.
TOP = {"__init__", "__main__", "minimal", "engine", "nn"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_module(dotted: str) -> bool:
    path = PACKAGE.parent.joinpath(*dotted.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def imports(path: Path) -> list[tuple[str, bool]]:
    """(imported package module, inside a function?) for every import in `path`."""
    here = module_name(path)
    package_parts = here.split(".") if path.name == "__init__.py" else here.split(".")[:-1]
    found = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    inside = {
        id(n) for f in ast.walk(tree) if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef) for n in ast.walk(f)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package_parts[: len(package_parts) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            # `from .core import value` imports the module core.value; `from .. import
            # __version__` imports a name of the package itself.
            modules = [f"{target}.{a.name}" for a in node.names if _is_module(f"{target}.{a.name}")]
            names = [target, *modules] if node.module or len(modules) < len(node.names) else modules
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        for name in names:
            if name == "autograd_tiny" or name.startswith("autograd_tiny."):
                found.append((name, id(node) in inside))
    return found


def layer_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in ALLOWED else None


MODULES = sorted(p for p in PACKAGE.rglob("*.py"))


def test_every_module_sits_in_a_layer_or_is_a_known_top_level_module():
    loose = [module_name(p) for p in MODULES if layer_of(module_name(p)) is None and p.stem not in TOP]
    assert loose == []


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_flow_one_way(path):
    here = layer_of(module_name(path))
    if here is None:
        return  # the front door imports everything
    wrong = [name for name, _ in imports(path) if layer_of(name) not in ALLOWED[here] and name != "autograd_tiny"]
    assert wrong == [], f"{module_name(path)} ({here}) imports {wrong}; {here} may import from {sorted(ALLOWED[here])}"


def test_no_module_imports_the_package_front_door():
    """Inside a layer, `from autograd_tiny import x` would import every layer (and hide cycles)."""
    offenders = [
        module_name(p)
        for p in MODULES
        if layer_of(module_name(p)) and any(name == "autograd_tiny" for name, _ in imports(p))
    ]
    # `from .. import __version__` is the one use of the front door (the CLI's --version).
    assert set(offenders) <= {"autograd_tiny.app.cli"}


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in MODULES:
        here = module_name(path)
        if layer_of(here) is None:
            continue
        graph[here] = {name for name, _ in imports(path) if layer_of(name) and name != here}
    return graph


def test_no_import_cycles_even_through_function_bodies():
    graph = _graph()
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    cycles = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(path[path.index(nxt) :] + [nxt] if nxt in path else [node, nxt])
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert cycles == []


def test_the_core_imports_nothing_from_outside_the_standard_library():
    third_party = []
    for path in (PACKAGE / "core").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module or ""]
            else:
                continue
            third_party += [n for n in names if n.split(".")[0] not in sys.stdlib_module_names and n != "__future__"]
    assert third_party == []


def test_the_old_paths_are_the_same_modules():
    import autograd_tiny.core.value
    import autograd_tiny.engine
    import autograd_tiny.learn.nn
    import autograd_tiny.nn

    assert autograd_tiny.engine is autograd_tiny.core.value
    assert autograd_tiny.nn is autograd_tiny.learn.nn
    from autograd_tiny.engine import Value
    from autograd_tiny.nn import MLP

    assert Value is autograd_tiny.Value and MLP is autograd_tiny.MLP


def test_no_module_imports_a_module_of_the_package_inside_a_function():
    """Every import of our own modules stands at the top of its file, where a reader sees it
    (and where a cycle would show at once); only optional third-party packages load lazily."""
    inside = [f"{module_name(p)} imports {name}" for p in MODULES for name, lazily in imports(p) if lazily]
    assert inside == []
