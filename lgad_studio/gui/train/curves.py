"""Live training curves: every named loss per step, validation metrics per epoch.

Steps arrive in batches (``JobRunner`` coalesces them); their values are appended
into growing numpy buffers and the plots are repainted from a ``QTimer`` at 15 Hz
only when something changed — never once per training step.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QHBoxLayout, QWidget

from lgad_studio.core.events import EpochEnd, StepMetrics

REPAINT_INTERVAL_MS = 66  # ~15 Hz
VALIDATION_KEYS = ("f1", "precision", "recall")
_LOSS_COLOURS = ("#f4b400", "#4285f4", "#db4437", "#0f9d58", "#ab47bc", "#00acc1", "#ff7043")


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
        self.losses_plot.addLegend(offset=(-10, 10))
        self.losses_plot.showGrid(x=True, y=True, alpha=0.2)
        self.validation_plot = pg.PlotWidget(title="Validation")
        self.validation_plot.setLabel("bottom", "epoch")
        self.validation_plot.setYRange(0.0, 1.0)
        self.validation_plot.addLegend(offset=(-10, -10))
        self.validation_plot.showGrid(x=True, y=True, alpha=0.2)
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
        self._dirty = False
        self.repaints = 0
        self._timer = QTimer(self)
        self._timer.setInterval(REPAINT_INTERVAL_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._timer.start()

    def clear(self) -> None:
        self.losses_plot.clear()
        self.validation_plot.clear()
        self._losses.clear()
        self._validation.clear()
        self._items.clear()
        self._dirty = False

    def add_steps(self, steps: Iterable[StepMetrics]) -> None:
        """Append the named losses of ``steps`` (positive values only: the axis is logarithmic)."""
        steps = list(steps)
        names = {name for s in steps for name in s.losses}
        for name in sorted(names):
            pairs = [(s.step, s.losses[name]) for s in steps if name in s.losses]
            xs = np.array([p[0] for p in pairs], np.float64)
            ys = np.array([p[1] for p in pairs], np.float64)
            keep = np.isfinite(ys) & (ys > 0)
            if keep.any():
                self._losses.setdefault(name, GrowingSeries()).extend(xs[keep], ys[keep])
                self._dirty = True

    def add_epoch(self, event: EpochEnd) -> None:
        """Append validation F1 / precision / recall; undefined (-1) values are skipped, except
        an F1 that is undefined only because nothing was detected: with ground truth present
        (recall defined) it is plotted as 0."""
        for name in VALIDATION_KEYS:
            value = event.metrics.get(name)
            if value is None or not np.isfinite(value):
                continue
            if name == "f1" and value < 0 and event.metrics.get("recall", -1.0) >= 0:
                value = 0.0
            if value >= 0:
                series = self._validation.setdefault(name, GrowingSeries(16))
                series.extend(np.array([event.epoch], float), np.array([value], float))
                self._dirty = True

    def series(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """The buffered (x, y) of a loss name or a validation key (``val/f1``)."""
        if name.startswith("val/"):
            return self._validation[name[4:]].view()
        return self._losses[name].view()

    def loss_names(self) -> list[str]:
        return list(self._losses)

    def repaint_now(self) -> None:
        """Push the buffers to the plots now, visible or not (export, tests)."""
        self._dirty = False
        self.repaints += 1
        for name, series in self._losses.items():
            self._item(self.losses_plot, "loss", name).setData(*series.view())
        for name, series in self._validation.items():
            self._item(self.validation_plot, "val", name).setData(*series.view())

    def _on_timer_timeout(self) -> None:
        if not self._dirty or not self.isVisible():
            return  # a hidden tab keeps its buffers and repaints when shown
        self.repaint_now()

    def _item(self, plot: pg.PlotWidget, group: str, name: str) -> pg.PlotDataItem:
        key = (group, name)
        if key not in self._items:
            colour = _LOSS_COLOURS[
                len([k for k in self._items if k[0] == group]) % len(_LOSS_COLOURS)
            ]
            style = {"symbol": "o", "symbolSize": 6} if group == "val" else {}
            self._items[key] = plot.plot(name=name, pen=pg.mkPen(colour, width=2), **style)
        return self._items[key]
