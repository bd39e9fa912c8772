"""Architecture rules that keep the layers visible.

Core is Qt-free and never imports the GUI; only ``gui/jobs.py`` touches threads;
no two modules of the package import each other, directly or around a loop
(every import counts: module level, inside functions, under ``TYPE_CHECKING``).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "lgad_studio"
QT_MODULES = ("PySide6", "PyQt5", "PyQt6", "pyqtgraph", "superqt", "qtpy")
THREAD_MODULES = ("threading", "concurrent.futures", "multiprocessing")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _import_graph() -> dict[str, set[str]]:
    """``{module: package modules it imports}``; ``from pkg import name`` points at
    ``pkg.name`` when that is a module, else at ``pkg``."""
    paths = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in paths.items():
        is_package = path.name == "__init__.py"
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        targets: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = name.split(".")[: len(name.split(".")) - node.level + is_package]
                    base = ".".join([*anchor, *([base] if base else [])])
                for alias in node.names:
                    full = f"{base}.{alias.name}"
                    targets.add(full if full in paths else base)
        graph[name] = {t for t in targets if t in paths and t != name}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def _offenders(folder: Path, banned: tuple[str, ...]) -> list[str]:
    found = []
    for path in sorted(folder.rglob("*.py")):
        for name in _imports(path):
            if name.split(".")[0] in banned or name in banned:
                found.append(f"{path.relative_to(PACKAGE.parent)} imports {name}")
    return found


def test_core_never_imports_qt() -> None:
    assert _offenders(PACKAGE / "core", QT_MODULES) == []


def test_core_never_imports_the_gui() -> None:
    graph = _import_graph()
    offenders = [
        f"{module} imports {target}"
        for module, targets in sorted(graph.items())
        if module.startswith("lgad_studio.core")
        for target in sorted(targets)
        if target.startswith("lgad_studio.gui")
    ]
    assert offenders == []


def test_no_import_cycles() -> None:
    assert _cycles(_import_graph()) == []


def test_the_cycle_finder_finds_cycles() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert _cycles(graph) == [["a", "b", "c"]]
    names = _import_graph()
    assert "lgad_studio.core.formats.culane_dataset" in names["lgad_studio.core.formats.dataset"]
    assert "lgad_studio.core.lanes" in names["lgad_studio.core.formats.dataset_types"]


def test_cli_help_loads_neither_qt_nor_torch() -> None:
    code = (
        "import sys, contextlib, io\n"
        "from lgad_studio import cli\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n"
        "        cli.main(['--help'])\n"
        "    except SystemExit:\n"
        "        pass\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'PySide6')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_only_jobs_module_touches_threads_in_gui() -> None:
    gui = PACKAGE / "gui"
    offenders = [
        line
        for line in _offenders(gui, THREAD_MODULES)
        if not line.startswith("lgad_studio/gui/jobs.py")
    ]
    # QThread lives in QtCore: catch it by name too.
    for path in sorted(gui.rglob("*.py")):
        if path.name != "jobs.py" and "QThread" in path.read_text(encoding="utf-8"):
            offenders.append(f"{path.relative_to(PACKAGE.parent)} mentions QThread")
    assert offenders == []
