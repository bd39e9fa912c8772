"""The window fits a 1366x768 laptop and a 1024-px screen: nothing collapses, nothing is clipped."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt

sys.path.insert(0, str(Path(__file__).parent))
from trainui_models import tiny_checkpoints, tiny_demo  # noqa: E402

TITLE_BAR = 40  # what a window manager takes from a screen's height (decorations)


def _all_rows_visible(table) -> bool:
    last = table.model().index(table.rowCount() - 1, 0)
    return (
        table.verticalScrollBar().maximum() == 0
        and table.visualRect(last).bottom() <= table.viewport().height()
    )


def test_the_window_fits_a_laptop_and_nothing_collapses_at_1024_px(
    make_window, tmp_path_factory, qtbot
) -> None:
    root = tiny_demo(tmp_path_factory)
    checkpoints = tiny_checkpoints(tmp_path_factory, root)
    window = make_window(root)
    hint = window.minimumSizeHint()
    assert hint.width() <= 1024 - 16 and hint.height() <= 720 - TITLE_BAR
    window.resize(1366, 768 - TITLE_BAR)
    evaluate = window.evaluate_tab
    window.tabs.setCurrentWidget(evaluate)
    evaluate.add_checkpoints([checkpoints["lgad"], checkpoints["none"]])
    with qtbot.waitSignal(evaluate.evaluated, timeout=120_000):
        qtbot.mouseClick(evaluate.evaluate_button, Qt.MouseButton.LeftButton)
    table = evaluate.table
    assert table.rowCount() == 11  # the checkpoint names, nine categories and the total
    qtbot.waitUntil(lambda: _all_rows_visible(table), timeout=3000)
    assert evaluate.overlay.height() >= 150  # the image still has room below the table

    window.resize(1024, 700)
    qtbot.waitUntil(lambda: window.width() == 1024, timeout=3000)
    qtbot.wait(50)
    assert _all_rows_visible(table)
    assert evaluate.overlay.width() >= 320 and evaluate.image_list.width() >= 200
    for tab, widget, width in (
        (window.label_panel, window.label_panel.canvas, 500),
        (window.train_tab, window.train_tab.curves, 300),
    ):
        window.tabs.setCurrentWidget(tab)
        qtbot.wait(50)
        assert widget.width() >= width and widget.height() >= 150, tab
