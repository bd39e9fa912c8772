"""The dataset browser: splits, category filter, search, label states, navigation order."""

from __future__ import annotations

from PySide6.QtCore import Qt

from lgad_studio.core.formats.dataset import open_dataset


def test_splits_categories_search_and_states(make_window, demo_root, driver) -> None:
    window = make_window(demo_root)
    panel = window.label_panel
    browser = panel.browser
    dataset = open_dataset(demo_root)
    # The nine test<N>_<category> lists are the Category filter of "test", not splits.
    splits = [browser.split_box.itemText(i) for i in range(browser.split_box.count())]
    assert splits == ["train", "val", "test"]
    assert len(dataset.split_names()) == 12
    assert browser.model.entries == dataset.entries("train")
    assert not browser.category_box.isEnabled()

    browser.split_box.setCurrentText("test")
    assert browser.model.entries == dataset.entries("test")
    categories = [browser.category_box.itemText(i) for i in range(browser.category_box.count())]
    assert categories[0] == "All" and "night" in categories and len(categories) == 10
    browser.category_box.setCurrentText("night")
    assert browser.model.entries == [
        e for e in dataset.entries("test") if dataset.category(e) == "night"
    ]
    assert browser.count_label.text() == f"1 of {len(dataset.entries('test'))} images"

    browser.category_box.setCurrentText("All")
    needle = dataset.entries("test")[3].rsplit("/", 1)[-1]
    browser.search.setText(needle.upper())  # case-insensitive
    assert browser.model.entries == [e for e in dataset.entries("test") if needle in e]
    browser.search.clear()

    # Label states: labelled on disk; after an edit "unsaved"; after its save "edited".
    browser.split_box.setCurrentText("train")
    browser.select_entry(browser.model.entries[0])
    entry = panel.document.entry
    assert panel.states.state(entry) == "labelled"
    panel.canvas.select_lane(0)
    driver(panel.canvas).key(Qt.Key.Key_Delete, Qt.KeyboardModifier.ShiftModifier)
    assert panel.states.state(entry) == "unsaved"
    browser.state_box.setCurrentText("unsaved")
    assert browser.model.entries == [entry]
    browser.state_box.setCurrentText("All")
    driver(panel.canvas).key(Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert panel.states.state(entry) == "edited"


def test_a_and_d_follow_the_filtered_list(make_window, demo_root, driver) -> None:
    window = make_window(demo_root)
    panel = window.label_panel
    panel.browser.split_box.setCurrentText("test")
    panel.browser.search.setText("0")
    visible = panel.browser.model.entries
    panel.browser.select_entry(visible[0])
    drive = driver(panel.canvas)
    seen = [panel.document.entry]
    for _ in range(len(visible) + 1):  # one more press than there are images: stays on the last
        drive.key(Qt.Key.Key_D)
        seen.append(panel.document.entry)
    assert seen[: len(visible)] == visible and seen[-1] == visible[-1]
    drive.key(Qt.Key.Key_A)
    assert panel.document.entry == visible[-2]
    assert panel.browser.current_entry() == visible[-2]


def test_opening_an_entry_of_another_split_reveals_it_in_the_list(
    make_window, demo_root, driver
) -> None:
    # What the Evaluate tab's "Fix labels" does: open a test image while the list shows train.
    window = make_window(demo_root)
    panel = window.label_panel
    panel.browser.search.setText("no such image")
    tests = open_dataset(demo_root).entries("test")
    panel.open_entry(tests[4])
    assert panel.browser.split == "test" and panel.browser.search.text() == ""
    assert panel.browser.current_entry() == tests[4]
    driver(panel.canvas).key(Qt.Key.Key_D)
    assert panel.document.entry == tests[5]


def _highlighted_rows(window, view) -> list[int]:
    """Rows of the list whose pixels on screen are painted as selected (what the user sees)."""
    from PySide6.QtCore import QPoint

    shot = window.screen().grabWindow(window.winId()).toImage()
    origin = view.viewport().mapTo(window, QPoint(0, 0))
    base = view.palette().color(view.viewport().backgroundRole())
    alternate = view.palette().alternateBase().color()
    rows = []
    for row in range(view.model().rowCount()):
        rect = view.visualRect(view.model().index(row, 0))
        if not rect.isValid() or rect.bottom() > view.viewport().height():
            break
        pixel = shot.pixelColor(
            origin.x() + view.viewport().width() - 4, origin.y() + rect.center().y()
        )
        if pixel not in (base, alternate):
            rows.append(row)
    return rows


def test_one_row_is_highlighted_after_a_click_and_a_or_d(make_window, demo_root, driver, qtbot):
    window = make_window(demo_root)
    panel = window.label_panel
    view = panel.browser.view
    panel.browser.split_box.setCurrentText("test")
    first = view.visualRect(panel.browser.model.index(1))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=first.center())
    assert panel.document.entry == panel.browser.model.entries[1]
    drive = driver(panel.canvas)
    for key in (Qt.Key.Key_D, Qt.Key.Key_D, Qt.Key.Key_D, Qt.Key.Key_A):
        drive.key(key)
        qtbot.wait(30)  # let the list repaint
        row = panel.browser.model.row_of(panel.document.entry)
        assert _highlighted_rows(window, view) == [row]
    assert row == 3
    assert [i.row() for i in view.selectionModel().selectedRows()] == [3]


def test_filters_never_leave_a_hidden_image_on_the_canvas(make_window, demo_root, driver) -> None:
    window = make_window(demo_root)
    panel = window.label_panel
    browser = panel.browser
    dataset = open_dataset(demo_root)
    assert panel.document.entry in dataset.entries("train")
    panel.canvas.select_lane(0)
    driver(panel.canvas).key(Qt.Key.Key_Delete, Qt.KeyboardModifier.ShiftModifier)
    edited = panel.document
    browser.split_box.setCurrentText("test")  # leaving the image autosaves it, as A/D do
    assert panel.document.entry == dataset.entries("test")[0]
    assert browser.current_entry() == panel.document.entry
    assert not edited.is_dirty
    browser.category_box.setCurrentText("night")
    night = [e for e in dataset.entries("test") if dataset.category(e) == "night"]
    assert panel.document.entry == night[0] == browser.current_entry()
    browser.category_box.setCurrentText("All")
    assert panel.document.entry == night[0]  # still listed: it stays
    browser.search.setText("no such image")
    assert panel.document is None and panel.canvas.document is None
    assert "No image matches" in panel.messages.text
    assert "0 of" in browser.count_label.text()
    browser.search.clear()
    assert panel.document.entry == dataset.entries("test")[0]
