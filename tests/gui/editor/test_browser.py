"""The dataset browser: splits, category filter, search, label states, navigation order."""

from __future__ import annotations

from PySide6.QtCore import Qt

from lgad_studio.core.formats.dataset import open_dataset


def test_splits_categories_search_and_states(make_window, demo_root, driver) -> None:
    window = make_window(demo_root)
    panel = window.label_panel
    browser = panel.browser
    dataset = open_dataset(demo_root)
    splits = [browser.split_box.itemText(i) for i in range(browser.split_box.count())]
    assert splits == dataset.split_names()
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
    assert panel._state_of(entry) == "labelled"
    panel.canvas.select_lane(0)
    driver(panel.canvas).key(Qt.Key.Key_Delete, Qt.KeyboardModifier.ShiftModifier)
    assert panel._state_of(entry) == "unsaved"
    browser.state_box.setCurrentText("unsaved")
    assert browser.model.entries == [entry]
    browser.state_box.setCurrentText("All")
    driver(panel.canvas).key(Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert panel._state_of(entry) == "edited"


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
