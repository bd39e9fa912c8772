"""The editor driven like a user: mouse on the canvas, keys, autosave checked on disk."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt

from lgad_studio.core.formats.culane_lines import read_lane_points
from lgad_studio.core.formats.dataset import open_dataset
from lgad_studio.gui.editor import hit

# A lane drawn across the sky, far from the demo's road lanes, so clicks pick only it.
DRAWN = [(300.0, 60.0), (800.0, 130.0), (1300.0, 60.0)]


def _find_lane(lanes_on_disk: list[np.ndarray], expected: np.ndarray) -> bool:
    return any(
        p.shape == expected.shape and np.allclose(p, expected, atol=0.011) for p in lanes_on_disk
    )


def test_draw_drag_insert_delete_undo_slot_then_next_image_autosaves(
    make_window, demo_root, driver, dialogs
) -> None:
    window = make_window(demo_root)
    panel = window.label_panel
    canvas = panel.canvas
    drive = driver(canvas)
    document = panel.document
    entry = document.entry
    before = len(document.lanes)

    # Draw: N, three clicks, Enter.
    drive.key(Qt.Key.Key_N)
    assert canvas.is_drawing
    clicked = [drive.scene_xy(xy) for xy in DRAWN]
    for xy in DRAWN:
        drive.click(xy)
    drive.key(Qt.Key.Key_Return)
    assert not canvas.is_drawing
    assert len(document.lanes) == before + 1
    index = len(document.lanes) - 1
    assert canvas.selected_lane == index
    np.testing.assert_allclose(document.lanes[index].points, clicked, atol=0.011)

    # Drag the middle vertex 60 px down.
    target = (800.0, 190.0)
    drive.drag(clicked[1], target)
    moved = document.lanes[index].points
    np.testing.assert_allclose(moved[1], drive.scene_xy(target), atol=0.011)
    np.testing.assert_allclose(moved[[0, 2]], np.array(clicked)[[0, 2]], atol=0.011)

    # Insert a vertex on the curve between the first two vertices (double-click).
    on_curve = hit.curve_hit(moved, (550.0, 110.0)).point
    drive.double_click(on_curve)
    lane = document.lanes[index]
    assert len(lane) == 4
    assert canvas.selected_vertex == 1
    assert np.hypot(*(lane.points[1] - drive.scene_xy(on_curve))) < 3.0

    # Delete it again: click selects the vertex, Delete removes it.
    drive.click(tuple(lane.points[1]))
    assert canvas.selected_vertex == 1
    drive.key(Qt.Key.Key_Delete)
    assert len(document.lanes[index]) == 3
    np.testing.assert_allclose(document.lanes[index].points, moved, atol=1e-9)

    # Undo / redo the deletion with the keyboard.
    drive.key(Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert len(document.lanes[index]) == 4
    redo = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    drive.key(Qt.Key.Key_Z, redo)
    assert len(document.lanes[index]) == 3

    # Slot 1 for the new lane: the lane that held it takes the new lane's old slot (a swap,
    # said in the message bar); without a slot to give back, the user is asked first.
    old_holder = document.lanes.by_slot().get(1)
    slot_before = document.lanes[index].slot
    canvas.select_lane(index)
    if old_holder is not None and slot_before is None:
        dialogs.answer("Move slot 1 here")
    drive.key(Qt.Key.Key_1)
    assert document.lanes[index].slot == 1
    if old_holder is not None:
        holder = next(ln for ln in document.lanes if np.array_equal(ln.points, old_holder.points))
        assert holder.slot == slot_before
        assert "slot 1" in panel.messages.text
    final = document.lanes
    assert document.is_dirty

    # D: next image; the image left behind is autosaved atomically.
    drive.key(Qt.Key.Key_D)
    assert panel.document.entry != entry
    assert not document.is_dirty
    dataset = open_dataset(demo_root)
    on_disk = read_lane_points(dataset.lines_path(entry))
    assert len(on_disk) == len(final)
    assert _find_lane(on_disk, final[index].points)
    assert dataset.read_lanes(entry).existence() == final.existence()
    assert dataset.existence(entry) == final.existence()  # the train_gt.txt flags follow

    # A: back again, the undo history of that image is still there.
    drive.key(Qt.Key.Key_A)
    assert panel.document is document
    drive.key(Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert document.lanes[index].slot == slot_before
    assert document.is_dirty


def test_escape_cancels_a_draft_and_backspace_drops_its_last_vertex(
    make_window, demo_root, driver
) -> None:
    window = make_window(demo_root)
    canvas = window.label_panel.canvas
    drive = driver(canvas)
    lanes = window.label_panel.document.lanes
    drive.key(Qt.Key.Key_N)
    for xy in DRAWN:
        drive.click(xy)
    assert len(canvas.draft) == 3
    drive.key(Qt.Key.Key_Backspace)
    assert len(canvas.draft) == 2
    drive.key(Qt.Key.Key_Escape)
    assert not canvas.is_drawing
    assert window.label_panel.document.lanes == lanes
    assert window.label_panel.document.undo_stack.count() == 0


def test_double_click_finishes_a_lane(make_window, demo_root, driver) -> None:
    window = make_window(demo_root)
    canvas = window.label_panel.canvas
    drive = driver(canvas)
    count = len(window.label_panel.document.lanes)
    drive.key(Qt.Key.Key_W)
    drive.click(DRAWN[0])
    drive.double_click(DRAWN[1])
    assert not canvas.is_drawing
    lanes = window.label_panel.document.lanes
    assert len(lanes) == count + 1
    np.testing.assert_allclose(
        lanes[-1].points, [drive.scene_xy(DRAWN[0]), drive.scene_xy(DRAWN[1])], atol=0.011
    )


def test_delete_lane_auto_slots_and_copy_from_previous(make_window, demo_root, driver) -> None:
    window = make_window(demo_root)
    panel = window.label_panel
    drive = driver(panel.canvas)
    first = panel.document
    assert len(first.lanes) >= 2, "the demo image should have lanes"
    # Click on a lane (on its curve, between vertices) selects it; Shift+Delete removes it.
    lane = first.lanes[0]
    drive.click(hit.curve_hit(lane.points, tuple(lane.points[len(lane) // 2])).point)
    assert panel.canvas.selected_lane == 0
    drive.key(Qt.Key.Key_Delete, Qt.KeyboardModifier.ShiftModifier)
    assert len(first.lanes) == len(first.saved_lanes) - 1
    # L walks through the lanes.
    panel.canvas.select_lane(None)
    drive.key(Qt.Key.Key_L)
    assert panel.canvas.selected_lane == 0
    drive.key(Qt.Key.Key_L)
    assert panel.canvas.selected_lane == 1 % len(first.lanes)
    # S re-slots the remaining lanes by the core rule.
    panel.canvas.select_lane(0)
    drive.key(Qt.Key.Key_0)
    assert first.lanes[0].slot is None
    drive.key(Qt.Key.Key_S)
    assert first.lanes == first.lanes.with_auto_slots()
    kept = first.lanes
    # Next image, then C copies the previous image's lanes (undoable in one step).
    drive.key(Qt.Key.Key_D)
    second = panel.document
    drive.key(Qt.Key.Key_C)
    assert second.lanes == kept
    drive.key(Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert second.lanes == second.saved_lanes
