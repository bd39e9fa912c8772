"""Live training curves: every named loss per step, validation metrics per epoch.

Steps arrive in batches (``JobRunner`` coalesces them); their values are appended
into growing numpy buffers and the plots are repainted from a ``QTimer`` at 10 Hz
only when something changed — never once per training step.

Each plot's legend is a column of check boxes beside it (never over the data) that
shows or hides a curve. A curve's colour follows its name (the same loss keeps its
colour from run to run), from a palette of ten distinct colours; past ten, dashed
lines. The log-scale loss axis gets its ticks from :func:`log_ticks`: labels on
whole decades (and 2, 5 between them when the range is short), never closer than
a line of text.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QVBoxLayout, QWidget

from lgad_studio.core.events import EpochEnd, StepMetrics
from lgad_studio.gui.palette import SERIES_HEX

REPAINT_INTERVAL_MS = 100  # 10 Hz
VALIDATION_KEYS = ("f1", "precision", "recall")
# The engine's names first, so that they always get the same, most distinct colours.
KNOWN_LOSSES = ("loss", "seg", "exist", "at", "lambda", "at_stage1", "at_stage2", "at_stage3")
MAX_POINTS = 2000  # per curve and repaint: a 1000-px plot shows no more
MIN_LABEL_GAP_PX = 18  # between two labelled ticks of the log axis: more than a line of text


def log_ticks(lo: float, hi: float, height_px: float) -> list[list[tuple[float, str]]]:
    """Ticks of a log10 axis showing ``lo..hi`` (log10 units) over ``height_px`` pixels.

    Major ticks on whole decades, labelled; when there is room, ticks at 2 and 5
    times each decade are labelled too, otherwise drawn unlabelled. Labels are
    never closer than :data:`MIN_LABEL_GAP_PX`, so they cannot overlap.
    """
    span = max(hi - lo, 1e-9)
    px_per_unit = height_px / span
    step = max(1, math.ceil(MIN_LABEL_GAP_PX / max(px_per_unit, 1e-9)))
    first, last = math.ceil(lo - 1e-9), math.floor(hi + 1e-9)
    decades = [k for k in range(first, last + 1) if (k - first) % step == 0]
    majors = [(float(k), _decade_label(k)) for k in decades]
    minors = []
    gap_2_5 = math.log10(5 / 2) * px_per_unit  # the closest pair of labels (2 and 5)
    label_minor = step == 1 and min(gap_2_5, math.log10(2) * px_per_unit) >= MIN_LABEL_GAP_PX
    for k in range(math.floor(lo), math.ceil(hi) + 1):
        for m in (2, 5):
            value = k + math.log10(m)
            if lo <= value <= hi:
                minors.append((value, _decade_label(k, m) if label_minor else ""))
    return [majors, minors]


def _decade_label(k: int, m: int = 1) -> str:
    value = m * 10.0**k
    return f"{value:g}" if -4 <= k <= 4 else f"{m}e{k}"


def _swatch(colour: str, *, dashed: bool) -> QIcon:
    """A short thick line of the curve's colour on a dark tile, like the plot it stands for."""
    pixmap = QPixmap(22, 12)
    pixmap.fill(QColor("#000000"))
    painter = QPainter(pixmap)
    pen = QPen(QColor(colour), 3)
    if dashed:
        pen.setStyle(Qt.PenStyle.DashLine)
    painter.setPen(pen)
    painter.drawLine(2, 6, 20, 6)
    painter.end()
    return QIcon(pixmap)


