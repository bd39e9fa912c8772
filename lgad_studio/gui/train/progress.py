"""Progress bar with throughput and ETA for the running job."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QWidget

from lgad_studio.gui.eta import EtaEstimator, format_duration


class ProgressPanel(QWidget):
    """``[#####----]  step 120 / 800 · epoch 2 · 14.2 img/s · ETA 2:31``."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bar = QProgressBar()
        self.bar.setRange(0, 1)
        self.bar.setValue(0)
        self.label = QLabel("Idle")
        self.label.setMinimumWidth(240)
        self.label.setWordWrap(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.bar, 1)
        layout.addWidget(self.label)
        self._eta = EtaEstimator()
        self._rate = ""

    def start(self, name: str) -> None:
        self._eta.reset()
        self._rate = ""
        self.bar.setRange(0, 0)  # busy until the first report
        self.label.setText(f"{name}: starting…")

    def set_rate(self, images_per_s: float) -> None:
        self._rate = f" · {images_per_s:.1f} img/s" if images_per_s > 0 else ""

    def update_progress(self, done: int, total: int, message: str) -> None:
        self._eta.update(done)
        if total > 0:
            self.bar.setRange(0, total)
            self.bar.setValue(min(done, total))
        remaining = self._eta.remaining_s(total)
        eta = f" · ETA {format_duration(remaining)}" if remaining is not None else ""
        what = f" · {message}" if message else ""
        self.label.setText(f"{done} / {total}{what}{self._rate}{eta}")

    def stop(self, text: str, *, reset: bool = False, complete: bool = False) -> None:
        """Show ``text``; ``reset`` empties the bar (a cancelled or failed job is not at 63 %),
        ``complete`` fills it (a result opened from a file is complete, not at 0 %)."""
        if self.bar.maximum() == 0:
            self.bar.setRange(0, 1)
        if reset:
            self.bar.reset()
        elif complete:
            self.bar.setValue(self.bar.maximum())
        self.label.setText(text)

    def eta_text(self) -> str:
        return self.label.text()
