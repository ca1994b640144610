"""The layout keeps its promises: who may import whom, no import cycles, and no role compared
outside the permission table."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "handlers", "storage", "messages")
# repositories (storage's modules with SQL) are for services; the database handle itself (storage,
# storage.db) may be passed anywhere. The flow engine keeps its own conversations; the job runner
# claims its own periods.
STORAGE_ALLOWED = {"bot.flows.engine": {"storage.conversations"}, "bot.jobs.runner": {"storage.job_runs"}}
HANDLES = {"storage", "storage.db"}
# where comparing roles is the subject itself: the table, the model, changing people's roles
ROLE_COMPARISONS_ALLOWED = {"bot/services/permissions.py", "bot/domain/models.py", "bot/services/personnel.py"}


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


MODULES = _modules()


def _runtime_nodes(tree: ast.AST):
    """Every node but those under `if TYPE_CHECKING:` (a type named in an annotation is no dependency)."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            continue
        yield node
        yield from _runtime_nodes(node)


def _imports(name: str) -> set[str]:
    """Our modules `name` imports, anywhere in the file (a deferred import is still a dependency)."""
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    wanted: set[str] = set()
    for node in _runtime_nodes(tree):
        if isinstance(node, ast.Import):
            wanted.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            submodules = {f"{node.module}.{alias.name}" for alias in node.names} & MODULES.keys()
            wanted.update(submodules)
            if len(submodules) < len(node.names):  # names from the module itself, not its submodules
                wanted.add(node.module)
    return {m for m in wanted if m in MODULES and m != name}


GRAPH = {name: _imports(name) for name in MODULES}


def _layer(name: str) -> str:
    parts = name.split(".")
    return ".".join(parts[:2]) if parts[0] == "bot" else parts[0]


@pytest.mark.parametrize("layer", ["handlers", "bot.flows", "bot.jobs"])
def test_handlers_flows_and_jobs_reach_storage_only_through_services(layer):
    breaches = [(name, target) for name, targets in GRAPH.items() if name == layer or name.startswith(layer + ".")
                for target in targets
                if target.split(".")[0] == "storage" and target not in HANDLES | STORAGE_ALLOWED.get(name, set())]
    assert breaches == []


@pytest.mark.parametrize("layer", ["storage", "messages", "bot.domain"])
def test_the_lower_floors_import_nothing_above_the_domain(layer):
    allowed = {"bot.domain", layer, "bot"}
    if layer == "storage":
        allowed.add("storage")
    breaches = [(name, target) for name, targets in GRAPH.items() if name.split(".")[0] == layer.split(".")[0]
                and (layer != "bot.domain" or _layer(name) == "bot.domain")
                for target in targets if _layer(target) not in allowed]
    assert breaches == []


def test_the_domain_does_no_io_and_knows_no_telegram():
    forbidden = ("telegram", "aiosqlite", "aiohttp", "sqlite3", "httpx")
    breaches = []
    for name, path in MODULES.items():
        if _layer(name) != "bot.domain":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            breaches += [(name, n) for n in names if n.split(".")[0] in forbidden]
    assert breaches == []


def test_no_import_cycles():
    """Tarjan's strongly connected components over our modules: each must be a single module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in GRAPH[node]:
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
                cycles.append(sorted(component))

    for name in sorted(GRAPH):
        if name not in index:
            visit(name)
    assert cycles == []


def _role_comparisons(path: Path) -> list[int]:
    """Lines comparing a role (Role.x, .roles, .main_role in a comparison) or asking `.has(`."""
    def mentions_role(node: ast.AST) -> bool:
        for sub in ast.walk(node):
            if isinstance(sub, ast.Attribute) and (
                    (isinstance(sub.value, ast.Name) and sub.value.id == "Role") or sub.attr in ("roles", "main_role")):
                return True
        return False

    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Compare) and (mentions_role(node.left) or any(map(mentions_role, node.comparators))):
            lines.append(node.lineno)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "has":
            lines.append(node.lineno)
    return lines


def test_roles_are_compared_only_in_the_permission_table():
    found = {str(path.relative_to(ROOT)): lines for path in MODULES.values()
             if str(path.relative_to(ROOT)) not in ROLE_COMPARISONS_ALLOWED and (lines := _role_comparisons(path))}
    assert found == {}


def test_the_checks_see_what_they_look_for():
    """The scans are not vacuous: they find the imports and comparisons they are about."""
    assert "storage.conversations" in GRAPH["bot.flows.engine"]
    assert _role_comparisons(ROOT / "bot/services/permissions.py")
