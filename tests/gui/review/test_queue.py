"""The review queue (issue 12, item 3): U walks the images most uncertain first; the browser
sorts and filters by the same uncertainty; the key is in the menu and the F1 sheet."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt

sys.path.insert(0, str(Path(__file__).parents[1]))
from review_models import image_proposals, write_run  # noqa: E402

from lgad_studio.core.formats.dataset import open_dataset  # noqa: E402
from lgad_studio.core.lanes import Lane  # noqa: E402
from lgad_studio.gui.editor.browser import BY_UNCERTAINTY  # noqa: E402
from lgad_studio.gui.editor.shortcuts import sheet_html  # noqa: E402

SCORES = [0.35, 0.9, 0.1, 0.7]  # of the first four test images, in list order


def _with_scores(demo_root: Path) -> list[str]:
    entries = open_dataset(demo_root).entries("test")[:4]
    lane = Lane([[400.0, 589.0], [700.0, 330.0]], 2)
    images = [
        image_proposals(e, [lane], uncertainty=u) for e, u in zip(entries, SCORES, strict=True)
    ]
    write_run(demo_root, images)
    return entries


def test_u_opens_the_next_most_uncertain_image_and_shift_u_goes_back(
    make_window, demo_root, driver
) -> None:
    entries = _with_scores(demo_root)
    window = make_window(demo_root)
    panel = window.label_panel
    panel.browser.split_box.setCurrentText("test")
    assert panel.document.entry == entries[0]  # seen: the queue skips it
    expected = [entries[i] for i in (1, 3, 2)]  # 0.9, 0.7, (0.35 seen), 0.1
    drive = driver(panel.canvas)
    visited = []
    for _ in expected:
        drive.key(Qt.Key.Key_U)
        visited.append(panel.document.entry)
    assert visited == expected
    assert "rank 4 of 4" in panel.messages.text and "uncertainty 0.10" in panel.messages.text
    drive.key(Qt.Key.Key_U)  # the end: stays, and says so
    assert panel.document.entry == expected[-1] and "End of the review queue" in panel.messages.text
    drive.key(Qt.Key.Key_U, Qt.KeyboardModifier.ShiftModifier)
    assert panel.document.entry == expected[-2]
    drive.key(Qt.Key.Key_U, Qt.KeyboardModifier.ShiftModifier)
    assert panel.document.entry == expected[0]
    assert panel.document.proposal is not None and len(panel.document.proposal) == 1


def test_u_without_proposals_says_what_to_do(make_window, demo_root, driver) -> None:
    window = make_window(demo_root)
    panel = window.label_panel
    entry = panel.document.entry
    driver(panel.canvas).key(Qt.Key.Key_U)
    assert panel.document.entry == entry and "Auto-label" in panel.messages.text
    assert not (demo_root / ".lgad").exists()  # opening and asking created no sidecar


def test_the_browser_sorts_and_filters_by_uncertainty(make_window, demo_root) -> None:
    entries = _with_scores(demo_root)
    window = make_window(demo_root)
    browser = window.label_panel.browser
    browser.split_box.setCurrentText("test")
    listed = browser.model.entries
    assert listed[:4] == entries  # list order until asked
    row = browser.model.index(1).data()
    assert row.endswith("· 0.90")
    browser.order_box.setCurrentText(BY_UNCERTAINTY)
    assert browser.model.entries[:4] == [entries[i] for i in (1, 3, 0, 2)]
    assert sorted(browser.model.entries[4:]) == sorted(listed[4:])  # unscored ones after
    browser.min_uncertainty.setValue(0.5)
    assert browser.model.entries == [entries[1], entries[3]]
    assert window.label_panel.document.entry in browser.model.entries  # never a hidden image
    assert browser.count_label.text().startswith("2 of")


def test_the_queue_key_is_in_the_review_menu_and_the_shortcut_sheet(make_window) -> None:
    window = make_window()
    menus = {a.text(): a.menu() for a in window.menuBar().actions() if a.menu() is not None}
    review = menus["&Review"]
    action = next(a for a in review.actions() if a.text() == "Next most uncertain image")
    assert action.shortcut().toString() == "U"
    texts = [a.text() for a in review.actions()]
    for name in ("Auto-label images…", "Mark / unmark keyframe", "Accept proposed lanes"):
        assert name in texts
    sheet = sheet_html()
    assert "<b>U</b></td><td>Next most uncertain image" in sheet
    assert "<b>Shift+Enter</b>" in sheet