class CurveToggles(QWidget):
    """The legend of one plot: a coloured check box per curve, beside the plot."""

    toggled = Signal(str, bool)  # curve name, visible

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(2, 2, 2, 2)
        self._layout.setSpacing(0)
        self._layout.addStretch(1)
        self.boxes: dict[str, QCheckBox] = {}

    def add(self, name: str, colour: str, *, dashed: bool = False) -> QCheckBox:
        box = self.boxes.get(name)
        if box is None:
            box = QCheckBox(name, self)
            box.setChecked(True)
            box.setIcon(_swatch(colour, dashed=dashed))  # the line as drawn; the text stays legible
            box.setToolTip(f"Show or hide the {name} curve")
            box.toggled.connect(lambda on, n=name: self.toggled.emit(n, on))
            self._layout.insertWidget(self._layout.count() - 1, box)
            self.boxes[name] = box
        box.setVisible(True)
        return box

    def hide_all(self) -> None:
        for box in self.boxes.values():
            box.setVisible(False)

    def is_shown(self, name: str) -> bool:
        box = self.boxes.get(name)
        return box is None or box.isChecked()


class GrowingSeries:
    """x/y float64 buffers that double when full; ``view()`` returns the filled part."""

    def __init__(self, capacity: int = 256) -> None:
        self._x = np.empty(capacity, np.float64)
        self._y = np.empty(capacity, np.float64)
        self._n = 0

    def __len__(self) -> int:
        return self._n

    def extend(self, xs: np.ndarray, ys: np.ndarray) -> None:
        need = self._n + len(xs)
        if need > len(self._x):
            size = max(need, 2 * len(self._x))
            self._x = np.resize(self._x, size)
            self._y = np.resize(self._y, size)
        self._x[self._n : need] = xs
        self._y[self._n : need] = ys
        self._n = need

    def view(self) -> tuple[np.ndarray, np.ndarray]:
        return self._x[: self._n], self._y[: self._n]


