"""Bad input keeps the studio alive and loses no edits: read-only folders, broken files."""

from __future__ import annotations

from PySide6.QtCore import Qt

from lgad_studio.core.formats.dataset import open_dataset


def test_read_only_folder_shows_the_message_and_keeps_edits(
    make_window, demo_root, driver, read_only_labels
) -> None:
    window = make_window(demo_root)
    panel = window.label_panel
    drive = driver(panel.canvas)
    document = panel.document
    entry = document.entry
    lines_path = open_dataset(demo_root).lines_path(entry)
    on_disk_before = lines_path.read_bytes()
    panel.canvas.select_lane(0)
    drive.key(Qt.Key.Key_Delete, Qt.KeyboardModifier.ShiftModifier)
    edited = document.lanes

    drive.key(Qt.Key.Key_D)  # autosave fails
    assert panel.document.entry != entry
    message = panel.messages.text
    assert "Could not save the labels of" in message and entry in message
    assert str(lines_path) in message and "Permission denied" in message
    assert document.is_dirty and document.lanes == edited
    assert lines_path.read_bytes() == on_disk_before
    row = panel.browser.model.row_of(entry)
    assert "●" in panel.browser.model.index(row).data()
    assert window.isWindowModified()

    drive.key(Qt.Key.Key_A)  # back: the edit is still there, and still undoable
    assert panel.document is document and document.lanes == edited
    assert panel.messages.text == message  # a failed save stays visible

    read_only_labels.make_writable()
    drive.key(Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert not document.is_dirty
    assert panel.messages.text == ""
    assert open_dataset(demo_root).read_lanes(entry) == edited


def test_unreadable_image_is_reported_and_its_lanes_stay_editable(
    make_window, demo_root, driver
) -> None:
    dataset = open_dataset(demo_root)
    entry = _labelled_entry(dataset)
    lane_count = len(dataset.read_lanes(entry))
    dataset.image_path(entry).write_bytes(b"not a jpeg at all")
    window = make_window(demo_root)
    panel = window.label_panel
    panel.browser.select_entry(entry)  # as a click in the list does
    assert panel.document.entry == entry
    message = panel.messages.text
    assert str(dataset.image_path(entry)) in message and "cannot decode image" in message
    assert panel.image is None
    assert len(panel.document.lanes) == lane_count > 0
    panel.canvas.select_lane(0)
    driver(panel.canvas).key(Qt.Key.Key_Delete, Qt.KeyboardModifier.ShiftModifier)
    assert panel.document.is_dirty
    assert window.isVisible()


def test_malformed_label_file_is_named_with_its_line_and_never_autosaved_over(
    make_window, demo_root, driver
) -> None:
    dataset = open_dataset(demo_root)
    entry = _labelled_entry(dataset)
    path = dataset.lines_path(entry)
    good = path.read_text()
    path.write_text(good + "100 200 oops 300\n")
    broken = path.read_bytes()
    window = make_window(demo_root)
    panel = window.label_panel
    drive = driver(panel.canvas)
    panel.browser.select_entry(entry)
    assert panel.document.entry == entry
    line = len(good.splitlines()) + 1
    assert f"{path}:{line}: field 3 is 'oops', expected a decimal number" in panel.messages.text
    assert len(panel.document.lanes) == len(good.splitlines())  # the good lines are loaded

    panel.canvas.select_lane(0)
    drive.key(Qt.Key.Key_Delete, Qt.KeyboardModifier.ShiftModifier)
    drive.key(Qt.Key.Key_D)  # leaving: no autosave over a file that had problems
    assert path.read_bytes() == broken
    assert "not saved automatically" in panel.messages.text and entry in panel.messages.text
    drive.key(Qt.Key.Key_A)
    edited = panel.document.lanes
    drive.key(Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)  # an explicit save does
    assert open_dataset(demo_root).read_lanes(entry) == edited


def test_opening_something_that_is_not_a_dataset_keeps_the_window(make_window, tmp_path) -> None:
    window = make_window()
    not_a_dataset = tmp_path / "notes.txt"
    not_a_dataset.write_text("hello")
    assert not window.open_dataset(not_a_dataset)
    text = window.label_panel.messages.text
    assert "Cannot open the dataset" in text and str(not_a_dataset) in text
    assert window.isVisible()


def _labelled_entry(dataset) -> str:
    """A train entry with lanes that has images both before and after it in the list."""
    entries = dataset.entries("train")
    return next(e for e in entries[1:-1] if dataset.has_labels(e) and len(dataset.read_lanes(e)))
