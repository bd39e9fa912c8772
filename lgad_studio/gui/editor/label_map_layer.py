"""The label-map overlay of the canvas (M): what the teacher sees, drawn over the image.

The map is core's ``render_label_map`` of the shown lanes at the teacher's line width
(:data:`~lgad_studio.core.label_input.DEFAULT_LABEL_LINE_WIDTH`, the metric's 30 px),
pixel for pixel, in the image's own frame (offset by half a pixel like the image, see
``docs/adr/coordinate-frames.md``); it is re-rendered only while visible.
"""

from __future__ import annotations

from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QGraphicsPixmapItem, QGraphicsScene

from lgad_studio.core.formats.culane_lines import render_label_map
from lgad_studio.core.label_input import DEFAULT_LABEL_LINE_WIDTH
from lgad_studio.core.lanes import LaneSet
from lgad_studio.gui.editor.items import Z_OVERLAY, label_map_rgba


class LabelMapLayer:
    """One pixmap item in the canvas's scene, hidden until shown."""

    def __init__(self, scene: QGraphicsScene) -> None:
        self.item = QGraphicsPixmapItem()
        self.item.setOffset(-0.5, -0.5)
        self.item.setZValue(Z_OVERLAY)
        self.item.setVisible(False)
        scene.addItem(self.item)

    @property
    def visible(self) -> bool:
        return self.item.isVisible()

    def set_visible(self, visible: bool, lanes: LaneSet | None) -> None:
        self.item.setVisible(visible)
        self.refresh(lanes)

    def refresh(self, lanes: LaneSet | None) -> None:
        """Render ``lanes`` (``None``: no document) if the overlay is shown."""
        if not self.item.isVisible() or lanes is None:
            return
        label = render_label_map(lanes, line_width=round(DEFAULT_LABEL_LINE_WIDTH))
        rgba = label_map_rgba(label)
        image = QImage(
            rgba.data, rgba.shape[1], rgba.shape[0], rgba.strides[0], QImage.Format.Format_RGBA8888
        )
        self.item.setPixmap(QPixmap.fromImage(image))
