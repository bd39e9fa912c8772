"""`lgad-studio [DATASET]` and `run_gui`: argument handling and a real start-up to shutdown."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from lgad_studio import cli
from lgad_studio.gui import app as gui_app
from lgad_studio.gui.main_window import MainWindow


def test_a_missing_dataset_is_an_error_before_any_window(capsys, tmp_path) -> None:
    missing = tmp_path / "nowhere"
    assert cli.main([str(missing)]) == 2
    err = capsys.readouterr().err
    assert str(missing) in err and "expected a CULane root" in err


def test_dataset_argument_reaches_the_gui(monkeypatch, demo_root) -> None:
    seen: list[list[str]] = []
    monkeypatch.setattr(gui_app, "run_gui", lambda argv=(): seen.append(list(argv)) or 0)
    assert cli.main([str(demo_root)]) == 0
    assert cli.main(["gui", str(demo_root)]) == 0
    assert cli.main(["--dataset", str(demo_root)]) == 0
    assert seen == [[str(demo_root)]] * 3


def test_run_gui_opens_the_dataset_and_returns_when_the_window_closes(qtbot, demo_root) -> None:
    opened: list[object] = []

    def close_when_open() -> None:
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
        if windows and windows[0].dataset is not None:
            opened.append(windows[0].dataset.root)
            windows[0].close()
        else:
            QTimer.singleShot(20, close_when_open)

    QTimer.singleShot(0, close_when_open)
    assert gui_app.run_gui([str(demo_root)]) == 0
    assert opened == [demo_root]


def test_the_window_opens_without_importing_torch(tmp_path) -> None:
    """torch takes seconds to import: the window must not wait for it (a run imports it)."""
    import os
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from lgad_studio.gui.app import make_application\n"
        "from lgad_studio.gui.main_window import MainWindow\n"
        "from lgad_studio.gui.settings import StudioSettings\n"
        "app = make_application()\n"
        "window = MainWindow(StudioSettings())\n"
        "window.show()\n"
        "app.processEvents()\n"
        "print('torch' in sys.modules)\n"
        "window.jobs.shutdown()\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path)}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "False"
