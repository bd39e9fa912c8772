"""The studio window: unsaved-work prompt, persisted settings, tabs, demo on first launch."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTextBrowser

from lgad_studio.core.formats.dataset import open_dataset
from lgad_studio.gui import main_window
from lgad_studio.gui.editor.shortcuts import COMMANDS
from lgad_studio.gui.settings import StudioSettings


def _edit(window, driver) -> None:
    window.label_panel.canvas.select_lane(0)
    driver(window.label_panel.canvas).key(Qt.Key.Key_Delete, Qt.KeyboardModifier.ShiftModifier)
    assert window.label_panel.document.is_dirty


@pytest.mark.parametrize("answer", ["cancel", "discard", "save"])
def test_close_with_unsaved_work_asks_first(
    make_window, demo_root, driver, monkeypatch, answer
) -> None:
    window = make_window(demo_root)
    panel = window.label_panel
    # A read-only-like failure makes the autosave on close fail, so the prompt is needed.
    entry = panel.document.entry
    before = open_dataset(demo_root).read_lanes(entry)
    _edit(window, driver)
    edited = panel.document.lanes
    asked: list[int] = []
    monkeypatch.setattr(panel, "autosave", lambda document: False)
    monkeypatch.setattr(
        main_window, "ask_unsaved", lambda parent, count: asked.append(count) or answer
    )
    window.close()
    assert asked == [1]
    assert window.isVisible() == (answer == "cancel")
    on_disk = open_dataset(demo_root).read_lanes(entry)
    assert on_disk == (edited if answer == "save" else before)
    monkeypatch.setattr(main_window, "ask_unsaved", lambda parent, count: "discard")


def test_settings_persist_recent_datasets_geometry_last_image_and_prefs(
    make_window, demo_root, driver, monkeypatch
) -> None:
    window = make_window(demo_root)
    window.resize(900, 700)
    driver(window.label_panel.canvas).key(Qt.Key.Key_D)
    entry = window.label_panel.document.entry
    driver(window.label_panel.canvas).key(Qt.Key.Key_M)  # label-map overlay on
    assert window.label_panel.canvas.overlay_visible
    saved_geometry = window.saveGeometry()
    window.close()

    settings = StudioSettings()
    assert settings.window_geometry() == saved_geometry
    assert settings.recent_datasets() == [str(demo_root.resolve())]
    assert settings.show_label_map()
    again = make_window(demo_root)
    assert again.label_panel.document.entry == entry  # back where the user was
    assert again.label_panel.canvas.overlay_visible
    assert again.label_panel.actions["toggle_label_map"].isChecked()
    # The offscreen screen clamps sizes, so check what the window is given to restore.
    given: list[object] = []
    original = main_window.MainWindow.restoreGeometry
    monkeypatch.setattr(
        main_window.MainWindow,
        "restoreGeometry",
        lambda self, geometry: given.append(geometry) or original(self, geometry),
    )
    restored = main_window.MainWindow(settings)
    assert given == [saved_geometry]
    restored.jobs.shutdown()
    restored.deleteLater()


def test_tabs_and_the_shortcut_sheet(make_window, demo_root, driver) -> None:
    window = make_window(demo_root)
    names = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert names[0] == "Label" and set(names) <= {"Label", "Train", "Evaluate"}
    driver(window.label_panel.canvas).key(Qt.Key.Key_F1)
    sheet = window.label_panel._sheet
    assert sheet is not None and sheet.isVisible()
    sheet.close()
    driver(window.label_panel.canvas).key("?")
    assert sheet.isVisible()
    text = sheet.findChild(QTextBrowser).toPlainText()
    for command in (c for c in COMMANDS if c.keys):
        assert command.text in text
        assert all(key in text for key in command.keys)


def test_no_argument_opens_the_default_demo_generated_in_a_job(
    make_window, demo_template, monkeypatch, qtbot
) -> None:
    import lgad_studio.core.demo as demo

    calls: list[object] = []

    def ensure_default_demo(progress=None, cancel=None):
        calls.append(cancel)
        progress(1, 2)
        progress(2, 2)
        return demo_template

    monkeypatch.setattr(demo, "ensure_default_demo", ensure_default_demo)
    window = make_window()
    job = window.open_default_demo()
    with qtbot.waitSignal(window.dataset_opened, timeout=10_000):
        pass
    assert job.state.value == "finished" and len(calls) == 1
    assert window.dataset.root == demo_template
    assert window.label_panel.document is not None
