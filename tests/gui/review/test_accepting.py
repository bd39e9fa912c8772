"""Review without losing anything (issue 12, item 2), driven through the real window.

Proposals come from a sidecar run written beforehand (what a batch job leaves), so
every lane, score and match is known: one proposal runs 3 px beside a labelled lane
(the metric matches them), two run across the sky (new lanes).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from PySide6.QtCore import QPoint, Qt

sys.path.insert(0, str(Path(__file__).parents[1]))
from review_models import image_proposals, write_run  # noqa: E402

from lgad_studio.core.formats.dataset import open_dataset  # noqa: E402
from lgad_studio.core.lanes import Lane  # noqa: E402
from lgad_studio.gui.editor.items import LaneItem  # noqa: E402

SKY_A = Lane([[200.0, 230.0], [700.0, 80.0]])
SKY_B = Lane([[900.0, 80.0], [1500.0, 230.0]])


def _window_with_proposals(make_window, demo_root, *, existence=(0.9, 0.9, 0.9)):
    """The studio on the demo with proposals for its first image; (window, document, near)."""
    dataset = open_dataset(demo_root)
    entry = dataset.entries("train")[0]
    labelled = dataset.read_lanes(entry)
    near = Lane(labelled[0].points + np.array([3.0, 0.0]), labelled[0].slot)
    lanes = [near, SKY_A, SKY_B]
    write_run(demo_root, [image_proposals(entry, lanes, existence=list(existence))])
    window = make_window(demo_root)
    document = window.label_panel.document
    assert document.entry == entry
    return window, document, near


def _dashed(panel) -> list[LaneItem]:
    return [i for i in panel.canvas.items() if isinstance(i, LaneItem) and i.proposed]


def _mid(lane: Lane) -> tuple[float, float]:
    """A point on the lane's curve: its middle vertex (two-point lanes: their midpoint)."""
    if len(lane) == 2:
        return tuple(lane.points.mean(axis=0))
    return tuple(lane.points[len(lane) // 2])


def test_proposals_are_drawn_dashed_over_the_labels_and_accepted_one_lane_at_a_time(
    make_window, demo_root, driver
) -> None:
    window, document, near = _window_with_proposals(make_window, demo_root)
    panel = window.label_panel
    before = document.lanes
    lines = open_dataset(demo_root).lines_path(document.entry)
    on_disk = lines.read_bytes()
    assert len(_dashed(panel)) == 3 and "3 of 3 shown" in panel.review.bar.shown_label.text()
    drive = driver(panel.canvas)
    drive.click(_mid(SKY_A))
    assert panel.canvas.selected_proposal == 1
    assert "Proposed lane 2" in panel.messages.text and "existence 0.90" in panel.messages.text
    drive.key(Qt.Key.Key_Return)  # accepts the selected lane only
    assert document.lanes.lanes == (*before.lanes, SKY_A)
    assert document.undo_stack.count() == 1
    assert document.undo_stack.undoText() == "Accept 1 proposed lane"
    assert len(_dashed(panel)) == 2  # the accepted one is a lane now
    assert lines.read_bytes() == on_disk  # nothing is written until the user saves
    drive.key(Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert document.lanes == before and len(_dashed(panel)) == 3


def test_accept_all_keeps_matched_lanes_unless_asked_and_each_accept_is_one_undo_step(
    make_window, demo_root, driver
) -> None:
    window, document, near = _window_with_proposals(make_window, demo_root)
    panel = window.label_panel
    before = document.lanes
    drive = driver(panel.canvas)
    drive.key(Qt.Key.Key_Return)  # nothing selected: every shown proposal
    after_all = document.lanes
    assert after_all.lanes == (*before.lanes, SKY_A, SKY_B)  # the labelled lane is kept
    assert "Accepted 2 proposed lanes" in panel.messages.text
    assert "1 skipped" in panel.messages.text and "1 still shown" in panel.messages.text
    drive.key(Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)  # replace the match
    replaced = document.lanes
    assert replaced[0].points.tolist() == near.points.tolist()
    assert replaced[0].slot == before[0].slot  # the labelled lane keeps its slot
    assert replaced.lanes[1:] == after_all.lanes[1:]
    assert document.undo_stack.count() == 2 and not _dashed(panel)
    drive.key(Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert document.lanes == after_all
    drive.key(Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert document.lanes == before  # exactly: points, slots and each lane's file line
    assert [ln.source for ln in document.lanes] == [ln.source for ln in before]
    assert not document.is_dirty
    panel.save()  # Ctrl+S writes what is shown
    assert open_dataset(demo_root).read_lanes(document.entry) == before


def test_accepting_nothing_changes_nothing_and_says_so(make_window, demo_root, driver) -> None:
    window, document, near = _window_with_proposals(make_window, demo_root)
    panel = window.label_panel
    drive = driver(panel.canvas)
    drive.click(_mid(near))  # the proposal beside a labelled lane
    assert panel.canvas.selected_proposal == 0
    assert "it matches lane 1" in panel.messages.text
    before = document.lanes
    drive.key(Qt.Key.Key_Return)
    assert "Nothing accepted" in panel.messages.text and "unchanged" in panel.messages.text
    assert document.lanes == before and document.undo_stack.count() == 0
    panel.review.set_min_existence(0.95)  # every proposal filtered out
    assert not _dashed(panel) and not panel.actions["accept_proposal"].isEnabled()
    drive.key(Qt.Key.Key_Return)
    assert "No proposed lanes to accept" in panel.messages.text
    assert document.lanes == before and document.undo_stack.count() == 0 and not document.is_dirty


def test_the_slider_filters_the_cached_proposals_without_running_anything(
    make_window, demo_root, qtbot
) -> None:
    window, document, _near = _window_with_proposals(
        make_window, demo_root, existence=(0.3, 0.6, 0.9)
    )
    panel = window.label_panel
    bar = panel.review.bar
    submitted: list[object] = []
    window.jobs.job_submitted.connect(submitted.append)
    assert len(_dashed(panel)) == 2  # 0.6 and 0.9 at the default 0.50
    bar.slider.setFocus()
    for _ in range(3):  # 0.50 -> 0.80 with the keyboard, as a user would
        qtbot.keyClick(bar.slider, Qt.Key.Key_PageUp)
    assert bar.value_label.text() == "0.80" and document.min_existence == 0.8
    assert len(_dashed(panel)) == 1 and "1 of 3 shown" in bar.shown_label.text()
    bar.slider.setValue(20)
    assert len(_dashed(panel)) == 3
    assert submitted == [] and window.jobs.jobs() == []  # no model ran


def test_the_context_menu_of_a_proposal_accepts_it_replacing_the_lane_it_matches(
    make_window, demo_root, driver, qtbot
) -> None:
    window, document, near = _window_with_proposals(make_window, demo_root)
    panel = window.label_panel
    drive = driver(panel.canvas)
    pos = drive.viewport_pos(_mid(near))
    event_pos = QPoint(pos.x(), pos.y())
    from PySide6.QtGui import QContextMenuEvent

    event = QContextMenuEvent(
        QContextMenuEvent.Reason.Mouse, event_pos, panel.canvas.viewport().mapToGlobal(event_pos)
    )
    panel.canvas.contextMenuEvent(event)
    menu = panel.review.menu
    assert menu is not None and menu.isVisible()
    texts = [a.text() for a in menu.actions() if a.text()]
    assert texts[0].startswith("Accept this lane") and "replacing lane 1" in texts[1]
    slot = document.lanes[0].slot
    next(a for a in menu.actions() if "replacing" in a.text()).trigger()
    menu.close()
    assert document.lanes[0].points.tolist() == near.points.tolist()
    assert document.lanes[0].slot == slot and document.undo_stack.count() == 1
