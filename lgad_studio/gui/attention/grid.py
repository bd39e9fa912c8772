"""The attention grid: rows = models (teacher, students), columns = stages, zoom/pan synced.

Each cell is a pyqtgraph ``ViewBox`` holding the input image (``uint8 [H, W, 3]``,
optional) and, above it, the stage's attention map (any ``[h, w]``, stretched to the
image frame) drawn with a 256-entry LUT at fixed levels. All view boxes share one
coordinate frame and are kept in sync, so zooming or panning one moves them all.
Under each student cell: its distance to the teacher's map of the same stage.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Signal
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from lgad_studio.core.attention_render import (
    REFERENCE_ROW,
    caption,
    distances_to_reference,
    ordered_rows,
    render_attention_grid,
    write_attention_png,
)
from lgad_studio.core.errors import StudioError
from lgad_studio.gui.attention.display import heat_lut, to_uint8


class _Cell:
    """One grid cell's items; kept so a new preview only swaps images."""

    def __init__(self, view: pg.ViewBox, caption: pg.LabelItem) -> None:
        self.view = view
        self.caption = caption
        self.image = pg.ImageItem(axisOrder="row-major")
        self.heat = pg.ImageItem(axisOrder="row-major")
        self.lut: np.ndarray | None = None
        self.caption_text = ""
        view.addItem(self.image)
        view.addItem(self.heat)


