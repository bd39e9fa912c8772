"""A "please wait" page shown in place of the canvas while something slow prepares the data.

On the very first start the demo dataset is generated (1,400 images, about a minute on two
cores): the Label tab says so, with a progress bar, the time left and a Cancel button, instead
of an empty grey canvas.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from lgad_studio.gui.eta import EtaEstimator, format_duration


class BusyNotice(QFrame):
    """A centred title, a detail line, a progress bar (busy until a total is known), Cancel."""

    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("BusyNotice")
        self.setStyleSheet("#BusyNotice { background: #2b2b2b; } QLabel { color: #f0f0f0; }")
        self.title = QLabel(self)
        font = self.title.font()
        font.setPointSize(font.pointSize() + 4)
        font.setBold(True)
        self.title.setFont(font)
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title.setWordWrap(True)
        self.detail = QLabel(self)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.detail.setWordWrap(True)
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 0)
        self.bar.setFixedWidth(360)  # centred, so its size hint alone would be a stub
        self._eta = EtaEstimator()
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.clicked.connect(self.cancel_requested)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.title)
        layout.addWidget(self.detail)
        layout.addWidget(self.bar, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.cancel_button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)

    def start(self, title: str, detail: str = "") -> None:
        self.title.setText(title)
        self.detail.setText(detail)
        self.bar.setRange(0, 0)
        self.cancel_button.setEnabled(True)
        self._eta.reset()

    def set_progress(self, done: int, total: int, *, now: float | None = None) -> None:
        """``"353 of 1,400 images · about 0:38 left"`` (the time once the rate is known)."""
        if total <= 0:
            return
        self.bar.setRange(0, total)
        self.bar.setValue(min(done, total))
        self._eta.update(done, now=now)
        text = f"{done:,} of {total:,} images"
        left = self._eta.remaining_s(total)
        if left is not None and done < total:
            text += f" · about {format_duration(left)} left"
        self.detail.setText(text)
