"""Painting of lanes on the canvas: slot colours, spline paths, vertex handles, proposals.

Items live in the scene's coordinate frame, which *is* ``xy_image`` (see
``docs/adr/coordinate-frames.md``). Lines use cosmetic pens and handles ignore
the view transform, so they keep their on-screen size at every zoom.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsRectItem,
    QGraphicsSimpleTextItem,
    QStyleOptionGraphicsItem,
    QWidget,
)

from lgad_studio.core.geometry import SAMPLES_PER_SEGMENT, finite_points, spline_points
from lgad_studio.gui.palette import SLOT_HEX

# Slot 1-4 colours from the Okabe-Ito palette (readable for colour-blind users), none of
# them white or yellow like lane paint; every line has a dark halo. None = no slot.
SLOT_COLOURS: dict[int | None, QColor] = {slot: QColor(hex_) for slot, hex_ in SLOT_HEX.items()}
HALO = QColor(0, 0, 0, 170)
HANDLE_PX = 9  # on-screen size of a vertex handle
DRAW_STEP_PX = 2.0  # spacing of the drawn spline samples, in image pixels
LINE_PX = 2.0
SELECTED_LINE_PX = 3.5

Z_IMAGE, Z_OVERLAY, Z_LANE, Z_PROPOSAL, Z_DRAFT, Z_HANDLE = 0, 1, 10, 11, 20, 30


OVERLAY_ALPHA = 200  # the label map's lanes: clearly visible over any road
OVERLAY_DIM = 110  # the image outside the label map is darkened so that the bands stand out


def _overlay_lut() -> np.ndarray:
    """RGBA per label value: slot colours nearly opaque, background a translucent black."""
    lut = np.zeros((256, 4), dtype=np.uint8)
    lut[0] = (0, 0, 0, OVERLAY_DIM)
    for slot in range(1, 5):
        colour = SLOT_COLOURS[slot]
        lut[slot] = (colour.red(), colour.green(), colour.blue(), OVERLAY_ALPHA)
    return lut


_OVERLAY_LUT = _overlay_lut()


def label_map_rgba(label: np.ndarray) -> np.ndarray:
    """A label map (``uint8 [H, W]``, slots 0-4) as the overlay's C-contiguous ``uint8 [H, W, 4]``."""
    return np.ascontiguousarray(_OVERLAY_LUT[label])


def slot_colour(slot: int | None) -> QColor:
    return SLOT_COLOURS.get(slot, SLOT_COLOURS[None])


def display_samples(points: np.ndarray) -> int:
    """Spline samples per segment for drawing: about one per 2 image px of the longest chord.

    The samples lie on the evaluator's spline whatever their number; the evaluator's 50
    per segment would put 1,500 points on a CULane lane with vertices every 10 px and make
    every repaint stroke them all.
    """
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    if len(pts) < 3:
        return 1
    longest = float(np.nanmax(np.hypot(*np.diff(pts, axis=0).T)))
    return int(np.clip(np.ceil(longest / DRAW_STEP_PX), 2, SAMPLES_PER_SEGMENT))


def curve_path(points: np.ndarray, *, tail: tuple[float, float] | None = None) -> QPainterPath:
    """The evaluator's spline through ``points`` (``(N, 2)`` xy_image) as a painter path.

    ``tail`` adds a straight segment from the last vertex (the draft's rubber band).
    """
    path = QPainterPath()
    samples = display_samples(points)
    curve = (
        finite_points(spline_points(points, samples_per_segment=samples))
        if len(points)
        else np.zeros((0, 2))
    )
    if len(curve):
        path.moveTo(float(curve[0, 0]), float(curve[0, 1]))
        for x, y in curve[1:]:
            path.lineTo(float(x), float(y))
        if tail is not None:
            path.lineTo(*tail)
    return path


class HaloPathItem(QGraphicsPathItem):
    """A path stroked with its pen over a dark halo 2.5 px wider, so it reads on any image."""

    def set_pens(self, pen: QPen) -> None:
        self.setPen(pen)
        self._halo = QPen(HALO, pen.widthF() + 2.5)
        self._halo.setCosmetic(True)

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.strokePath(self.path(), self._halo)
        painter.strokePath(self.path(), self.pen())


class LaneItem(HaloPathItem):
    """One lane (or proposed lane) drawn with a dark halo so it reads on any image."""

    def __init__(
        self,
        points: np.ndarray,
        slot: int | None,
        *,
        selected: bool = False,
        proposed: bool = False,
        tail: tuple[float, float] | None = None,
    ) -> None:
        super().__init__(curve_path(points, tail=tail))
        self.slot = slot
        self.proposed = proposed
        width = SELECTED_LINE_PX if selected else LINE_PX
        pen = QPen(slot_colour(slot), width)
        pen.setCosmetic(True)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        if proposed:
            pen.setStyle(Qt.PenStyle.DashLine)
        self.set_pens(pen)
        self.setZValue(Z_PROPOSAL if proposed else Z_LANE)


