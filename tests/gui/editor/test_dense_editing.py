"""Editing dense CULane labels (issue 11, item 17): few control points, untouched lanes kept
byte for byte, whole-lane moves and bends, the rubber band, the draw-mode hint, and a pick
radius that stays the same on screen at every zoom."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, Qt

from lgad_studio.core.formats.dataset import open_dataset
from lgad_studio.core.geometry import spline_points
from lgad_studio.core.simplify import simplify_lane, spline_deviation
from lgad_studio.gui.editor import hit
from lgad_studio.gui.editor.items import HandleItem, RubberBandItem


def _handles(canvas) -> list[tuple[float, float]]:
    return [(i.pos().x(), i.pos().y()) for i in canvas.items() if isinstance(i, HandleItem)]


def _max_turn(points: np.ndarray) -> float:
    """The sharpest turn (radians) between consecutive segments of the lane's spline, each
    segment about 2 px: what a kink looks like."""
    from lgad_studio.core.simplify import curve, resampled

    pts = resampled(curve(points), step=2.0)
    heading = np.unwrap(np.arctan2(*np.diff(pts, axis=0).T[::-1]))
    return float(np.abs(np.diff(heading)).max())


def _dense_lane(panel) -> int:
    lanes = panel.document.lanes
    return max(range(len(lanes)), key=lambda i: len(lanes[i]))


def test_a_dense_lane_is_edited_through_few_control_points(make_window, demo_root, driver):
    window = make_window(demo_root)
    panel = window.label_panel
    canvas, document = panel.canvas, panel.document
    path = open_dataset(demo_root).lines_path(document.entry)
    original = path.read_bytes()
    index = _dense_lane(panel)
    lane = document.lanes[index]
    assert len(lane) >= 15 and lane.source is not None  # a CULane lane: a vertex every 10 rows
    canvas.select_lane(index)
    controls = simplify_lane(lane.points, tolerance_px=1.0).points
    assert len(_handles(canvas)) == len(controls) <= 6
    np.testing.assert_allclose(sorted(_handles(canvas)), sorted(map(tuple, controls)))
    assert "control points (of" in panel.lane_label.text()
    assert not document.is_dirty  # showing control points changes nothing

    drive = driver(canvas)
    middle = len(controls) // 2 if len(controls) > 2 else 1
    grab = tuple(controls[middle]) if len(controls) > 2 else tuple(controls[-1])
    target = (grab[0] + 30.0, grab[1])
    drive.drag(grab, target)
    edited = document.lanes[index]
    assert edited.source is None and len(edited) == len(controls)  # the lane became its controls
    assert document.undo_stack.undoText() == "Move vertex"
    np.testing.assert_allclose(edited.points[[0, -1]], controls[[0, -1]])  # the ends stay
    # The lane bends smoothly: moving one of the dense file vertices as far makes a kink.
    nearest = int(np.argmin(np.hypot(*(lane.points - grab).T)))
    kinked = lane.points.copy()
    kinked[nearest, 0] += 30.0
    assert _max_turn(edited.points) < _max_turn(kinked) / 3
    drive.key(Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    lines, old_lines = path.read_bytes().splitlines(), original.splitlines()
    changed = [i for i, (a, b) in enumerate(zip(lines, old_lines, strict=True)) if a != b]
    assert len(changed) == 1  # every untouched lane is written back byte for byte
    drive.key(Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    drive.key(Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert path.read_bytes() == original  # undone: the file is the original again


def test_dragging_a_lane_moves_it_and_shift_dragging_bends_it(make_window, demo_root, driver):
    window = make_window(demo_root)
    panel = window.label_panel
    canvas, document = panel.canvas, panel.document
    drive = driver(canvas)
    index = _dense_lane(panel)
    lane = document.lanes[index]
    controls = canvas.control_points(index)
    # A point on the curve between control points (not on a handle).
    on_curve = hit.curve_hit(controls, tuple((controls[0] + controls[1]) / 2)).point
    drive.click(on_curve)
    assert canvas.selected_lane == index and not document.is_dirty  # a click only selects
    start = drive.scene_xy(on_curve)
    target = (on_curve[0] + 40.0, on_curve[1] - 25.0)
    end = drive.scene_xy(target)
    drive.drag(on_curve, target)
    assert document.undo_stack.undoText() == "Move lane"
    delta = np.subtract(end, start)
    np.testing.assert_allclose(document.lanes[index].points, controls + delta, atol=0.011)
    assert spline_deviation(document.lanes[index].points - delta, lane.points) <= 1.0 + 0.02
    drive.key(Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert document.lanes == document.saved_lanes

    grab = hit.curve_hit(controls, tuple((controls[0] + controls[-1]) / 2)).point
    pulled = (grab[0] + 35.0, grab[1])
    drive.drag(grab, pulled, modifier=Qt.KeyboardModifier.ShiftModifier)
    assert document.undo_stack.undoText() == "Bend lane"
    bent = document.lanes[index].points
    np.testing.assert_allclose(bent[[0, -1]], controls[[0, -1]], atol=0.011)  # the ends stay
    curve = spline_points(bent).astype(float)
    assert np.min(np.hypot(*(curve - drive.scene_xy(pulled)).T)) < 1.5  # the grab follows


def test_drawing_shows_a_rubber_band_and_a_hint(make_window, demo_root, driver, qtbot):
    window = make_window(demo_root)
    panel = window.label_panel
    canvas = panel.canvas
    drive = driver(canvas)
    assert panel.hint_label.text() == ""
    drive.key(Qt.Key.Key_N)
    assert "Drawing a lane (0 vertices)" in panel.hint_label.text()
    assert "Esc cancels" in panel.hint_label.text()
    drive.click((300.0, 80.0))
    assert "(1 vertex)" in panel.hint_label.text() and "Enter" not in panel.hint_label.text()
    for cursor in ((600.0, 140.0), (700.0, 100.0)):
        drive.move(cursor)
        bands = [i for i in canvas.items() if isinstance(i, RubberBandItem)]
        assert len(bands) == 1 and bands[0].pen().style() == Qt.PenStyle.DashLine
        end = bands[0].path().currentPosition()
        assert (
            np.hypot(end.x() - drive.scene_xy(cursor)[0], end.y() - drive.scene_xy(cursor)[1]) < 1
        )
    drive.click((700.0, 100.0))
    assert "(2 vertices)" in panel.hint_label.text() and "Enter" in panel.hint_label.text()
    drive.move((1000.0, 60.0))  # with two vertices the band follows the spline to the cursor
    band = next(i for i in canvas.items() if isinstance(i, RubberBandItem))
    assert band.path().elementCount() > 3
    drive.key(Qt.Key.Key_Return)
    assert panel.hint_label.text() == ""
    assert not [i for i in canvas.items() if isinstance(i, RubberBandItem)]


def test_the_pick_radius_is_the_same_on_screen_at_every_zoom(make_window, demo_root, qtbot):
    window = make_window(demo_root)
    canvas = window.label_panel.canvas
    lanes = window.label_panel.document.lanes
    index = _dense_lane(window.label_panel)
    curve = spline_points(lanes[index].points).astype(float)
    x, y = curve[len(curve) // 2]
    for zoom in (0.25, 1.0, 4.0):
        canvas.set_zoom(zoom)
        canvas.centerOn(QPointF(x, y))
        on_screen = canvas.mapFromScene(QPointF(x, y))
        for offset, picked in ((6, True), (16, False)):
            canvas.select_lane(None)
            pos = on_screen + type(on_screen)(offset, 0)
            scene = canvas.mapToScene(pos)
            nearest = min(
                (
                    hit.curve_hit(lane.points, (scene.x(), scene.y()))
                    or hit.CurveHit(1e9, 0, (0, 0))
                ).distance
                for lane in lanes
            )
            if not picked and nearest * zoom < 15:  # another lane is that close: skip
                continue
            qtbot.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton, pos=pos)
            assert (canvas.selected_lane is not None) == picked, (zoom, offset)


def test_the_tolerance_is_a_preference(make_window, demo_root, dialogs, qtbot):
    from PySide6.QtWidgets import QDoubleSpinBox

    from lgad_studio.gui.settings import StudioSettings

    window = make_window(demo_root)
    panel = window.label_panel
    index = _dense_lane(panel)
    panel.canvas.select_lane(index)
    coarse = len(_handles(panel.canvas))

    dialogs.answer("OK", before=lambda box: box.findChild(QDoubleSpinBox).setValue(0.25))
    panel.actions["preferences"].trigger()
    assert dialogs.seen == ["Preferences — LGAD Studio"]
    assert StudioSettings().simplify_tolerance_px() == 0.25
    panel.canvas.select_lane(index)
    assert len(_handles(panel.canvas)) > coarse
    assert not panel.document.is_dirty
