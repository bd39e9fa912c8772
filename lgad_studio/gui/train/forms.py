"""Settings forms of the Train tab; each builds the engine's frozen config.

``TeacherForm.config(data=, out=)`` -> ``TeacherConfig``; ``StudentForm.config(...)``
-> ``StudentConfig``. Validation is the config's own (``ConfigError`` names the
field and what was expected); the forms only map widgets to fields.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from lgad_studio.core.training.config import StudentConfig, TeacherConfig, TrainConfig

# The names of lgad_studio.core.models.ARCHITECTURES and STAGE_NAMES, spelled out so that
# opening the window does not import torch (a test checks they stay equal).
ARCHITECTURES = ("enet", "erfnet")
STAGE_NAMES = ("initial", "stage1", "stage2", "stage3")

MODE_LABELS = {
    "lgad": "LGAD (teacher's attention)",
    "sad": "SAD (self attention)",
    "none": "Baseline",
}


def _spin(lo: int, hi: int, value: int, *, step: int = 1) -> QSpinBox:
    box = QSpinBox()
    box.setRange(lo, hi)
    box.setSingleStep(step)
    box.setValue(value)
    return box


def _double(lo: float, hi: float, value: float, *, decimals: int, step: float) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(lo, hi)
    box.setDecimals(decimals)
    box.setSingleStep(step)
    box.setValue(value)
    return box


class _CommonFields:
    """Architecture, width, input size, epochs, batch, learning rate: shared by both forms."""

    def __init__(self, form: QFormLayout, defaults: TrainConfig) -> None:
        self.arch = QComboBox()
        self.arch.addItems(list(ARCHITECTURES))
        self.arch.setCurrentText(defaults.arch)
        self.width = _double(0.05, 4.0, defaults.width, decimals=2, step=0.05)
        self.input_w = _spin(8, 4096, defaults.input_size[0], step=8)
        self.input_h = _spin(8, 4096, defaults.input_size[1], step=8)
        size = QHBoxLayout()
        size.addWidget(self.input_w)
        size.addWidget(self.input_h)
        self.epochs = _spin(1, 10_000, defaults.epochs)
        self.batch = _spin(1, 1024, defaults.batch_size)
        self.lr = _double(1e-6, 10.0, defaults.lr, decimals=5, step=1e-4)
        form.addRow("Architecture", self.arch)
        form.addRow("Width multiplier", self.width)
        form.addRow("Input size (W × H)", size)
        form.addRow("Epochs", self.epochs)
        form.addRow("Batch size", self.batch)
        form.addRow("Learning rate", self.lr)

    def values(self) -> dict:
        return {
            "arch": self.arch.currentText(),
            "width": round(self.width.value(), 4),
            "input_size": (self.input_w.value(), self.input_h.value()),
            "epochs": self.epochs.value(),
            "batch_size": self.batch.value(),
            "lr": self.lr.value(),
        }

    def set_values(self, config: TrainConfig) -> None:
        self.arch.setCurrentText(config.arch)
        self.width.setValue(config.width)
        self.input_w.setValue(config.input_size[0])
        self.input_h.setValue(config.input_size[1])
        self.epochs.setValue(config.epochs)
        self.batch.setValue(config.batch_size)
        self.lr.setValue(config.lr)


class TeacherForm(QGroupBox):
    """Teacher settings and the **Train teacher** button."""

    train_requested = Signal()

    def __init__(
        self, parent: QWidget | None = None, *, defaults: TeacherConfig | None = None
    ) -> None:
        super().__init__("Teacher (input: the label map)", parent)
        self._defaults = defaults or TeacherConfig()
        form = QFormLayout(self)
        self.fields = _CommonFields(form, self._defaults)
        self.train_button = QPushButton("Train teacher")
        self.train_button.clicked.connect(self.train_requested)
        form.addRow(self.train_button)

    def config(self, *, data: str, out: str) -> TeacherConfig:
        """The teacher config of the form (raises ``ConfigError`` naming a bad field)."""
        config = self._defaults.replace(data=data, out=out, **self.fields.values())
        config.validate(source="teacher settings")
        return config

    @property
    def defaults(self) -> TeacherConfig:
        """The config the form's fields start from (fields it has no widget for come from here)."""
        return self._defaults

    def set_config(self, config: TeacherConfig) -> None:
        self._defaults = config
        self.fields.set_values(config)


