"""The studio window: unsaved-work prompt, persisted settings, tabs, demo on first launch."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
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


def test_first_start_says_the_demo_is_being_generated(
    make_window, demo_template, monkeypatch, qtbot
):
    import threading

    import lgad_studio.core.demo as demo

    release = threading.Event()
    reported = threading.Event()

    def ensure_default_demo(progress=None, cancel=None):
        progress(1, 4)
        reported.set()
        release.wait(10)
        return demo_template

    monkeypatch.setattr(demo, "ensure_default_demo", ensure_default_demo)
    window = make_window()
    panel = window.label_panel
    window.open_default_demo()
    assert panel.stack.currentWidget() is panel.notice and panel.notice.isVisible()
    assert panel.notice.title.text() == "Generating the demo dataset (only on the first start)…"
    assert reported.wait(10)
    qtbot.waitUntil(lambda: panel.notice.bar.maximum() == 4, timeout=5000)
    assert panel.notice.bar.value() == 1 and "1 of 4 images" in panel.notice.detail.text()
    with qtbot.waitSignal(window.dataset_opened, timeout=10_000):
        release.set()
    assert panel.stack.currentWidget() is panel.canvas and panel.document is not None


def test_the_busy_notice_says_how_long_is_left_once_the_rate_is_known(qtbot):
    from lgad_studio.gui.editor.notice import BusyNotice

    notice = BusyNotice()
    qtbot.addWidget(notice)
    notice.start("Generating the demo dataset (only on the first start)…")
    notice.set_progress(10, 1400, now=100.0)
    assert notice.detail.text() == "10 of 1,400 images"  # one report: no rate yet
    notice.set_progress(110, 1400, now=104.0)  # 25 images/s: 1,290 left take 51.6 s
    assert notice.detail.text() == "110 of 1,400 images · about 0:52 left"
    assert (notice.bar.value(), notice.bar.maximum()) == (110, 1400)
    notice.start("again")  # a new generation starts its own rate
    notice.set_progress(5, 1400, now=500.0)
    assert notice.detail.text() == "5 of 1,400 images"


def test_cancelling_the_demo_generation_from_the_notice(make_window, monkeypatch, qtbot):
    import lgad_studio.core.demo as demo

    def ensure_default_demo(progress=None, cancel=None):
        cancel.wait(10)
        return None

    monkeypatch.setattr(demo, "ensure_default_demo", ensure_default_demo)
    window = make_window()
    panel = window.label_panel
    job = window.open_default_demo()
    with qtbot.waitSignal(job.cancelled, timeout=10_000):
        qtbot.mouseClick(panel.notice.cancel_button, Qt.MouseButton.LeftButton)
    assert panel.stack.currentWidget() is panel.canvas
    assert "Demo generation cancelled" in panel.messages.text


def test_file_open_on_a_folder_that_is_no_dataset_keeps_the_open_one(
    make_window, demo_root, demo_template, tmp_path, monkeypatch, qtbot
) -> None:
    from PySide6.QtWidgets import QFileDialog

    window = make_window(demo_root)
    panel = window.label_panel
    entry = panel.document.entry
    # A Train-tab error standing from before...
    window.tabs.setCurrentWidget(window.train_tab)
    window.train_tab.student_form.set_mode("lgad")
    window.train_tab.student_form.teacher.setText("")
    qtbot.mouseClick(window.train_tab.student_form.distill_button, Qt.MouseButton.LeftButton)
    assert window.train_tab.errors.isVisible()
    # ...then File > Open dataset folder... on a folder of notes.
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "todo.txt").write_text("buy milk")
    chosen = [str(notes)]
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: chosen[0])
    opener = next(a for a in window.findChildren(QAction) if a.text() == "Open dataset folder…")
    opener.trigger()
    assert window.dataset.root == demo_root and panel.document.entry == entry
    assert len(panel.browser.model.entries) > 0
    text = panel.messages.text
    assert text.startswith("Cannot open the dataset:") and str(notes) in text
    assert "no images" in text and f"{demo_root} stays open" in text
    assert "list lines" not in text
    chosen[0] = str(demo_template)  # opening a real one: the stale Train error is gone
    opener.trigger()
    assert window.dataset.root == demo_template
    assert not window.train_tab.errors.isVisible() and window.train_tab.last_error is None


def test_the_title_names_the_image_the_dataset_and_the_app_once(
    make_window, demo_root, driver, qtbot
) -> None:
    from lgad_studio.gui.app import make_application

    make_application()  # the display name Qt appends to titles that lack it
    window = make_window(demo_root)
    entry = window.label_panel.document.entry
    assert window.windowHandle().title() == f"{entry} — demo — LGAD Studio"
    _edit(window, driver)
    title = window.windowHandle().title()
    assert title == f"{entry} — demo* — LGAD Studio"
    assert title.count("LGAD Studio") == 1 and "●" not in title


def test_editor_readouts_show_on_the_label_tab_only(make_window, demo_root) -> None:
    window = make_window(demo_root)
    panel = window.label_panel
    readouts = (panel.lane_label, panel.position_label, panel.zoom_label)
    assert all(w.isVisible() for w in readouts) and panel.lane_label.text()
    for tab in (window.train_tab, window.evaluate_tab):
        window.tabs.setCurrentWidget(tab)
        assert not any(w.isVisible() for w in readouts)
        assert window.dataset_label.isVisible()
    window.tabs.setCurrentWidget(panel)
    assert all(w.isVisible() for w in readouts)