class LiveCurves(QWidget):
    """Two plots: named losses against the step (log scale) and validation metrics per epoch."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.losses_plot = pg.PlotWidget(title="Training losses")
        self.losses_plot.setLabel("bottom", "step")
        self.losses_plot.setLogMode(y=True)
        # No grid on the log axis: its many minor-tick lines tripled the cost of a repaint.
        self.validation_plot = pg.PlotWidget(title="Validation")
        self.validation_plot.setLabel("bottom", "epoch")
        self.validation_plot.setYRange(0.0, 1.0)
        self.validation_plot.showGrid(x=False, y=True, alpha=0.2)
        self.legends = {"loss": CurveToggles(self), "val": CurveToggles(self)}
        for plot in (self.losses_plot, self.validation_plot):
            plot.setClipToView(True)
            plot.setDownsampling(auto=True, mode="peak")
            plot.setMinimumSize(160, 120)
        for group, legend in self.legends.items():
            legend.toggled.connect(lambda name, on, g=group: self._on_legend_toggled(g, name, on))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.losses_plot, 3)
        layout.addWidget(self.legends["loss"])
        layout.addWidget(self.validation_plot, 2)
        layout.addWidget(self.legends["val"])
        self._losses: dict[str, GrowingSeries] = {}
        self._validation: dict[str, GrowingSeries] = {}
        self._items: dict[tuple[str, str], pg.PlotDataItem] = {}
        self._colours: dict[tuple[str, str], str] = {}
        self._dirty: set[str] = set()  # "loss", "val": the plots to push on the next tick
        self._total_steps = 0
        self._total_epochs = 0
        self._x_max = 0
        self._y_bounds = (np.inf, -np.inf)
        self._y_range: tuple[float, float] | None = None
        self.losses_plot.disableAutoRange()
        self.validation_plot.disableAutoRange()
        self._show_empty_range()
        self.repaints = 0
        self._timer = QTimer(self)
        self._timer.setInterval(REPAINT_INTERVAL_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._timer.start()

    def clear(self) -> None:
        """Forget the data of the last run; its plot items are kept (hidden) for reuse,
        which spares the next run the cost of building them on the GUI thread."""
        for item in self._items.values():
            item.setData([], [])
            item.setVisible(False)
        for legend in self.legends.values():
            legend.hide_all()
        self._losses.clear()
        self._validation.clear()
        self._dirty.clear()
        self._total_steps = 0
        self._total_epochs = 0
        self._x_max = 0
        self._y_bounds = (np.inf, -np.inf)
        self._show_empty_range()

    def _show_empty_range(self) -> None:
        """0.01 .. 10 until the first losses arrive (which then set the range they need)."""
        self._set_log_range((-2.0, 1.0))
        self._y_range = None
        self._tick_range = (-2.0, 1.0)

    def prepare(self, loss_names: Iterable[str]) -> None:
        """Create the (empty) curves a run will draw now, when it starts: a new curve and its
        legend entry cost ~100 ms of GUI time on their first paint. Names not listed still
        get a curve when they first arrive."""
        for name in loss_names:
            self._item("loss", name).setData([], [])
        for name in VALIDATION_KEYS:
            self._item("val", name).setData([], [])

    def add_steps(self, steps: Iterable[StepMetrics]) -> None:
        """Append the named losses of ``steps`` (positive values only: the axis is logarithmic)."""
        steps = list(steps)
        if not steps:
            return
        self._total_steps = max(self._total_steps, max(s.total_steps for s in steps))
        names = {name for s in steps for name in s.losses}
        lo, hi = self._y_bounds
        for name in sorted(names):
            pairs = [(s.step, s.losses[name]) for s in steps if name in s.losses]
            xs = np.array([p[0] for p in pairs], np.float64)
            ys = np.array([p[1] for p in pairs], np.float64)
            keep = np.isfinite(ys) & (ys > 0)
            if keep.any():
                self._losses.setdefault(name, GrowingSeries()).extend(xs[keep], ys[keep])
                lo, hi = min(lo, float(ys[keep].min())), max(hi, float(ys[keep].max()))
                self._dirty.add("loss")
        self._y_bounds = (lo, hi)

    def add_epoch(self, event: EpochEnd) -> None:
        """Append validation F1 / precision / recall; undefined (-1) values are skipped, except
        an F1 that is undefined only because nothing was detected: with ground truth present
        (recall defined) it is plotted as 0."""
        if event.total_epochs != self._total_epochs:
            self._total_epochs = event.total_epochs
            self.validation_plot.setXRange(0.5, event.total_epochs + 0.5, padding=0)
            spacing = max(1, math.ceil(event.total_epochs / 8))  # whole epochs only
            self.validation_plot.getAxis("bottom").setTickSpacing(spacing, spacing)
        for name in VALIDATION_KEYS:
            value = event.metrics.get(name)
            if value is None or not np.isfinite(value):
                continue
            if name == "f1" and value < 0 and event.metrics.get("recall", -1.0) >= 0:
                value = 0.0
            if value >= 0:
                series = self._validation.setdefault(name, GrowingSeries(16))
                series.extend(np.array([event.epoch], float), np.array([value], float))
                self._dirty.add("val")

    def series(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """The buffered (x, y) of a loss name or a validation key (``val/f1``)."""
        if name.startswith("val/"):
            return self._validation[name[4:]].view()
        return self._losses[name].view()

    def loss_names(self) -> list[str]:
        return list(self._losses)

    def repaint_now(self) -> None:
        """Push the changed buffers to the plots now, visible or not (export, tests)."""
        dirty, self._dirty = self._dirty, set()
        self.repaints += 1
        if "loss" in dirty:
            for name, series in self._losses.items():
                x, y = _decimated(*series.view())
                self._item("loss", name).setData(x, np.log10(y))
            self._update_loss_range()
        if "val" in dirty:
            for name, series in self._validation.items():
                self._item("val", name).setData(*series.view())

    def _update_loss_range(self) -> None:
        """Fixed x range (0..total steps) and a y range widened only when the data leaves it:
        an axis whose range changes must regenerate its ticks, the costliest part of a repaint."""
        plot = self.losses_plot
        if self._total_steps and self._x_max != self._total_steps:
            self._x_max = self._total_steps
            plot.setXRange(0, self._total_steps, padding=0.02)
        lo, hi = self._y_bounds
        if not np.isfinite(lo) or not np.isfinite(hi):
            return
        need = (np.log10(lo), np.log10(hi))
        current = self._y_range
        if current is None or need[0] < current[0] or need[1] > current[1]:
            self._set_log_range((float(np.floor(need[0] - 0.1)), float(np.ceil(need[1] + 0.1))))

    def _set_log_range(self, y_range: tuple[float, float]) -> None:
        self._y_range = self._tick_range = y_range
        self.losses_plot.setYRange(*y_range, padding=0)
        self._update_log_ticks()

    def _update_log_ticks(self) -> None:
        axis = self.losses_plot.getAxis("left")
        height = max(axis.height(), self.losses_plot.height() * 0.6, 60.0)
        axis.setTicks(log_ticks(*self._tick_range, height))

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self._update_log_ticks()  # how many labels fit depends on the height

    def _on_timer_timeout(self) -> None:
        if not self._dirty or not self.isVisible():
            return  # a hidden tab keeps its buffers and repaints when shown
        self.repaint_now()

    def _plot(self, group: str) -> pg.PlotWidget:
        return self.losses_plot if group == "loss" else self.validation_plot

    def _item(self, group: str, name: str) -> pg.GraphicsObject:
        key = (group, name)
        plot = self._plot(group)
        item = self._items.get(key)
        if item is None:
            colour, dashed = self._style(group, name)
            style = Qt.PenStyle.DashLine if dashed else Qt.PenStyle.SolidLine
            if group == "val":
                item = plot.plot(
                    name=name,
                    pen=pg.mkPen(colour, width=2, style=style),
                    symbol="o",
                    symbolSize=6,
                    symbolBrush=colour,
                )
            else:
                # A bare PlotCurveItem fed log10 values (the axis is in log mode): a
                # PlotDataItem's per-call log mapping and bookkeeping cost ~1 ms per curve
                # per repaint on the GUI thread. 1-px cosmetic pens take Qt's fast path.
                item = pg.PlotCurveItem(
                    name=name, pen=pg.mkPen(colour, width=1, style=style), skipFiniteCheck=True
                )
                plot.addItem(item)
            self._items[key] = item
            self._colours[key] = colour
        legend = self.legends[group]
        legend.add(
            name, self._colours[key], dashed=item.opts["pen"].style() != Qt.PenStyle.SolidLine
        )
        item.setVisible(legend.is_shown(name))
        return item

    def _style(self, group: str, name: str) -> tuple[str, bool]:
        """A colour no other curve of the plot has (by name, stable across runs), and whether
        the line is dashed (only once the ten colours are used up)."""
        order = VALIDATION_KEYS if group == "val" else KNOWN_LOSSES
        taken = {c for (g, _n), c in self._colours.items() if g == group}
        if name in order and order.index(name) < len(SERIES_HEX):
            return SERIES_HEX[order.index(name)], False
        free = [c for c in SERIES_HEX[len(order) :] if c not in taken]
        free += [c for c in SERIES_HEX if c not in taken]
        if free:
            return free[0], False
        count = sum(1 for g, _n in self._colours if g == group)
        return SERIES_HEX[count % len(SERIES_HEX)], True

    def curve_colour(self, group: str, name: str) -> str:
        return self._colours[(group, name)]

    def _on_legend_toggled(self, group: str, name: str, visible: bool) -> None:
        item = self._items.get((group, name))
        if item is not None:
            item.setVisible(visible)


def _decimated(
    x: np.ndarray, y: np.ndarray, max_points: int = MAX_POINTS
) -> tuple[np.ndarray, np.ndarray]:
    """At most ``max_points`` evenly strided samples, the last one always kept."""
    if len(x) <= max_points:
        return x, y
    stride = -(-len(x) // max_points)
    keep = np.r_[np.arange(0, len(x) - 1, stride), len(x) - 1]
    return x[keep], y[keep]