class StudentForm(QGroupBox):
    """Student settings (mode, teacher, stages, λ) and the **Distill student** button."""

    distill_requested = Signal()

    def __init__(
        self, parent: QWidget | None = None, *, defaults: StudentConfig | None = None
    ) -> None:
        super().__init__("Student (input: the image)", parent)
        self._defaults = defaults or StudentConfig(teacher=None)
        form = QFormLayout(self)
        self.mode = QComboBox()
        for mode, label in MODE_LABELS.items():
            self.mode.addItem(label, mode)
        self.teacher = QLineEdit()
        self.teacher.setPlaceholderText("teacher checkpoint (.pt)")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._on_browse_clicked)
        teacher_row = QHBoxLayout()
        teacher_row.addWidget(self.teacher, 1)
        teacher_row.addWidget(browse)
        self.stage_boxes = {name: QCheckBox(name) for name in STAGE_NAMES}
        stages_row = QHBoxLayout()
        for box in self.stage_boxes.values():
            stages_row.addWidget(box)
        self.at_weight = _double(0.0, 100.0, self._defaults.at_weight, decimals=3, step=0.05)
        form.addRow("Mode", self.mode)
        form.addRow("Teacher", teacher_row)
        form.addRow("Distilled stages", stages_row)
        form.addRow("λ (attention weight)", self.at_weight)
        self.fields = _CommonFields(form, self._defaults)
        self.distill_button = QPushButton("Distill student")
        self.distill_button.clicked.connect(self.distill_requested)
        form.addRow(self.distill_button)
        self.mode.currentIndexChanged.connect(self._on_mode_changed)
        self._on_mode_changed()

    def current_mode(self) -> str:
        return str(self.mode.currentData())

    def set_mode(self, mode: str) -> None:
        self.mode.setCurrentIndex(self.mode.findData(mode))

    def set_teacher(self, path: str | Path) -> None:
        self.teacher.setText(str(path))

    def stages(self) -> tuple[str, ...]:
        return tuple(name for name, box in self.stage_boxes.items() if box.isChecked())

    def config(self, *, data: str, out: str) -> StudentConfig:
        """The student config of the form (raises ``ConfigError`` naming a bad field)."""
        mode = self.current_mode()
        config = self._defaults.replace(
            data=data,
            out=out,
            mode=mode,
            teacher=self.teacher.text().strip() or None if mode == "lgad" else None,
            stages=self.stages() if mode != "none" else None,
            at_weight=self.at_weight.value(),
            **self.fields.values(),
        )
        config.validate(source="student settings")
        return config

    @property
    def defaults(self) -> StudentConfig:
        """The config the form's fields start from (fields it has no widget for come from here)."""
        return self._defaults

    def set_config(self, config: StudentConfig) -> None:
        self._defaults = config
        self.set_mode(config.mode)
        self.teacher.setText(config.teacher or "")
        self.at_weight.setValue(config.at_weight)
        self.fields.set_values(config)
        self._check_stages(config.resolved_stages())

    def _check_stages(self, stages: tuple[str, ...]) -> None:
        for name, box in self.stage_boxes.items():
            box.setChecked(name in stages)

    def _on_mode_changed(self) -> None:
        mode = self.current_mode()
        self.teacher.setEnabled(mode == "lgad")
        for box in self.stage_boxes.values():
            box.setEnabled(mode != "none")
        self.at_weight.setEnabled(mode != "none")
        self._check_stages(self._defaults.replace(mode=mode).resolved_stages())

    def _on_browse_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Teacher checkpoint", self.teacher.text(), "Checkpoints (*.pt)"
        )
        if path:
            self.teacher.setText(path)