class AttentionGrid(QWidget):
    """Grid of attention maps; ``set_maps`` fills it, ``export_png`` saves it."""

    exported = Signal(object)  # Path

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._has_image = False
        self._zoomed_once = False
        self._image: np.ndarray | None = None
        self._rows: tuple[str, ...] = ()
        self._stages: tuple[str, ...] = ()
        self._cells: list[list[_Cell]] = []
        self._distances: dict[str, list[float]] = {}
        self._maps: dict[str, list[np.ndarray]] = {}  # as given, for the PNG export
        self._frame = (1, 1)
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground("#202124")
        self.blend_box = QCheckBox("Blend over image")
        self.blend_box.setChecked(True)
        self.blend_box.toggled.connect(self._on_blend_toggled)
        self.reset_button = QPushButton("Reset zoom")
        self.reset_button.clicked.connect(self.reset_zoom)
        self.export_button = QPushButton("Export PNG…")
        self.export_button.clicked.connect(self._on_export_clicked)
        self.empty_label = QLabel("No attention maps yet.")
        bar = QHBoxLayout()
        bar.addWidget(self.blend_box)
        bar.addStretch(1)
        bar.addWidget(self.reset_button)
        bar.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.graphics, 1)
        self.export_button.setEnabled(False)

    # --- public API -------------------------------------------------------------------
    def set_maps(
        self,
        *,
        stages: Sequence[str],
        rows: Mapping[str, Sequence[np.ndarray]],
        image: np.ndarray | None = None,
    ) -> None:
        """Show ``rows[name][k]`` (``[h, w]``) for each row and stage ``k``; ``image`` ``uint8 [H, W, 3]``."""
        for name, maps in rows.items():
            if len(maps) != len(stages):
                raise ValueError(f"row {name!r} has {len(maps)} maps for {len(stages)} stages")
        # The reference row first, whatever order the producer used.
        names = ordered_rows(rows)
        if names != self._rows or tuple(stages) != self._stages:
            self._build(names, tuple(stages))
        frame = self._frame_size(rows, image)
        frame_changed, self._frame = frame != self._frame, frame
        rect = QRectF(0, 0, *frame)
        self._distances = distances_to_reference(rows)
        self._maps = {name: list(maps) for name, maps in rows.items()}
        blended = self.blend_box.isChecked() and image is not None
        lut = heat_lut(blended=blended)
        # Only what changed is pushed to the items: a preview arrives twice a second and
        # every setImage / setText costs a re-render on the GUI thread.
        new_image = image is not None and (
            self._image is None
            or self._image.shape != image.shape
            or not np.array_equal(self._image, image)
        )
        if new_image:
            self._image = np.ascontiguousarray(image)
        for r, name in enumerate(names):
            for k, cell in enumerate(self._cells[r]):
                if new_image:
                    cell.image.setImage(self._image, autoLevels=False, levels=None)
                if new_image or frame_changed:
                    cell.image.setRect(rect)
                cell.image.setVisible(blended)
                cell.heat.setImage(to_uint8(rows[name][k]), autoLevels=False, levels=(0, 255))
                if cell.lut is not lut:
                    cell.heat.setLookupTable(lut)
                    cell.lut = lut
                cell.heat.setRect(rect)
                text = caption(name, k, self._distances)
                if text != cell.caption_text:
                    cell.caption.setText(text)
                    cell.caption_text = text
        self._has_image = image is not None
        self.empty_label.setVisible(not names)
        self.export_button.setEnabled(bool(names))
        if names and not self._zoomed_once:
            self.reset_zoom()

    def prepare(self, rows: Sequence[str], stages: Sequence[str]) -> None:
        """Build the empty grid now (building it costs a few hundred ms of GUI time; do it
        when a run starts rather than when its first preview arrives)."""
        names = tuple(sorted(rows, key=lambda n: n != REFERENCE_ROW))
        if names != self._rows or tuple(stages) != self._stages:
            self._build(names, tuple(stages))
        self.blank()

    def blank(self) -> None:
        """Empty every cell but keep the grid, so the next run's first preview is cheap."""
        for row in self._cells:
            for cell in row:
                cell.heat.clear()
                cell.caption.setText("")
                cell.caption_text = ""
        self._distances = {}
        self._maps = {}

    def clear(self) -> None:
        self._build((), ())
        self.empty_label.setVisible(True)
        self.export_button.setEnabled(False)

    def shape(self) -> tuple[int, int]:
        """(rows, stages) currently shown."""
        return len(self._rows), len(self._stages)

    def row_names(self) -> tuple[str, ...]:
        return self._rows

    def stage_names(self) -> tuple[str, ...]:
        return self._stages

    def distances(self) -> dict[str, list[float]]:
        """Per student row: distance to the teacher's map at each stage (no teacher: empty)."""
        return {name: list(values) for name, values in self._distances.items()}

    def view_boxes(self) -> list[list[pg.ViewBox]]:
        return [[cell.view for cell in row] for row in self._cells]

    def heat_image(self, row: int, stage: int) -> np.ndarray:
        """The ``uint8 [h, w]`` map displayed in a cell (for tests and export)."""
        return self._cells[row][stage].heat.image

    def reset_zoom(self) -> None:
        """Every cell shows the whole frame."""
        width, height = self._frame
        for row in self._cells:
            for cell in row:
                cell.view.setRange(QRectF(0, 0, width, height), padding=0.02)
        self._zoomed_once = bool(self._cells)

    def export_png(self, path: str | Path) -> Path:
        """Save the grid as PNG at the image's full resolution, with row and column names
        (:func:`lgad_studio.core.attention_render.render_attention_grid`, the picture
        ``lgad-studio attention`` writes); whatever the suffix, the file is a PNG."""
        if not self._maps:
            raise StudioError(f"{path}: no attention maps to export yet")
        grid = render_attention_grid(
            stages=self._stages,
            rows=self._maps,
            image=self._image if self._has_image else None,
            blended=self.blend_box.isChecked(),
        )
        path = write_attention_png(path, grid)
        self.exported.emit(path)
        return path

    # --- internals ----------------------------------------------------------------------
    def _build(self, rows: tuple[str, ...], stages: tuple[str, ...]) -> None:
        self.graphics.clear()
        self._rows, self._stages, self._cells = rows, stages, []
        self._zoomed_once = False
        self._image = None
        if not rows:
            return
        for k, stage in enumerate(stages):
            self.graphics.addLabel(f"<b>{stage}</b>", row=0, col=k + 1).setMaximumHeight(20)
        grid_layout = self.graphics.ci.layout
        for r, name in enumerate(rows):
            # Horizontal, wrapped row names: a rotated label's height is its text width,
            # which made rows with longer names taller than the others.
            label = self.graphics.addLabel(
                "<b>" + name.replace(" ", "<br>") + "</b>", row=2 * r + 1, col=0
            )
            label.setMaximumWidth(90)
            grid_layout.setRowStretchFactor(2 * r + 1, 1)
            grid_layout.setRowStretchFactor(2 * r + 2, 0)
            cells = []
            for k in range(len(stages)):
                view = self.graphics.addViewBox(
                    row=2 * r + 1, col=k + 1, lockAspect=True, invertY=True
                )
                view.setMenuEnabled(False)
                caption = self.graphics.addLabel("", row=2 * r + 2, col=k + 1, size="8pt")
                caption.setMaximumHeight(16)
                view.sigRangeChangedManually.connect(
                    functools.partial(self._on_view_range_changed_manually, view)
                )
                cells.append(_Cell(view, caption))
            self._cells.append(cells)

    @staticmethod
    def _frame_size(
        rows: Mapping[str, Sequence[np.ndarray]], image: np.ndarray | None
    ) -> tuple[int, int]:
        if image is not None:
            return int(image.shape[1]), int(image.shape[0])
        shapes = [m.shape for maps in rows.values() for m in maps]
        if not shapes:
            return 1, 1
        return max(s[1] for s in shapes), max(s[0] for s in shapes)

    def _on_view_range_changed_manually(self, source: pg.ViewBox, *_mouse_enabled) -> None:
        """Give every cell the region the user zoomed or panned to in one of them.

        Only user changes are propagated: pyqtgraph's own X/Y links offset linked views by
        their screen position (made for stacked plots), and echoing every programmatic
        change (resizes, aspect locking) between cells ratchets their ranges outwards.
        """
        (x0, x1), (y0, y1) = source.viewRange()
        for row in self._cells:
            for cell in row:
                if cell.view is not source:
                    cell.view.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)

    def _on_blend_toggled(self, blended: bool) -> None:
        lut = heat_lut(blended=blended and self._has_image)
        for row in self._cells:
            for cell in row:
                cell.image.setVisible(blended and self._has_image)
                cell.heat.setLookupTable(lut)
                cell.lut = lut

    def _on_export_clicked(self) -> None:
        from PySide6.QtWidgets import QFileDialog, QMessageBox

        path, _ = QFileDialog.getSaveFileName(
            self, "Export attention grid", "attention.png", "PNG (*.png)"
        )
        if not path:
            return
        try:
            self.export_png(path)
        except StudioError as err:
            QMessageBox.warning(self, "Export failed", str(err))
