"""Live training curves: every named loss per step, validation metrics per epoch.

Steps arrive in batches (``JobRunner`` coalesces them); their values are appended
into growing numpy buffers and the plots are repainted from a ``QTimer`` at 15 Hz
only when something changed — never once per training step.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QHBoxLayout, QWidget

from lgad_studio.core.events import EpochEnd, StepMetrics

REPAINT_INTERVAL_MS = 100  # 10 Hz
VALIDATION_KEYS = ("f1", "precision", "recall")
_COLOURS = (
    "#f4b400", "#4285f4", "#db4437", "#0f9d58", "#ab47bc",
    "#00acc1", "#ff7043", "#9e9d24", "#ec407a", "#8d6e63",
)  # fmt: skip
MAX_POINTS = 2000  # per curve and repaint: a 1000-px plot shows no more


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
        # Label decades only: the minor log ticks' labels overlap in a short plot.
        self.losses_plot.getAxis("left").setStyle(textFillLimits=[(0, 0.0)])
        self.losses_plot.addLegend(offset=(-10, 10))
        # No grid on the log axis: its many minor-tick lines tripled the cost of a repaint.
        self.validation_plot = pg.PlotWidget(title="Validation")
        self.validation_plot.setLabel("bottom", "epoch")
        self.validation_plot.setYRange(0.0, 1.0)
        self.validation_plot.addLegend(offset=(-10, -10))
        self.validation_plot.showGrid(x=False, y=True, alpha=0.2)
        for plot in (self.losses_plot, self.validation_plot):
            plot.setClipToView(True)
            plot.setDownsampling(auto=True, mode="peak")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.losses_plot, 3)
        layout.addWidget(self.validation_plot, 2)
        self._losses: dict[str, GrowingSeries] = {}
        self._validation: dict[str, GrowingSeries] = {}
        self._items: dict[tuple[str, str], pg.PlotDataItem] = {}
        self._dirty: set[str] = set()  # "loss", "val": the plots to push on the next tick
        self._total_steps = 0
        self._total_epochs = 0
        self._x_max = 0
        self._y_bounds = (np.inf, -np.inf)
        self._y_range: tuple[float, float] | None = None
        self.losses_plot.disableAutoRange()
        self.validation_plot.disableAutoRange()
        self.repaints = 0
        self._timer = QTimer(self)
        self._timer.setInterval(REPAINT_INTERVAL_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._timer.start()

    def clear(self) -> None:
        """Forget the data of the last run; its plot items are kept (hidden) for reuse,
        which spares the next run the cost of building them on the GUI thread."""
        for (group, _name), item in self._items.items():
            item.setData([], [])
            item.setVisible(False)
            self._plot(group).plotItem.legend.removeItem(item)
        self._losses.clear()
        self._validation.clear()
        self._dirty.clear()
        self._total_steps = 0
        self._total_epochs = 0
        self._x_max = 0
        self._y_bounds = (np.inf, -np.inf)
        self._y_range = None

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
            self._y_range = (np.floor(need[0] - 0.1), np.ceil(need[1] + 0.1))
            plot.setYRange(*self._y_range, padding=0)

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
        if item is not None and not item.isVisible():
            item.setVisible(True)
            plot.plotItem.legend.addItem(item, name)
        if item is None:
            colour = _COLOURS[len([k for k in self._items if k[0] == group]) % len(_COLOURS)]
            if group == "val":
                item = plot.plot(name=name, pen=pg.mkPen(colour, width=2), symbol="o", symbolSize=6)
            else:
                # A bare PlotCurveItem fed log10 values (the axis is in log mode): a
                # PlotDataItem's per-call log mapping and bookkeeping cost ~1 ms per curve
                # per repaint on the GUI thread. 1-px cosmetic pens take Qt's fast path.
                item = pg.PlotCurveItem(
                    name=name, pen=pg.mkPen(colour, width=1), skipFiniteCheck=True
                )
                plot.addItem(item)
            self._items[key] = item
        return item


def _decimated(
    x: np.ndarray, y: np.ndarray, max_points: int = MAX_POINTS
) -> tuple[np.ndarray, np.ndarray]:
    """At most ``max_points`` evenly strided samples, the last one always kept."""
    if len(x) <= max_points:
        return x, y
    stride = -(-len(x) // max_points)
    keep = np.r_[np.arange(0, len(x) - 1, stride), len(x) - 1]
    return x[keep], y[keep]
