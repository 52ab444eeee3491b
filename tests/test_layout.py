"""The layout of STYLE.md ("Layout"), checked on the source: import direction, no cycles, short modules.

The project's imports are read with `ast` from the files of households/,
teams/, coverage/, config/ and bench/ (nothing is imported, so a broken module
cannot hide a violation). Apps sit in a column, each importing only those
below it: bench → coverage → teams → households. Every import counts for the
direction, wherever it is written; only module-level imports make a cycle,
since a function-level import runs after both modules are loaded.

Each real-tree test reports all its violations at once. The checkers are plain
functions over {module: [Import]}, tested on small synthetic graphs below, so
that the real-tree tests are known to be able to fail.
"""

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("households", "teams", "coverage", "config", "bench")  # coverage/ is checked once it exists
PRODUCTION_APPS = ("households", "teams", "coverage", "config")

# The door upward (STYLE.md: households' "write services may call `teams` counters"): these
# households modules, and only they, may import the counters. households.models is never on this list.
HOUSEHOLDS_WRITE_SERVICES = ("households.registry",)
# households' pages and admin stand on the scope: STYLE.md puts scoping (access.py, the access log)
# in teams, and every household page, export and admin list goes through it, so these modules sit
# above teams.access even though their app is listed first. Each is named with its reason; any other
# households module (models, search, names, validators, registry beyond the counters) importing teams fails.
HOUSEHOLDS_ON_THE_SCOPE = {
    "households.views": "field pages are scoped (teams.access) and logged (teams.audit)",
    "households.import_views": "import pages are scoped (teams.access); the register's export is logged (teams.audit)",
    "households.admin": "admin lists are scoped (teams.admin_scope) and logged",
    "households.forms": "the visit-state filter of the list reads teams' services; the household form draws its "
    "widgets with teams.admin_widgets' renderer",
    "households.lookup": "the list's filters read each household's state per service (teams.models)",
    "households.privacy": "a household's data and erasure include its visits (teams.models)",
    "households.divisions": "moving a hamlet carries its teams, visits and counters along",
    "households.management.commands.seed_demo": "the demo records teams and visits through teams.visits",
}
COUNTERS = "teams.counters"  # the module, or a package of that name once it is split

HOUSEHOLDS_RULE = "households may import only teams counters, from a write service, or stand on the scope"

MAX_LINES = 400
# Modules allowed past MAX_LINES, each with the reason (paths relative to the project root).
# Migrations are not counted: they are generated and read by Django, not by newcomers.
LONG_MODULES_ALLOWED = {
    "teams/access.py": "440 lines: every page rule in one place (imports, reports, officials' households and "
    "field corrections joined it); splitting it would scatter who-may-see-what",
}


@dataclass(frozen=True)
class Import:
    target: str  # the project module imported, e.g. "teams.counters"
    line: int
    module_level: bool  # False inside a function (runs on call) or under `if TYPE_CHECKING:` (never runs)


def module_name(path, root=ROOT):
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_files(root=ROOT, packages=PACKAGES):
    """{module name: path} of every .py file under the packages that exist."""
    return {
        module_name(path, root): path
        for package in packages
        if (root / package).is_dir()
        for path in sorted((root / package).rglob("*.py"))
    }


