"""The run history inside the window: Evaluate starts an evaluation; the runs folder persists."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt

from lgad_studio.gui.settings import StudioSettings

sys.path.insert(0, str(Path(__file__).parent))
from trainui_models import tiny_checkpoints, tiny_demo  # noqa: E402


def test_evaluate_in_the_run_history_starts_an_evaluation(
    make_window, tmp_path_factory, monkeypatch, qtbot
) -> None:
    from PySide6.QtWidgets import QFileDialog

    root = tiny_demo(tmp_path_factory)
    checkpoints = tiny_checkpoints(tmp_path_factory, root)
    runs = checkpoints["teacher"].parent.parent
    window = make_window(root)
    train, evaluate = window.train_tab, window.evaluate_tab
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(runs))
    window.tabs.setCurrentWidget(train)
    qtbot.mouseClick(train.options.browse_button, Qt.MouseButton.LeftButton)
    assert StudioSettings().runs_root() == runs  # remembered for the next start
    train.history.select_checkpoint(checkpoints["lgad"])
    with qtbot.waitSignal(evaluate.evaluated, timeout=120_000) as done:
        qtbot.mouseClick(train.history.evaluate_button, Qt.MouseButton.LeftButton)
        assert window.tabs.currentWidget() is evaluate
        assert evaluate.job is not None  # started, not just listed
    result = done.args[0]
    assert [c.checkpoint for c in result.checkpoints] == [checkpoints["lgad"]]
    assert result.split == "test" and len(result.entries) == 9
    assert evaluate.table.categories()[-1] == "total"
    again = make_window()
    assert again.train_tab.runs_root == runs
