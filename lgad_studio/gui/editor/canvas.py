"""The editing canvas: one image, its lanes as evaluator splines, and the mouse/keyboard edits.

Scene coordinates are ``xy_image``: the pixmap is offset by half a pixel so that
pixel ``(i, j)`` is centred on the integer point ``(i, j)``, exactly where a
CULane vertex ``(i, j)`` lands when the evaluator rasterises it (see
``docs/adr/coordinate-frames.md``). The canvas never changes lanes itself: every
edit becomes a new ``LaneSet`` handed to :meth:`LabelDocument.apply`, which owns
undo. While a vertex or a lane is dragged only the drawing follows the mouse; the
edit is applied once, on release (:mod:`~lgad_studio.gui.editor.gestures`).

Handles are a lane's *control points* (:func:`edits.control_points`): a dense lane
read from a CULane file is shown with the few vertices whose spline stays within
the tolerance of its own, and it keeps its file line until one of them is moved.
Picking works in screen pixels: the radius is a fixed on-screen distance divided
by the zoom, so a lane is as easy to hit at 10 % as at 800 %.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from PySide6.QtCore import QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QKeyEvent, QMouseEvent, QPixmap
from PySide6.QtWidgets import (
    QApplication,
    QGraphicsItem,
    QGraphicsPixmapItem,
    QGraphicsScene,
    QWidget,
)

from lgad_studio.core.lanes import LaneSet
from lgad_studio.core.simplify import DEFAULT_TOLERANCE_PX
from lgad_studio.gui.editor import edits, gestures, hit
from lgad_studio.gui.editor.canvas_proposals import ProposalSelection
from lgad_studio.gui.editor.document import LabelDocument
from lgad_studio.gui.editor.draft import LaneDraft
from lgad_studio.gui.editor.gestures import ControlPoints
from lgad_studio.gui.editor.items import HANDLE_PX, scene_items
from lgad_studio.gui.editor.label_map_layer import LabelMapLayer
from lgad_studio.gui.editor.view import ZoomPanView


class LaneCanvas(ProposalSelection, ZoomPanView):
    """Shows one document's lanes over its image and turns mouse gestures into edits."""

    selection_changed = Signal()
    drawing_changed = Signal(bool)
    draft_changed = Signal()  # a vertex was added to or removed from the lane being drawn
    accept_requested = Signal(bool)  # Enter (Shift+Enter: replacing matching lanes)
    discard_requested = Signal()  # Esc with a proposal shown
    proposal_selection_changed = Signal()
    proposal_menu_requested = Signal(int, QPoint)  # proposal index, global position

    def __init__(self, parent: QWidget | None = None) -> None:
        # The view does not own a scene it did not create, so keep the reference (else: blank view).
        self._scene = QGraphicsScene()
        super().__init__(self._scene, parent)
        self._image_item = QGraphicsPixmapItem()
        self._image_item.setOffset(-0.5, -0.5)
        self._image_item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self._scene.addItem(self._image_item)
        self._overlay = LabelMapLayer(self._scene)
        self._items: list[QGraphicsItem] = []
        self._document: LabelDocument | None = None
        self._image_size = (0, 0)
        self.selected_lane: int | None = None
        self.selected_vertex: int | None = None
        self.selected_proposal: int | None = None  # index into the document's shown proposals
        self._draft: LaneDraft | None = None
        self._hover: tuple[float, float] | None = None
        self._drag: gestures.LaneDrag | None = None  # what the mouse button holds
        self._drag_from: QPoint | None = None  # where it was pressed (viewport px)
        self._dragged: LaneSet | None = None  # what the lanes become if the drag ends here
        self._controls = ControlPoints(tolerance_px=DEFAULT_TOLERANCE_PX)

    # -- content ---------------------------------------------------------------------------
    @property
    def document(self) -> LabelDocument | None:
        return self._document

    def set_image(self, rgb: np.ndarray | None, *, size: tuple[int, int]) -> None:
        """Show ``rgb`` (``uint8 [H, W, 3]``), or a grey placeholder of ``size`` when ``None``."""
        if rgb is None:
            pixmap = QPixmap(*size)
            pixmap.fill(QColor("#3a3a3a"))
        else:
            rgb = np.ascontiguousarray(rgb)
            height, width = rgb.shape[:2]
            image = QImage(rgb.data, width, height, rgb.strides[0], QImage.Format.Format_RGB888)
            pixmap = QPixmap.fromImage(image)  # copies: rgb may be freed afterwards
        self._image_item.setPixmap(pixmap)
        self._image_size = (pixmap.width(), pixmap.height())
        margin = 0.1 * max(self._image_size)
        self.setSceneRect(self.content_rect().adjusted(-margin, -margin, margin, margin))
        if self._fit_mode:
            self.fit()

    def content_rect(self) -> QRectF:
        width, height = self._image_size
        return QRectF(-0.5, -0.5, width, height)

    def set_document(self, document: LabelDocument | None) -> None:
        if self._document is not None:
            self._document.lanes_changed.disconnect(self._on_document_lanes_changed)
            self._document.proposal_changed.disconnect(self._on_document_proposal_changed)
        self._document = document
        self._draft = None
        self._drag = self._dragged = self._drag_from = None
        self._controls.clear()
        self.selected_lane = self.selected_vertex = self.selected_proposal = None
        if document is not None:
            document.lanes_changed.connect(self._on_document_lanes_changed)
            document.proposal_changed.connect(self._on_document_proposal_changed)
        self._refresh_overlay()
        self._rebuild()
        self.drawing_changed.emit(False)
        self.selection_changed.emit()

    @property
    def lanes(self) -> LaneSet:
        return self._document.lanes if self._document is not None else LaneSet()

    # -- label-map overlay -----------------------------------------------------------------
    def set_overlay_visible(self, visible: bool) -> None:
        self._overlay.set_visible(visible, self.lanes if self._document is not None else None)

    @property
    def overlay_visible(self) -> bool:
        return self._overlay.visible

    def _refresh_overlay(self) -> None:
        # Rendered by core exactly as the trainer renders it: the lanes' own image frame.
        self._overlay.refresh(self.lanes if self._document is not None else None)

    # -- drawing the lanes -----------------------------------------------------------------
    def _on_document_lanes_changed(self) -> None:
        count = len(self.lanes)
        if self.selected_lane is not None and self.selected_lane >= count:
            self.selected_lane = None
        index = self.selected_lane
        controls = self.control_points(index) if index is not None else None
        if controls is None or (
            self.selected_vertex is not None and self.selected_vertex >= len(controls)
        ):
            self.selected_vertex = None
        self._refresh_overlay()
        self._on_document_proposal_changed()
        self.selection_changed.emit()

    def _rebuild(self, lanes: LaneSet | None = None) -> None:
        """Recreate every lane item (a handful per image: cheaper than diffing them)."""
        for item in self._items:
            self._scene.removeItem(item)
        lanes = self.lanes if lanes is None else lanes
        selected = self.selected_lane
        self._items = scene_items(
            lanes,
            selected=selected,
            handles=self._controls.of(lanes[selected]) if selected is not None else None,
            current_vertex=self.selected_vertex,
            proposal=self._document.proposal if self._document is not None else None,
            selected_proposal=self.selected_proposal,
            draft=self._draft.as_array() if self._draft is not None else None,
            cursor=self._hover,
        )
        for item in self._items:
            self._scene.addItem(item)

    # -- control points ---------------------------------------------------------------------
    def control_points(self, index: int) -> np.ndarray:
        """The handles of lane ``index`` (see :func:`edits.control_points`), computed once."""
        return self._controls.of(self.lanes[index])

    @property
    def tolerance_px(self) -> float:
        return self._controls.tolerance_px

    @tolerance_px.setter
    def tolerance_px(self, value: float) -> None:
        self._controls.set_tolerance(value)

    def editable(self, index: int) -> LaneSet:
        """The lanes with lane ``index`` as its control points: what geometric edits act on."""
        lanes = self.lanes
        controls = self.control_points(index)
        if controls is lanes[index].points:
            return lanes
        return edits.with_points(lanes, index, controls)

    def set_tolerance(self, tolerance_px: float) -> None:
        """Another simplification tolerance: handles are recomputed (lanes are not changed)."""
        self._controls.set_tolerance(tolerance_px)
        self.selected_vertex = None
        self._rebuild()

    # -- selection -------------------------------------------------------------------------
    def select_lane(self, index: int | None, vertex: int | None = None) -> None:
        self.selected_lane = index
        self.selected_vertex = vertex if index is not None else None
        self._rebuild()
        self.selection_changed.emit()

    def select_next_lane(self, step: int = 1) -> None:
        count = len(self.lanes)
        if count:
            current = -1 if self.selected_lane is None and step > 0 else (self.selected_lane or 0)
            self.select_lane((current + step) % count)

    # -- edits (each one a single undoable step) --------------------------------------------
    def _apply(self, lanes: LaneSet, text: str) -> None:
        if self._document is not None:
            self._document.apply(lanes, text)

    def delete_selected(self, *, whole_lane: bool = False) -> None:
        """Delete the selected vertex, or the selected lane when no vertex is selected."""
        index, vertex = self.selected_lane, self.selected_vertex
        if index is None:
            return
        self.selected_vertex = None
        if vertex is None or whole_lane:
            self.selected_lane = None
            self._apply(self.lanes.remove(index), "Delete lane")
        else:
            self._apply(edits.without_vertex(self.editable(index), index, vertex), "Delete vertex")

    def insert_vertex(self, index: int, xy: tuple[float, float]) -> bool:
        """Insert a control point on lane ``index`` where its curve passes nearest to ``xy``."""
        result = edits.with_vertex_inserted(self.editable(index), index, xy)
        if result is None:
            return False
        lanes, vertex = result
        self.selected_lane, self.selected_vertex = index, vertex
        self._apply(lanes, "Insert vertex")
        return True

    # -- drawing a new lane -----------------------------------------------------------------
    @property
    def is_drawing(self) -> bool:
        return self._draft is not None

    @property
    def draft(self) -> LaneDraft | None:
        return self._draft

    def start_drawing(self) -> None:
        if self._document is None:
            return
        self._draft = LaneDraft()
        self.select_lane(None)
        self.viewport().setCursor(Qt.CursorShape.CrossCursor)
        self.drawing_changed.emit(True)

    def cancel_drawing(self) -> None:
        if self._draft is not None:
            self._end_drawing()

    def finish_drawing(self) -> bool:
        """Commit the draft as a new lane (slot by the CULane rule when that slot is free)."""
        draft = self._draft
        if draft is None or not draft.can_finish:
            return False
        self._end_drawing()
        self.selected_lane, self.selected_vertex = len(self.lanes), None
        self._apply(edits.with_new_lane(self.lanes, draft.to_lane()), "Draw lane")
        return True

    def _end_drawing(self) -> None:
        self._draft = None
        self._hover = None
        self.viewport().unsetCursor()
        self._rebuild()
        self.drawing_changed.emit(False)

    # -- mouse -----------------------------------------------------------------------------
    def _ctx(self) -> hit.HitContext:
        return hit.HitContext(radius=HANDLE_PX / max(self.zoom, 1e-6))

    def _pick(self, xy: tuple[float, float]) -> tuple[int | None, int | None]:
        """(lane, control point) under ``xy``: the selected lane's handles first, then any lane."""
        lanes, ctx = self.lanes, self._ctx()
        if self.selected_lane is not None:
            vertex = hit.vertex_at(self.control_points(self.selected_lane), xy, ctx=ctx)
            if vertex is not None:
                return self.selected_lane, vertex
        index = hit.lane_at(lanes, xy, ctx=ctx)
        if index is None:
            return None, None
        return index, hit.vertex_at(self.control_points(index), xy, ctx=ctx)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        if event.button() != Qt.MouseButton.LeftButton or self._document is None:
            super().mousePressEvent(event)
            return
        xy = _xy(self.scene_pos(event))
        if self._draft is not None:
            self._draft = self._draft.added(*edits.rounded(xy))
            self._rebuild()
            self.draft_changed.emit()
        elif (p := self._proposal_at(xy)) is not None:
            self.select_proposal(p)
        else:
            index, vertex = self._pick(xy)
            if self.selected_proposal is not None:
                self.selected_proposal = None
                self.proposal_selection_changed.emit()
            self.select_lane(index, vertex)
            if index is not None and vertex is not None:
                self._drag = gestures.vertex_drag(self.editable(index), index, vertex, xy)
            elif index is not None:  # on the curve: a move (Shift: a bend) once it travels
                bend = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
                self._drag = gestures.lane_drag(self.editable(index), index, xy, bend=bend)
            else:
                self.start_pan(event.position().toPoint())
            self._drag_from = event.position().toPoint()
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        xy = _xy(self.scene_pos(event))
        drag = self._drag
        if drag is not None and not drag.active and self._drag_from is not None:
            travelled = (event.position().toPoint() - self._drag_from).manhattanLength()
            if travelled >= QApplication.startDragDistance():
                drag = self._drag = replace(drag, active=True)
        if drag is not None and drag.active:
            self._dragged = drag.result(xy)
            self._rebuild(self._dragged)
        elif self._draft is not None and len(self._draft):
            self._hover = xy
            self._rebuild()
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._drag is not None and event.button() == Qt.MouseButton.LeftButton:
            drag, dragged = self._drag, self._dragged
            self._drag = self._dragged = self._drag_from = None
            if drag.active and dragged is not None:
                if drag.kind != gestures.VERTEX:
                    self.selected_vertex = None
                self._apply(dragged, drag.undo_text)
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() != Qt.MouseButton.LeftButton or self._document is None:
            super().mouseDoubleClickEvent(event)
            return
        xy = _xy(self.scene_pos(event))
        if self._draft is not None:
            self._draft = self._draft.added(*edits.rounded(xy))  # no-op on the vertex just clicked
            self.finish_drawing()
        else:
            index = hit.lane_at(self.lanes, xy, ctx=self._ctx())
            on_vertex = (
                index is not None
                and hit.vertex_at(self.control_points(index), xy, ctx=self._ctx()) is not None
            )
            if index is not None and not on_vertex:
                self.insert_vertex(index, xy)
        event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if self._draft is not None:
                self.finish_drawing()
            elif self._document is not None:
                shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
                self.accept_requested.emit(shift)
        elif key == Qt.Key.Key_Escape:
            if self._draft is not None:
                self.cancel_drawing()
            elif self.selected_proposal is not None:
                self.select_proposal(None)
            elif self._document is not None and self._document.proposal is not None:
                self.discard_requested.emit()
            else:
                self.select_lane(None)
        elif key == Qt.Key.Key_Backspace and self._draft is not None:
            self._draft = self._draft.without_last()
            self._rebuild()
            self.draft_changed.emit()
        else:
            super().keyPressEvent(event)
            return
        event.accept()


def _xy(point: QPointF) -> tuple[float, float]:
    return (point.x(), point.y())