def _resolve(name, modules):
    """The longest prefix of `name` that is a project module ("teams.counters.x" → "teams.counters")."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in modules:
            return candidate
    return None


class _ImportVisitor(ast.NodeVisitor):
    def __init__(self, module, is_package, modules):
        self.module, self.is_package, self.modules = module, is_package, modules
        self.imports, self._depth = [], 0

    def _add(self, name, node):
        target = _resolve(name, self.modules)
        found = Import(target, node.lineno, module_level=self._depth == 0)
        if target and target != self.module and found not in self.imports:  # once per statement and module
            self.imports.append(found)

    def visit_Import(self, node):
        for alias in node.names:
            self._add(alias.name, node)

    def visit_ImportFrom(self, node):
        base = node.module or ""
        if node.level:
            package = self.module.split(".") if self.is_package else self.module.split(".")[:-1]
            package = package[: len(package) - (node.level - 1)]
            base = ".".join(package + ([node.module] if node.module else []))
        for alias in node.names:
            # `from teams import counters` imports the module teams.counters; `from teams.models import X` does not.
            self._add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in self.modules else base, node)

    def _nested(self, node):
        self._depth += 1
        self.generic_visit(node)
        self._depth -= 1

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _nested

    def visit_If(self, node):
        test = node.test
        type_checking = (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
            isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
        )
        if not type_checking:
            return self.generic_visit(node)
        self._nested(ast.Module(body=node.body, type_ignores=[]))
        for child in node.orelse:
            self.visit(child)


def imports_of(files):
    """{module: [Import]} of project modules, read from `files` ({module name: path})."""
    graph = {}
    for module, path in files.items():
        visitor = _ImportVisitor(module, path.name == "__init__.py", files)
        visitor.visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
        graph[module] = visitor.imports
    return graph


def find_cycles(graph):
    """One cycle path per strongly connected component of the module-level import graph, e.g. [a, b, a]."""
    edges = {m: sorted({i.target for i in imports if i.module_level}) for m, imports in graph.items()}
    index, low, stack, on_stack, components = {}, {}, [], set(), []

    def strongconnect(node):  # Tarjan; the graph is a few hundred modules, recursion is fine
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in edges.get(node, ()):
            if nxt not in index:
                strongconnect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            components.append(set(component))

    for node in sorted(edges):
        if node not in index:
            strongconnect(node)

    cycles = []
    for component in components:
        start = min(component)
        if len(component) == 1 and start not in edges.get(start, ()):
            continue
        # A shortest way back to `start` inside the component (breadth first), as the path to report.
        paths, seen = [[start]], set()
        while paths:
            path = paths.pop(0)
            for nxt in edges.get(path[-1], ()):
                if nxt == start:
                    cycles.append([*path, start])
                    paths = []
                    break
                if nxt in component and nxt not in seen:
                    seen.add(nxt)
                    paths.append([*path, nxt])
    return sorted(cycles)


def _app(module):
    return module.split(".")[0]


def upward_reason(importer, imported):
    """Why importing `imported` (an Import) from `importer` goes up the layout table, or None."""
    source, target = _app(importer), _app(imported.target)
    if target == "coverage" and source not in ("coverage", "bench"):
        return "only bench may import coverage"
    if target == "bench" and source in PRODUCTION_APPS:
        return "production code may not import bench"
    if source == "households" and target == "teams":
        write_service_counters = importer in HOUSEHOLDS_WRITE_SERVICES and (
            imported.target == COUNTERS or imported.target.startswith(COUNTERS + ".")
        )
        if not write_service_counters and importer not in HOUSEHOLDS_ON_THE_SCOPE:
            return HOUSEHOLDS_RULE
    return None


def upward_imports(graph):
    """['importer:line → target (reason)'] for every import against the direction of the layout table."""
    found = []
    for importer, imports in sorted(graph.items()):
        for imported in imports:
            reason = upward_reason(importer, imported)
            if reason:
                found.append(f"{importer}:{imported.line} → {imported.target} ({reason})")
    return found


def long_modules(root=ROOT, packages=("households", "teams", "coverage"), limit=MAX_LINES, allowed=None):
    allowed = LONG_MODULES_ALLOWED if allowed is None else allowed
    found = []
    for path in project_files(root, packages).values():
        relative = path.relative_to(root).as_posix()
        if "migrations" in path.parts or relative in allowed:
            continue
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > limit:
            found.append(f"{relative}: {lines} lines")
    return found


# The real tree.


@pytest.fixture(scope="module")
def graph():
    return imports_of(project_files())


def test_it_reads_the_projects_imports(graph):
    """The walk sees the project: a known import is found (a walk that finds nothing would pass everything)."""
    assert "teams.models" in graph and "households.models" in graph
    assert "households.models" in {i.target for i in graph["teams.models"]}


def test_it_has_no_import_cycles(graph):
    cycles = find_cycles(graph)
    assert not cycles, "module-level import cycles:\n" + "\n".join(" → ".join(c) for c in cycles)


def test_it_imports_only_downwards(graph):
    found = upward_imports(graph)
    assert not found, "imports against STYLE.md's layout table:\n" + "\n".join(found)


def test_it_keeps_modules_short():
    found = long_modules()
    assert not found, f"modules over {MAX_LINES} lines (split by concept, or allow in LONG_MODULES_ALLOWED):\n" + (
        "\n".join(found)
    )


def test_it_allows_only_existing_long_modules():
    """An allow-list entry for a file gone or shortened is stale: it would let the next long module through."""
    stale = [
        path
        for path in LONG_MODULES_ALLOWED
        if not (ROOT / path).exists() or len((ROOT / path).read_text(encoding="utf-8").splitlines()) <= MAX_LINES
    ]
    assert not stale, f"stale LONG_MODULES_ALLOWED entries: {stale}"


# The checkers, on synthetic graphs.


def _graph(**edges):
    """_graph(a=["b", ("c", False)]): a imports b at module level and c inside a function; "__" stands for "."."""
    graph = {}
    for module, targets in edges.items():
        imports = []
        for line, target in enumerate(targets, start=1):
            name, module_level = (target, True) if isinstance(target, str) else target
            imports.append(Import(name.replace("__", "."), line, module_level))
        graph[module.replace("__", ".")] = imports
    return graph


def test_it_finds_a_cycle_and_reports_its_path():
    graph = _graph(
        households__models=["teams__counters"],
        teams__counters=["teams__models"],
        teams__models=["households__models"],
        teams__views=["teams__models"],
    )
    assert find_cycles(graph) == [["households.models", "teams.counters", "teams.models", "households.models"]]


def test_it_finds_a_module_importing_itself_through_its_package_and_two_modules_importing_each_other():
    graph = _graph(a=["b"], b=["a"], c=["c"], d=["a"])
    assert find_cycles(graph) == [["a", "b", "a"], ["c", "c"]]


def test_it_does_not_count_function_level_imports_in_cycles():
    graph = _graph(households__models=[("teams__counters", False)], teams__counters=["households__models"])
    assert find_cycles(graph) == []


def test_it_finds_upward_imports():
    graph = _graph(
        households__models=[("teams__counters", False)],  # even inside save()
        households__search=["teams__access"],
        households__registry=["teams__counters", ("teams__models", False)],  # the counters only
        teams__views=["coverage__rollups"],
        config__urls=["bench__views"],
        teams__forms=["bench__scale"],
    )
    assert upward_imports(graph) == [
        "config.urls:1 → bench.views (production code may not import bench)",
        f"households.models:1 → teams.counters ({HOUSEHOLDS_RULE})",
        f"households.registry:2 → teams.models ({HOUSEHOLDS_RULE})",
        f"households.search:1 → teams.access ({HOUSEHOLDS_RULE})",
        "teams.forms:1 → bench.scale (production code may not import bench)",
        "teams.views:1 → coverage.rollups (only bench may import coverage)",
    ]


def test_it_allows_imports_down_the_table_and_the_write_services_door():
    graph = _graph(
        households__registry=["teams__counters", ("teams__counters__incremental", False)],
        households__views=["teams__access", "teams__audit"],
        teams__models=["households__models"],
        coverage__rollups=["teams__models", "households__models", "coverage__targets"],
        bench__scale=["coverage__rollups", "teams__counters", "households__models"],
        config__urls=["households__views"],
    )
    assert upward_imports(graph) == []


def test_it_reads_module_and_function_level_and_relative_imports_from_source(tmp_path):
    for path, source in {
        "households/__init__.py": "",
        "households/models.py": "from django.db import models\n\ndef save():\n    from teams.counters import saved\n",
        "households/views.py": "from . import models\nfrom .models import X\nimport teams.access\n",
        "teams/__init__.py": "",
        "teams/counters.py": "from households.models import Household\n",
        "teams/access.py": ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from households import views\n"),
    }.items():
        (tmp_path / path).parent.mkdir(exist_ok=True)
        (tmp_path / path).write_text(source)
    graph = imports_of(project_files(tmp_path, ("households", "teams", "coverage")))
    assert graph["households.models"] == [Import("teams.counters", 4, module_level=False)]
    assert graph["households.views"] == [
        Import("households.models", 1, True),
        Import("households.models", 2, True),
        Import("teams.access", 3, True),
    ]
    assert graph["teams.access"] == [Import("households.views", 3, module_level=False)]
    assert find_cycles(graph) == []  # households.models → teams.counters is inside a function
    # households.views stands on the scope (HOUSEHOLDS_ON_THE_SCOPE); households.models never may.
    assert [line.split(" (")[0] for line in upward_imports(graph)] == ["households.models:4 → teams.counters"]


def test_it_finds_long_modules_unless_allowed(tmp_path):
    (tmp_path / "teams" / "migrations").mkdir(parents=True)
    (tmp_path / "teams" / "long.py").write_text("x = 1\n" * 401)
    (tmp_path / "teams" / "short.py").write_text("x = 1\n" * 400)
    (tmp_path / "teams" / "migrations" / "0001_initial.py").write_text("x = 1\n" * 900)
    assert long_modules(tmp_path, ("teams",), allowed={}) == ["teams/long.py: 401 lines"]
    assert long_modules(tmp_path, ("teams",), allowed={"teams/long.py": "why"}) == []
