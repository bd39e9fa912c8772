"""Architecture rules that keep the layers visible: core is Qt-free, only jobs.py touches threads."""

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


def _offenders(folder: Path, banned: tuple[str, ...]) -> list[str]:
    found = []
    for path in sorted(folder.rglob("*.py")):
        for name in _imports(path):
            if name.split(".")[0] in banned or name in banned:
                found.append(f"{path.relative_to(PACKAGE.parent)} imports {name}")
    return found


def test_core_never_imports_qt() -> None:
    assert _offenders(PACKAGE / "core", QT_MODULES) == []


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