class RubberBandItem(HaloPathItem):
    """While drawing: the last spline segment as it would be with a vertex at the cursor,
    dashed from the last clicked vertex to the cursor."""

    def __init__(self, points: np.ndarray, cursor: tuple[float, float]) -> None:
        pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        with_cursor = np.vstack([pts, np.asarray(cursor, dtype=np.float64)[None, :]])
        if len(pts) >= 2 and not np.array_equal(pts[-1], with_cursor[-1]):
            curve = finite_points(spline_points(with_cursor)).astype(np.float64)
            tail = curve[(len(pts) - 1) * SAMPLES_PER_SEGMENT :]
        else:
            tail = with_cursor[-2:]
        path = QPainterPath()
        path.moveTo(float(tail[0, 0]), float(tail[0, 1]))
        for x, y in tail[1:]:
            path.lineTo(float(x), float(y))
        super().__init__(path)
        self.cursor = (float(cursor[0]), float(cursor[1]))
        pen = QPen(slot_colour(None), SELECTED_LINE_PX)
        pen.setCosmetic(True)
        pen.setStyle(Qt.PenStyle.DashLine)
        self.set_pens(pen)


class HandleItem(QGraphicsRectItem):
    """A vertex handle: a small square of fixed on-screen size centred on the vertex."""

    def __init__(self, x: float, y: float, colour: QColor, *, current: bool = False) -> None:
        half = HANDLE_PX / 2
        super().__init__(QRectF(-half, -half, HANDLE_PX, HANDLE_PX))
        self.setPos(QPointF(x, y))
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.setPen(QPen(QColor("black"), 1))
        self.setBrush(QBrush(QColor("white") if current else colour))
        self.setZValue(Z_HANDLE)


class SlotLabelItem(QGraphicsSimpleTextItem):
    """The slot number ("1".."4", "?" without a slot) next to a lane's lowest vertex, or
    ``text`` (a proposed lane's name, "P1"…)."""

    def __init__(self, points: np.ndarray, slot: int | None, *, text: str | None = None) -> None:
        super().__init__(text if text is not None else "?" if slot is None else str(slot))
        font = QFont()
        font.setBold(True)
        font.setPointSize(11)
        self.setFont(font)
        self.setBrush(QBrush(slot_colour(slot)))
        self.setPen(QPen(HALO, 0.8))
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        pts = finite_points(np.asarray(points))
        x, y = pts[int(np.argmax(pts[:, 1]))] if len(pts) else (0.0, 0.0)
        self.setPos(QPointF(float(x) + 6, float(y) - 22))
        self.setZValue(Z_HANDLE)


def scene_items(
    lanes,
    *,
    selected: int | None,
    handles: np.ndarray | None,
    current_vertex: int | None,
    proposal=None,
    selected_proposal: int | None = None,
    draft: np.ndarray | None = None,
    cursor: tuple[float, float] | None = None,
) -> list[QGraphicsItem]:
    """Every item the canvas shows over the image: lanes and their slot numbers, the selected
    lane's ``handles`` (its control points), proposed lanes (dashed, named P1…, the selected
    one wider), and the lane being drawn (``draft`` vertices) with its rubber band to ``cursor``."""
    items: list[QGraphicsItem] = []
    for index, lane in enumerate(lanes):
        items.append(LaneItem(lane.points, lane.slot, selected=index == selected))
        if len(lane):
            items.append(SlotLabelItem(lane.points, lane.slot))
        if index == selected and handles is not None:
            colour = slot_colour(lane.slot)
            for v, (x, y) in enumerate(handles):
                items.append(HandleItem(x, y, colour, current=v == current_vertex))
    for index, lane in enumerate(proposal or ()):
        chosen = index == selected_proposal
        items.append(LaneItem(lane.points, lane.slot, proposed=True, selected=chosen))
        if len(lane):
            name = SlotLabelItem(lane.points, lane.slot, text=f"P{index + 1}")
            name.setPos(name.pos() + QPointF(0, 18))  # under the slot number of a lane it matches
            items.append(name)
    if draft is not None and len(draft):
        line = LaneItem(draft, None, selected=True)
        line.setZValue(Z_DRAFT)
        items.append(line)
        if cursor is not None:
            # The rubber band: the spline as it would be with a vertex at the cursor, dashed.
            band = RubberBandItem(draft, cursor)
            band.setZValue(Z_DRAFT)
            items.append(band)
        items.extend(HandleItem(x, y, slot_colour(None)) for x, y in draft)
    return items
