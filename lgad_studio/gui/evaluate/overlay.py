"""One evaluated image: ground truth and predictions coloured by outcome, IoU on hover.

Lanes are drawn as the evaluator's spline (``geometry.spline_points``) in the
image's pixel frame, sampled a few pixels apart (the chords stay within a hundredth
of a pixel of the curve, and a wide pen costs per vertex: 50 samples per segment
took 15 ms of every repaint), each over a dark halo so it reads on any road: true-positive
predictions bluish green, false positives vermillion, missed ground truth (FN)
sky blue and dashed (amber vanished on yellow paint), matched ground truth thin
white (Okabe–Ito colours, distinct for colour-blind users). Every lane carries its
name on the image, ``G1``… for ground truth and ``P1``… for predictions, numbered
left to right along the bottom of the image; the hover line and the tooltip name
the lane nearest the cursor with the same names, so they cannot disagree with
what is drawn. The lane probability map (``uint8 [h, w]``, max over slots) is a
second ``ImageItem`` stretched over the image with a 256-entry LUT, shown on demand.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from lgad_studio.core.geometry import spline_points
from lgad_studio.gui.attention.display import heat_lut
from lgad_studio.gui.palette import OKABE_ITO

COLOURS = {
    "tp": "#19D3A2",  # Okabe-Ito bluish green, lightened for dark roads
    "fp": OKABE_ITO["vermillion"],
    "fn": OKABE_ITO["sky_blue"],
    "gt": "#F4F4F4",
}
HALO = (0, 0, 0, 190)
HOVER_TOLERANCE_PX = 10.0  # screen pixels
DISPLAY_SAMPLES_PER_SEGMENT = 5  # spline samples per segment drawn (and hovered)
PREPARED_LANES = 10  # lane items made ahead, on first show (4 ground truth + 6 predictions)


@dataclass(frozen=True)
class LaneInfo:
    """What the hover line says about one drawn lane."""

    role: str  # tp | fp (predictions), gt | fn (ground truth)
    index: int  # position in the evaluated ground truth / predictions
    iou: float  # IoU with its matched partner, else the best IoU with any lane of the other side
    partner: int | None  # index of the matched lane on the other side
    points: np.ndarray  # float32 (M, 2) spline samples, xy_image
    name: str = ""  # "G2", "P1": what is written next to the lane on the image
    partner_name: str = ""

    @property
    def is_truth(self) -> bool:
        return self.role in ("gt", "fn")

    def describe(self) -> str:
        if self.role == "tp":
            return f"{self.name} (prediction): TP, IoU {self.iou:.3f} with {self.partner_name}"
        if self.role == "gt":
            return f"{self.name} (ground truth): found by {self.partner_name}, IoU {self.iou:.3f}"
        if self.role == "fp":
            return f"{self.name} (prediction): FP, best IoU {self.iou:.3f}"
        return f"{self.name} (ground truth): FN (missed), best IoU {self.iou:.3f}"


def _curve_points(points: np.ndarray) -> np.ndarray:
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    if len(pts) < 2:
        return pts.astype(np.float32)
    curve = spline_points(pts, samples_per_segment=DISPLAY_SAMPLES_PER_SEGMENT)
    return np.asarray(curve, dtype=np.float32)


def _distance_to_polyline(p: np.ndarray, poly: np.ndarray) -> float:
    if len(poly) == 0:
        return float("inf")
    if len(poly) == 1:
        return float(np.hypot(*(poly[0] - p)))
    a, b = poly[:-1].astype(np.float64), poly[1:].astype(np.float64)
    ab = b - a
    t = np.clip(((p - a) * ab).sum(1) / np.maximum((ab * ab).sum(1), 1e-12), 0.0, 1.0)
    closest = a + t[:, None] * ab
    return float(np.min(np.hypot(*(closest - p).T)))


class OverlayView(QWidget):
    """Image + coloured lanes + optional probability map; ``hover_changed(text)`` on hover."""

    hover_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground("#202124")
        self.view = self.graphics.addViewBox(lockAspect=True, invertY=True)
        self.view.setMenuEnabled(False)
        self.image_item = pg.ImageItem(axisOrder="row-major")
        self.prob_item = pg.ImageItem(axisOrder="row-major")
        self.prob_item.setLookupTable(heat_lut(blended=True, name="CET-L8"))
        self.prob_item.setVisible(False)
        self.view.addItem(self.image_item)
        self.view.addItem(self.prob_item)
        self.prob_box = QCheckBox("Probability map")
        self.prob_box.toggled.connect(self.set_prob_visible)
        legend = QLabel(
            " ".join(
                f'<span style="color:{COLOURS[k]}; background:#202124">&nbsp;■&nbsp;</span> {t}'
                for k, t in (
                    ("tp", "TP"),
                    ("fp", "FP"),
                    ("fn", "FN (missed)"),
                    ("gt", "GT matched"),
                )
            )
        )
        self.hover_label = QLabel("Hover a lane for its IoU")
        bar = QHBoxLayout()
        bar.addWidget(self.prob_box)
        bar.addWidget(legend)
        bar.addStretch(1)
        bar.addWidget(self.hover_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.graphics, 1)
        self._curves: list[pg.PlotCurveItem] = []  # those shown, one per lane
        self._halos: list[pg.PlotCurveItem] = []
        self._labels: list[pg.TextItem] = []
        self._curve_pool: list[pg.PlotCurveItem] = []  # every item made so far, shown or hidden
        self._halo_pool: list[pg.PlotCurveItem] = []
        self._label_pool: list[pg.TextItem] = []
        # A child timer: it dies with the widget, so no turn runs on a deleted view.
        self._prepare_timer = QTimer(self)
        self._prepare_timer.setInterval(0)
        self._prepare_timer.timeout.connect(self._prepare_one)
        self._lanes: list[LaneInfo] = []
        self._size = (1, 1)
        self.graphics.scene().sigMouseMoved.connect(self._on_scene_mouse_moved)

    def show_image(
        self, image: np.ndarray, evaluation, *, lane_prob: np.ndarray | None = None
    ) -> None:
        """``image`` ``uint8 [H, W, 3]``; ``evaluation`` an ``ImageResult`` of this image."""
        height, width = image.shape[:2]
        self._size = (width, height)
        self.image_item.setImage(np.ascontiguousarray(image), autoLevels=False, levels=None)
        self.image_item.setRect(QRectF(0, 0, width, height))
        if lane_prob is not None:
            self.prob_item.setImage(
                np.ascontiguousarray(lane_prob), autoLevels=False, levels=(0, 255)
            )
            self.prob_item.setRect(QRectF(0, 0, width, height))
        self.prob_box.setEnabled(lane_prob is not None)
        self.prob_item.setVisible(lane_prob is not None and self.prob_box.isChecked())
        self._set_lanes(self._lane_infos(evaluation))
        self.view.setRange(QRectF(0, 0, width, height), padding=0.0)

    def clear(self) -> None:
        self.image_item.clear()
        self.prob_item.clear()
        self._set_lanes([])

    def set_prob_visible(self, visible: bool) -> None:
        if self.prob_box.isChecked() != visible:
            self.prob_box.setChecked(visible)
        self.prob_item.setVisible(visible and self.prob_item.image is not None)

    def lanes(self) -> list[LaneInfo]:
        return list(self._lanes)

    def lane_at(self, x: float, y: float, *, tolerance: float | None = None) -> LaneInfo | None:
        """The drawn lane nearest to image point (x, y), within ``tolerance`` image pixels."""
        if tolerance is None:
            pixel = self.view.viewPixelSize()
            tolerance = HOVER_TOLERANCE_PX * max(pixel[0], pixel[1], 1e-6)
        p = np.array([x, y], dtype=np.float64)
        best, best_d = None, tolerance
        for info in self._lanes:
            d = _distance_to_polyline(p, info.points)
            if d <= best_d:
                best, best_d = info, d
        return best

    # --- internals ----------------------------------------------------------------------
    @staticmethod
    def _lane_infos(result) -> list[LaneInfo]:
        iou = np.asarray(result.iou, dtype=np.float64).reshape(len(result.gt), len(result.det))
        gt_match = {g: (d, v) for g, d, v in result.matches}
        det_match = {d: (g, v) for g, d, v in result.matches}
        gt_names = _names("G", result.gt)
        det_names = _names("P", result.det)
        infos = []
        for i, pts in enumerate(result.gt):
            if i in gt_match:
                d, v = gt_match[i]
                infos.append(LaneInfo("gt", i, v, d, _curve_points(pts), gt_names[i], det_names[d]))
            else:
                best = float(iou[i].max()) if iou.shape[1] else 0.0
                infos.append(LaneInfo("fn", i, best, None, _curve_points(pts), gt_names[i]))
        for j, pts in enumerate(result.det):
            if j in det_match:
                g, v = det_match[j]
                infos.append(LaneInfo("tp", j, v, g, _curve_points(pts), det_names[j], gt_names[g]))
            else:
                best = float(iou[:, j].max()) if iou.shape[0] else 0.0
                infos.append(LaneInfo("fp", j, best, None, _curve_points(pts), det_names[j]))
        return infos

    def _set_lanes(self, infos: list[LaneInfo]) -> None:
        """Show ``infos``, reusing the items of the previous image (creating a ``TextItem``
        costs more than a millisecond; moving one to another image, far less)."""
        labelled = [info for info in infos if len(info.points)]
        self._grow_pool(len(infos), len(labelled))
        self._lanes = infos
        self._halos, self._curves = self._halo_pool[: len(infos)], self._curve_pool[: len(infos)]
        self._labels = self._label_pool[: len(labelled)]
        for info, halo, curve in zip(infos, self._halos, self._curves, strict=True):
            style = Qt.PenStyle.DashLine if info.role == "fn" else Qt.PenStyle.SolidLine
            width = 2 if info.role == "gt" else 4
            x, y = info.points[:, 0], info.points[:, 1]
            halo.setData(x, y, pen=pg.mkPen(HALO, width=width + 3))
            curve.setData(x, y, pen=pg.mkPen(COLOURS[info.role], width=width, style=style))
        for info, label in zip(labelled, self._labels, strict=True):
            self._place_name(label, info)
        for items, used in ((self._halo_pool, len(infos)), (self._curve_pool, len(infos)),
                            (self._label_pool, len(labelled))):  # fmt: skip
            for k, item in enumerate(items):
                item.setVisible(k < used)

    def showEvent(self, event) -> None:  # noqa: N802 (Qt override)
        """On first show, make the items of a typical image one lane per event-loop turn,
        so that opening a result does not pay for them in one long turn."""
        super().showEvent(event)
        if not self._curve_pool and not self._prepare_timer.isActive():
            self._prepare_timer.start()

    def _prepare_one(self) -> None:
        """Make one more lane's items (halo, curve, name); stop at ``PREPARED_LANES``."""
        lanes = len(self._curve_pool) + 1
        self._grow_pool(lanes, lanes)
        if lanes >= PREPARED_LANES:
            self._prepare_timer.stop()

    def _grow_pool(self, curves: int, labels: int) -> None:
        """Make items until there are ``curves`` halo/curve pairs and ``labels`` names; the
        z values keep halos under every curve and names over them, whenever an item was made."""
        while len(self._curve_pool) < curves:
            for z, pool in enumerate((self._halo_pool, self._curve_pool), start=1):
                item = pg.PlotCurveItem()
                item.setZValue(z)
                self.view.addItem(item)
                pool.append(item)
        while len(self._label_pool) < labels:
            label = pg.TextItem("", fill=pg.mkBrush(0, 0, 0, 170))
            label.setZValue(3)
            self.view.addItem(label)
            self._label_pool.append(label)

    def _place_name(self, label: pg.TextItem, info: LaneInfo) -> None:
        """The lane's name: ground truth at its lower end, a prediction a quarter of the way
        up its curve, so that a matched pair's names (and predictions converging towards the
        horizon) do not sit on top of each other."""
        points = info.points[np.isfinite(info.points).all(axis=1)]
        order = np.argsort(-points[:, 1], kind="stable")  # from the bottom of the image up
        at = points[order[0]] if info.is_truth else points[order[len(order) // 4]]
        label.setText(info.name, color=COLOURS[info.role])
        label.setAnchor((0.5, 1.0) if info.is_truth else (0.0, 0.5))
        label.setPos(float(at[0]), float(at[1]))

    def label_positions(self) -> dict[str, tuple[float, float]]:
        """Where each lane's name is written on the image (xy_image), by name."""
        return {label.toPlainText(): (label.pos().x(), label.pos().y()) for label in self._labels}

    def describe_at(self, x: float, y: float) -> str:
        """What the hover line says at image point (x, y): the nearest lane (a matched pair
        together when both are under the cursor), else the coordinates."""
        info = self.lane_at(x, y)
        if info is None:
            return f"x {x:.0f}, y {y:.0f}"
        return info.describe()

    def _on_scene_mouse_moved(self, scene_pos: QPointF) -> None:
        if not self.view.sceneBoundingRect().contains(scene_pos):
            return
        point = self.view.mapSceneToView(scene_pos)
        text = self.describe_at(point.x(), point.y())
        self.hover_label.setText(text)
        # The tooltip is the hover line: one source, so it names the lane under the cursor.
        self.graphics.setToolTip(text if self.lane_at(point.x(), point.y()) else "")
        self.hover_changed.emit(text)


def _names(prefix: str, lanes) -> list[str]:
    """``G1``… / ``P1``… numbered left to right by the x of each lane's lowest point."""
    xs = []
    for pts in lanes:
        curve = _curve_points(pts)
        curve = curve[np.isfinite(curve).all(axis=1)]
        xs.append(float(curve[np.argmax(curve[:, 1]), 0]) if len(curve) else np.inf)
    names = [""] * len(xs)
    for rank, i in enumerate(sorted(range(len(xs)), key=lambda i: xs[i]), start=1):
        names[i] = f"{prefix}{rank}"
    return names
