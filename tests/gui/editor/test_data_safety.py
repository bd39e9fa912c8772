"""Ground truth is never lost or changed behind the user's back (issue 11, items 1-4).

Each test drives the real window and fails on the behaviour the issue reported:
an empty proposal that wiped an image, Ctrl+Q that saved without asking, slots
that changed silently, a corrupt label file listed as labelled and a read-only
folder noticed only at the first save.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from lgad_studio.core.formats.dataset import open_dataset
from lgad_studio.core.lanes import LaneSet
from lgad_studio.gui import main_window
from lgad_studio.gui.main_window import ask_unsaved as real_ask_unsaved

sys.path.insert(0, str(Path(__file__).parents[1]))
from review_models import PaintedModel  # noqa: E402

# A lane across the sky, far from the demo's road lanes.
SKY = [(300.0, 60.0), (800.0, 130.0), (1300.0, 60.0)]


def _entry_with_lanes(root, count: int) -> str:
    dataset = open_dataset(root)
    entries = [e for split in ("train", "val", "test") for e in dataset.entries(split)]
    return next(e for e in entries if len(dataset.read_lanes(e)) == count)


def _open(window, entry: str):
    """Show ``entry`` as the list does: switch to its split, select its row."""
    browser = window.label_panel.browser
    split = next(s for s in ("train", "val", "test") if entry in window.dataset.entries(s))
    browser.split_box.setCurrentText(split)
    browser.select_entry(entry)
    assert window.label_panel.document.entry == entry
    return window.label_panel.document


# -- item 1: a proposal of zero lanes -----------------------------------------------------------
def test_enter_on_zero_proposed_lanes_keeps_the_labels_and_says_so(
    make_window, demo_root, driver, qtbot, monkeypatch, tmp_path
) -> None:
    from lgad_studio.core import inference

    finds_nothing = PaintedModel(LaneSet())  # background everywhere
    monkeypatch.setattr(
        inference.LanePredictor, "from_checkpoint", classmethod(lambda cls, *a, **k: finds_nothing)
    )
    window = make_window(demo_root)
    panel = window.label_panel
    document = panel.document
    lines = open_dataset(demo_root).lines_path(document.entry)
    on_disk = lines.read_bytes()
    before = document.lanes
    assert len(before) > 0
    checkpoint = tmp_path / "student.pt"
    checkpoint.write_bytes(b"unused: the predictor is replaced")
    panel.proposals.set_checkpoint(checkpoint)
    drive = driver(panel.canvas)
    with qtbot.waitSignal(panel.proposals.proposal_ready, timeout=30_000):
        drive.key(Qt.Key.Key_P)
    message = panel.messages.text
    assert "no lanes" in message and "unchanged" in message
    assert "Enter accepts" not in message
    assert not panel.actions["accept_proposal"].isEnabled()
    drive.key(Qt.Key.Key_Return)
    assert document.lanes == before and not document.is_dirty
    assert document.undo_stack.count() == 0
    drive.key(Qt.Key.Key_D)  # leaving the image writes nothing
    assert lines.read_bytes() == on_disk


def test_accepting_a_proposal_clears_its_banner(make_window, demo_root, driver) -> None:
    from lgad_studio.core.lanes import Lane

    window = make_window(demo_root)
    panel = window.label_panel
    document = panel.document
    before = document.lanes
    proposal = LaneSet((Lane([[300, 200], [800, 60]], 2),), image_size=document.lanes.image_size)
    panel.review.show_proposals(document, proposal)
    assert "Enter accepts" in panel.messages.text
    driver(panel.canvas).key(Qt.Key.Key_Return)
    assert document.lanes.lanes[:-1] == before.lanes  # the labelled lanes stay
    assert document.lanes[-1].points.tolist() == proposal[0].points.tolist()
    assert "Enter accepts" not in panel.messages.text


# -- item 2: quitting with unsaved edits ------------------------------------------------------
@pytest.mark.parametrize("answer", ["Discard", "Cancel", "Save"])
def test_ctrl_q_with_unsaved_edits_asks_save_discard_or_cancel(
    make_window, demo_root, driver, qtbot, monkeypatch, dialogs, answer
) -> None:
    window = make_window(demo_root)
    panel = window.label_panel
    document = panel.document
    lines = open_dataset(demo_root).lines_path(document.entry)
    on_disk = lines.read_bytes()
    panel.canvas.select_lane(0)
    driver(panel.canvas).key(Qt.Key.Key_Delete, Qt.KeyboardModifier.ShiftModifier)
    edited = document.lanes
    monkeypatch.setattr(main_window, "ask_unsaved", real_ask_unsaved)
    dialogs.answer(answer)
    qtbot.keyClick(panel.canvas, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    assert len(dialogs.seen) == 1 and "unsaved" in dialogs.seen[0]
    if answer == "Save":
        assert not window.isVisible()
        assert open_dataset(demo_root).read_lanes(document.entry) == edited
    else:
        assert lines.read_bytes() == on_disk  # nothing written before the user chose
        assert window.isVisible() == (answer == "Cancel")
    if answer == "Cancel":
        assert document.is_dirty and document.lanes == edited
    monkeypatch.setattr(main_window, "ask_unsaved", lambda parent, count: "discard")


def test_opening_another_dataset_asks_before_writing(
    make_window, demo_root, driver, monkeypatch, dialogs, demo_template
) -> None:
    window = make_window(demo_root)
    panel = window.label_panel
    lines = open_dataset(demo_root).lines_path(panel.document.entry)
    on_disk = lines.read_bytes()
    panel.canvas.select_lane(0)
    driver(panel.canvas).key(Qt.Key.Key_Delete, Qt.KeyboardModifier.ShiftModifier)
    monkeypatch.setattr(main_window, "ask_unsaved", real_ask_unsaved)
    dialogs.answer("Cancel")
    assert not window.open_dataset(demo_template)
    assert len(dialogs.seen) == 1
    assert window.dataset.root == demo_root and panel.document.is_dirty
    assert lines.read_bytes() == on_disk
    monkeypatch.setattr(main_window, "ask_unsaved", lambda parent, count: "discard")


# -- item 3: slots ---------------------------------------------------------------------------
def _draw_sky_lane(panel, drive) -> int:
    drive.key(Qt.Key.Key_N)
    for xy in SKY:
        drive.click(xy)
    drive.key(Qt.Key.Key_Return)
    return len(panel.document.lanes) - 1


def test_a_taken_slot_is_never_taken_silently(
    make_window, demo_root, driver, dialogs, qtbot
) -> None:
    window = make_window(demo_root)
    panel = window.label_panel
    document = _open(window, _entry_with_lanes(demo_root, 4))
    drive = driver(panel.canvas)
    new = _draw_sky_lane(panel, drive)
    assert document.lanes[new].slot is None  # all four slots were taken
    holder = next(i for i, lane in enumerate(document.lanes) if lane.slot == 1)
    before = document.lanes

    dialogs.answer("Cancel")
    drive.key(Qt.Key.Key_1)
    qtbot.waitUntil(lambda: len(dialogs.seen) == 1, timeout=3000)
    assert "slot 1" in dialogs.seen[0]
    assert document.lanes == before

    dialogs.answer("Move slot 1 here")
    drive.key(Qt.Key.Key_1)
    qtbot.waitUntil(lambda: len(dialogs.seen) == 2, timeout=3000)
    assert document.lanes[new].slot == 1 and document.lanes[holder].slot is None
    message = panel.messages.text
    assert "slot 1" in message and "no slot" in message and "Ctrl+Z" in message


def test_swapping_two_slotted_lanes_says_so(make_window, demo_root, driver, dialogs) -> None:
    window = make_window(demo_root)
    panel = window.label_panel
    document = _open(window, _entry_with_lanes(demo_root, 4))
    two = next(i for i, lane in enumerate(document.lanes) if lane.slot == 2)
    three = next(i for i, lane in enumerate(document.lanes) if lane.slot == 3)
    panel.canvas.select_lane(two)
    driver(panel.canvas).key(Qt.Key.Key_3)
    assert document.lanes[two].slot == 3 and document.lanes[three].slot == 2
    assert dialogs.seen == []  # both keep a slot: a visible swap, no question
    assert "swapped" in panel.messages.text.lower() and "2" in panel.messages.text


def test_saving_an_unslotted_fifth_lane_warns_and_explains(make_window, demo_root, driver) -> None:
    window = make_window(demo_root)
    panel = window.label_panel
    document = _open(window, _entry_with_lanes(demo_root, 4))
    drive = driver(panel.canvas)
    _draw_sky_lane(panel, drive)
    drive.key(Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert not document.is_dirty  # the lanes are written: nothing is lost
    message = panel.messages.text
    assert panel.messages.level == "warning"
    assert "5 lanes" in message and "no slot" in message and "4" in message
    assert document.entry in message


# -- item 4: broken files and read-only folders are shown as they are ------------------------------
def test_a_corrupt_label_file_is_listed_as_an_error_with_its_reason(make_window, demo_root) -> None:
    dataset = open_dataset(demo_root)
    entry = dataset.entries("train")[2]
    path = dataset.lines_path(entry)
    path.write_text(path.read_text() + "12 34 oops\n")
    window = make_window(demo_root)
    browser = window.label_panel.browser
    assert window.label_panel.document.entry != entry
    index = browser.model.index(browser.model.row_of(entry))
    tip = index.data(Qt.ItemDataRole.ToolTipRole)
    assert "error" in tip and "expected a decimal number" in tip and f"{path.name}:" in tip
    assert window.label_panel.states.state(entry) == "error"
    browser.state_box.setCurrentText("error")
    assert browser.model.entries == [entry]


def test_a_read_only_folder_is_reported_when_the_dataset_opens(
    make_window, demo_root, read_only_labels
) -> None:
    window = make_window(demo_root)
    panel = window.label_panel
    entry = panel.document.entry
    folder = open_dataset(demo_root).lines_path(entry).parent
    message = panel.messages.text
    assert "read-only" in message and str(folder) in message
    assert "Permission denied" in message
    assert not panel.document.is_dirty  # nothing was saved or tried yet
