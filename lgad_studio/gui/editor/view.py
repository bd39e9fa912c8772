"""A graphics view that zooms (wheel, fit, 1:1) and pans (middle drag, Space + drag).

It knows nothing about lanes: :class:`~lgad_studio.gui.editor.canvas.LaneCanvas`
builds the editing on top. Zoom is the view's scale (screen pixels per image
pixel); the view stays in "fit" mode, refitting on resize, until the user zooms.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent, QPainter, QWheelEvent
from PySide6.QtWidgets import QGraphicsScene, QGraphicsView, QWidget

MIN_ZOOM, MAX_ZOOM = 0.02, 64.0
WHEEL_STEP = 1.25  # zoom factor per wheel notch (120 units); trackpads give fractions of it


class ZoomPanView(QGraphicsView):
    """Zoom and pan over a scene whose unit is one image pixel."""

    cursor_moved = Signal(float, float)  # scene (= xy_image) coordinates
    zoom_changed = Signal(float)

    def __init__(self, scene: QGraphicsScene, parent: QWidget | None = None) -> None:
        super().__init__(scene, parent)
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        # Anchoring is done by hand (zoom_by's ``at``): Qt's AnchorUnderMouse follows the
        # last *mouse move*, not the wheel event, and drifts under trackpads and tests.
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setBackgroundBrush(Qt.GlobalColor.darkGray)
        # Panning is a drag (empty space, middle button, Space): scroll bars only take room.
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._fit_mode = True
        self._pan_from: QPoint | None = None
        self._space_down = False

    # -- zoom ------------------------------------------------------------------------------
    @property
    def zoom(self) -> float:
        return self.transform().m11()

    def fit(self) -> None:
        """Show the whole content rectangle, and keep doing so when the view is resized."""
        self._fit_mode = True
        rect = self.content_rect()
        if rect.isEmpty():
            return
        self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        self.zoom_changed.emit(self.zoom)

    def set_zoom(self, zoom: float, *, at: QPointF | None = None) -> None:
        """Absolute zoom (1.0 = one screen pixel per image pixel).

        The scene point under viewport position ``at`` (default: the view centre)
        stays where it is.
        """
        at = QPointF(self.viewport().rect().center()) if at is None else at
        anchor = self.to_scene(at)
        zoom = min(MAX_ZOOM, max(MIN_ZOOM, zoom))
        self._fit_mode = False
        factor = zoom / self.zoom
        self.scale(factor, factor)
        drift = self.mapFromScene(anchor) - at.toPoint()
        self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() + drift.x())
        self.verticalScrollBar().setValue(self.verticalScrollBar().value() + drift.y())
        self.zoom_changed.emit(self.zoom)

    def zoom_by(self, factor: float, *, at: QPointF | None = None) -> None:
        self.set_zoom(self.zoom * factor, at=at)

    def content_rect(self) -> QRectF:
        """What "fit" shows; the canvas overrides it with the image rectangle."""
        return self.sceneRect()

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 (Qt override)
        delta = event.angleDelta().y() or event.pixelDelta().y()
        if delta:
            self.zoom_by(WHEEL_STEP ** (delta / 120.0), at=event.position())
        event.accept()

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        if self._fit_mode:
            self.fit()

    # -- pan -------------------------------------------------------------------------------
    def start_pan(self, pos: QPoint) -> None:
        self._pan_from = pos
        self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)

    @property
    def panning(self) -> bool:
        return self._pan_from is not None

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        middle = event.button() == Qt.MouseButton.MiddleButton
        if middle or (event.button() == Qt.MouseButton.LeftButton and self._space_down):
            self.start_pan(event.position().toPoint())
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        scene_pos = self.scene_pos(event)
        self.cursor_moved.emit(scene_pos.x(), scene_pos.y())
        if self._pan_from is not None:
            pos = event.position().toPoint()
            delta = pos - self._pan_from
            self._pan_from = pos
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - delta.x())
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - delta.y())
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._pan_from is not None:
            self._pan_from = None
            self.viewport().unsetCursor()
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space_down = True
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
            event.accept()
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space_down = False
            self.viewport().unsetCursor()
            event.accept()
            return
        super().keyReleaseEvent(event)

    def scene_pos(self, event: QMouseEvent) -> QPointF:
        """The event's position in scene coordinates, keeping sub-pixel precision."""
        return self.to_scene(event.position())

    def to_scene(self, viewport_pos: QPointF) -> QPointF:
        inverse, _ok = self.viewportTransform().inverted()
        return inverse.map(QPointF(viewport_pos))
