"""The review strip above the canvas: which proposals, how confident, the queue, the batch job.

One row: the run whose proposals are drawn, the confidence slider (a re-filter of
the cached proposals, no model run), how many of the image's proposals it shows,
the queue and batch buttons, and, while a batch job runs, its progress with rate,
ETA and Cancel (Resume after a cancel). It only shows state and emits what the
user chose; :class:`~lgad_studio.gui.review.controller.ReviewController` acts.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSlider,
    QToolButton,
    QWidget,
)

SLIDER_STEPS = 100  # the slider's integer positions are hundredths of existence probability
NO_RUN = "no proposals yet"
HIDE = "none (hide proposals)"


class ReviewBar(QWidget):
    """Run chooser, confidence slider, counts, queue/batch buttons, batch progress."""

    run_chosen = Signal(object)  # run key or None
    min_existence_changed = Signal(float)
    cancel_requested = Signal()
    resume_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.run_box = QComboBox(self)
        self.run_box.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.run_box.setMinimumContentsLength(18)
        self.run_box.setToolTip("Whose proposals are drawn dashed over the labels")
        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.setRange(0, SLIDER_STEPS)
        self.slider.setSingleStep(5)
        self.slider.setPageStep(10)
        self.slider.setFixedWidth(110)
        self.slider.setToolTip(
            "Show proposed lanes whose existence probability is at least this "
            "(the cached proposals are filtered again; the model does not run)"
        )
        self.value_label = QLabel(self)
        self.shown_label = QLabel(self)
        self.progress = QProgressBar(self)
        self.progress.setMaximumWidth(160)
        self.progress.setTextVisible(True)
        self.status_label = QLabel(self)
        self.cancel_button = QPushButton("Cancel", self)
        self.resume_button = QPushButton("Resume", self)
        self.cancel_button.setToolTip("Stop the batch after the images in work; they are kept")
        self.resume_button.setToolTip("Continue the cancelled batch where it stopped")
        self._buttons = QHBoxLayout()
        self._buttons.setContentsMargins(0, 0, 0, 0)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(2, 0, 2, 0)
        layout.addLayout(self._buttons)
        layout.addWidget(QLabel("Proposals", self))
        layout.addWidget(self.run_box)
        layout.addWidget(QLabel("Confidence ≥", self))
        layout.addWidget(self.slider)
        layout.addWidget(self.value_label)
        layout.addWidget(self.shown_label)
        layout.addStretch(1)
        for widget in (self.progress, self.status_label, self.cancel_button, self.resume_button):
            layout.addWidget(widget)
        self.status_label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.run_box.currentIndexChanged.connect(self._on_run_box_changed)
        self.slider.valueChanged.connect(self._on_slider_changed)
        self.cancel_button.clicked.connect(self.cancel_requested)
        self.resume_button.clicked.connect(self.resume_requested)
        self.set_runs([], None)
        self.set_min_existence(0.5)
        self.show_idle("")

    def add_action_button(self, action: QAction) -> QToolButton:
        """A button for one of the panel's actions (its text, tooltip and enabled state)."""
        button = QToolButton(self)
        button.setDefaultAction(action)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self._buttons.addWidget(button)
        return button

    # -- what is shown ----------------------------------------------------------------------
    def set_runs(self, runs: list[tuple[str, str]], shown: str | None) -> None:
        """``runs``: ``(run key, title)`` pairs; ``shown``: the run drawn now."""
        self.run_box.blockSignals(True)
        self.run_box.clear()
        for key, title in runs:
            self.run_box.addItem(title, key)
            self.run_box.setItemData(self.run_box.count() - 1, title, Qt.ItemDataRole.ToolTipRole)
        self.run_box.addItem(HIDE if runs else NO_RUN, None)
        index = self.run_box.findData(shown) if shown is not None else -1
        self.run_box.setCurrentIndex(index if index >= 0 else self.run_box.count() - 1)
        self.run_box.setEnabled(bool(runs))
        self.run_box.blockSignals(False)

    def set_min_existence(self, value: float) -> None:
        self.slider.blockSignals(True)
        self.slider.setValue(round(value * SLIDER_STEPS))
        self.slider.blockSignals(False)
        self.value_label.setText(f"{value:.2f}")

    @property
    def min_existence(self) -> float:
        return self.slider.value() / SLIDER_STEPS

    def set_shown(self, shown: int, total: int) -> None:
        """``shown`` of the image's ``total`` proposals pass the filter (and are not lanes yet)."""
        self.shown_label.setText(f"· {shown} of {total} shown" if total else "")

    def show_running(self, done: int, total: int, text: str) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(min(done, max(total, 1)))
        self.progress.setFormat(f"{done:,} / {total:,}")
        self.status_label.setText(text)
        for widget in (self.progress, self.status_label, self.cancel_button):
            widget.setVisible(True)
        self.cancel_button.setEnabled(True)
        self.resume_button.setVisible(False)

    def show_idle(self, text: str, *, resumable: bool = False) -> None:
        self.progress.setVisible(False)
        self.cancel_button.setVisible(False)
        self.status_label.setText(text)
        self.status_label.setVisible(bool(text))
        self.resume_button.setVisible(resumable)

    # -- user input ---------------------------------------------------------------------------
    def _on_run_box_changed(self, index: int) -> None:
        self.run_chosen.emit(self.run_box.itemData(index))

    def _on_slider_changed(self, position: int) -> None:
        value = position / SLIDER_STEPS
        self.value_label.setText(f"{value:.2f}")
        self.min_existence_changed.emit(value)
