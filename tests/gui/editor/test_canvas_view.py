"""Canvas view: fit / 1:1 / wheel zoom, cursor position in image pixels, label-map overlay."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt

from lgad_studio.core.formats.culane_lines import render_label_map


def test_zoom_fit_one_to_one_and_wheel(make_window, demo_root, driver, qtbot) -> None:
    window = make_window(demo_root)
    canvas = window.label_panel.canvas
    drive = driver(canvas)
    width, height = window.label_panel.document.lanes.image_size
    drive.key(Qt.Key.Key_F)
    fitted = canvas.zoom
    shown = canvas.mapFromScene(canvas.content_rect()).boundingRect()
    viewport = canvas.viewport().rect()
    assert shown.width() <= viewport.width() + 2 and shown.height() <= viewport.height() + 2
    assert max(shown.width() / viewport.width(), shown.height() / viewport.height()) > 0.9
    drive.key(Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert canvas.zoom == 1.0
    qtbot.wait(10)  # let the status bar settle: its relayout may resize the canvas
    centre = canvas.viewport().rect().center()
    under = canvas.mapToScene(centre)
    from PySide6.QtGui import QWheelEvent

    event = QWheelEvent(
        QPointF(centre),
        QPointF(canvas.mapToGlobal(centre)),
        QPoint(0, 0),
        QPoint(0, 120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    canvas.wheelEvent(event)
    assert abs(canvas.zoom - 1.25) < 1e-9
    after = canvas.mapToScene(centre)
    assert abs(after.x() - under.x()) < 2 and abs(after.y() - under.y()) < 2  # zoom at the cursor
    assert window.label_panel.zoom_label.text() == "125 %"
    assert fitted < 1.0 and (width, height) == (1640, 590)


def test_status_bar_shows_the_cursor_in_image_pixels(make_window, demo_root, qtbot) -> None:
    window = make_window(demo_root)
    canvas = window.label_panel.canvas
    canvas.set_zoom(1.0)
    canvas.centerOn(400, 300)
    qtbot.wait(10)
    pos = canvas.mapFromScene(QPointF(400, 300))
    qtbot.mouseMove(canvas.viewport(), pos=pos)
    qtbot.waitUntil(lambda: "x" in window.label_panel.position_label.text())
    text = window.label_panel.position_label.text().split()
    assert abs(float(text[1]) - 400) <= 1 and abs(float(text[3]) - 300) <= 1


def test_label_map_overlay_is_the_core_rendering(make_window, demo_root, driver) -> None:
    window = make_window(demo_root)
    panel = window.label_panel
    driver(panel.canvas).key(Qt.Key.Key_M)
    assert panel.canvas.overlay_visible
    image = panel.canvas._overlay.item.pixmap().toImage()
    from lgad_studio.core.label_input import DEFAULT_LABEL_LINE_WIDTH

    expected = render_label_map(panel.document.lanes, line_width=round(DEFAULT_LABEL_LINE_WIDTH))
    assert (image.width(), image.height()) == (expected.shape[1], expected.shape[0])
    # the teacher's 30-px lines, not CULane's 16-px masks: a pixel only the wide line covers
    thin = render_label_map(panel.document.lanes, line_width=16)
    wy, wx = np.nonzero((expected > 0) & (thin == 0))
    assert len(wy) and image.pixelColor(int(wx[0]), int(wy[0])).alpha() >= 190
    ys, xs = np.nonzero(expected)
    y, x = int(ys[len(ys) // 2]), int(xs[len(xs) // 2])
    # Lanes nearly opaque in their slot colour; the rest darkened (not hidden) so they stand out.
    from lgad_studio.gui.editor.items import SLOT_COLOURS

    lane = image.pixelColor(x, y)
    slot = int(expected[y, x])
    assert lane.alpha() >= 190
    assert lane.toRgb().name() == SLOT_COLOURS[slot].name()
    assert expected[5, 5] == 0
    background = image.pixelColor(5, 5)
    assert 0 < background.alpha() < 128 and background.red() == background.green() == 0


def test_dragging_empty_space_or_with_the_middle_button_pans(make_window, demo_root, qtbot) -> None:
    window = make_window(demo_root)
    canvas = window.label_panel.canvas
    canvas.set_zoom(2.0)
    canvas.centerOn(820, 60)  # the sky: no lane under the cursor
    qtbot.wait(10)
    viewport = canvas.viewport()
    start = canvas.mapFromScene(QPointF(820, 60))
    before = canvas.mapToScene(start)
    for button in (Qt.MouseButton.LeftButton, Qt.MouseButton.MiddleButton):
        qtbot.mousePress(viewport, button, pos=start)
        qtbot.mouseMove(viewport, pos=start + QPoint(40, 0))
        qtbot.mouseRelease(viewport, button, pos=start + QPoint(40, 0))
    after = canvas.mapToScene(start)
    assert after.x() == pytest.approx(before.x() - 40, abs=1.5)  # 80 screen px at zoom 2
    assert window.label_panel.document.undo_stack.count() == 0  # panning edits nothing
