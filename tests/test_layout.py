"""The package's shape holds: imports flow one way along the pipeline, with no cycle."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

PACKAGE = ROOT / "checker"
# Each folder's place in the pipeline: a module imports only from lower layers and from its own folder.
# Top-level modules are the shared kernel (the version, the result model, the vocabulary, tree helpers, bundled files).
LAYERS = {
    "checker": 0,
    "checker.load": 1,
    "checker.model": 2,
    "checker.evaluation": 3,
    "checker.run": 4,
    "checker.reports": 4,
}
ENTRY_POINTS = {"checker.cli", "checker.cli_parser"}  # the command line (and its grammar) may import anything


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, modules: set[str]) -> set[str]:
    """Every checker module a file imports, at the top or inside a function (`from a import b` is a.b when b is one)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("checker"))
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("checker"):
            found.update(
                f"{node.module}.{alias.name}" if f"{node.module}.{alias.name}" in modules else node.module for alias in node.names
            )
    return found


def _graph() -> dict[str, set[str]]:
    paths = sorted(PACKAGE.rglob("*.py"))
    modules = {_module_name(path) for path in paths}
    return {_module_name(path): _imports(path, modules) - {_module_name(path)} for path in paths}


def _folder(module: str) -> str:
    """The pipeline folder a module belongs to: checker.evaluation.checks.cost -> checker.evaluation."""
    parts = module.split(".")
    if len(parts) == 2 and f"checker.{parts[1]}" not in LAYERS:
        return "checker"  # a kernel module such as checker.findings
    return ".".join(parts[:2])


def test_imports_flow_one_way_along_the_pipeline() -> None:
    wrong = []
    for module, imported in _graph().items():
        if module in ENTRY_POINTS:
            continue
        home = _folder(module)
        for target in imported:
            there = _folder(target)
            if there != home and LAYERS[there] >= LAYERS[home]:
                wrong.append(f"{module} imports {target}")
    assert wrong == []


def test_no_import_cycle() -> None:
    graph = _graph()
    cycles = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in sorted(graph.get(module, ())):
            if state.get(target) == 1:
                cycles.append(" -> ".join([*path[path.index(target) :], target]))
            elif target in graph and target not in state:
                visit(target, [*path, target])
        state[module] = 2

    for module in graph:
        if module not in state:
            visit(module, [module])
    assert cycles == []


def test_no_module_outgrows_one_job() -> None:
    """A module over 500 lines is doing more than one job: split it by job, as checker/load and checker/model/code are."""
    sizes = {str(path.relative_to(ROOT)): len(path.read_text(encoding="utf-8").splitlines()) for path in PACKAGE.rglob("*.py")}
    assert {path: lines for path, lines in sizes.items() if lines > 500} == {}
