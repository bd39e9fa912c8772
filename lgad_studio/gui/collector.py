"""Cyclic garbage collection in the window's thread only, paced by a timer.

Python's collector runs in whichever thread happens to allocate past a threshold.
In the studio that is often a job thread building a network or a batch, which
would then destroy unreachable Qt objects (a closed dialog in a reference cycle,
a scene and its items) outside the thread that owns them: undefined behaviour
in Qt, and a segmentation fault when it goes wrong. pyqtgraph ships the same
remedy for the same reason (``pyqtgraph.util.garbage_collector``).

:class:`MainThreadCollector` switches automatic collection off and, from a
main-thread timer, collects the generations that the interpreter's own rule
would have collected by then, every 0.1 s (a generation is due when its count passes its
threshold). Reference counting is untouched, so everything not in a cycle is
still freed at once, in the thread that drops it. See ``docs/adr/threading.md``.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

CHECK_INTERVAL_MS = 100


class MainThreadCollector(QObject):
    """While started: no automatic collection; due generations collected every 0.1 s."""

    def __init__(self, parent: QObject | None = None, *, interval_ms: int = CHECK_INTERVAL_MS):
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.collect_due)
        self._was_enabled: bool | None = None

    @property
    def active(self) -> bool:
        return self._was_enabled is not None

    def start(self) -> None:
        if self.active:
            return
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer.start()

    def stop(self) -> None:
        """Collect what is due, then give collection back to the interpreter."""
        if not self.active:
            return
        self._timer.stop()
        self.collect_due()
        if self._was_enabled:
            gc.enable()
        self._was_enabled = None

    def collect_due(self) -> int:
        """Collect the oldest generation whose count passed its threshold; returns objects freed."""
        counts, thresholds = gc.get_count(), gc.get_threshold()
        for generation in (2, 1, 0):
            if thresholds[generation] and counts[generation] > thresholds[generation]:
                return gc.collect(generation)
        return 0
