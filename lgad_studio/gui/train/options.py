"""The Train tab's run options: dataset, preset, run name, runs folder (with Browse), threads.

Presets are the shipped JSON files (:mod:`lgad_studio.core.presets`), the same the
CLI reads; choosing one fills both forms. The run name becomes part of the run
folder's name (``<date>-<time>-<kind>-<name>``).
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from lgad_studio.core.presets import load_preset, preset_names

DEFAULT_PRESET = "default"


class RunOptions(QWidget):
    """Everything above the two forms; emits what changed."""

    preset_chosen = Signal(dict)  # the loaded preset
    runs_root_changed = Signal(object)  # Path

    def __init__(self, *, runs_root: Path, threads: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.dataset_label = QLabel("No dataset open")
        self.dataset_label.setWordWrap(True)
        self.preset_box = QComboBox()
        self._presets = {name: load_preset(name) for name in preset_names()}
        for name, preset in self._presets.items():
            self.preset_box.addItem(name)
            self.preset_box.setItemData(
                self.preset_box.count() - 1, preset["description"], Qt.ItemDataRole.ToolTipRole
            )
        self.preset_box.setToolTip("Fills both forms with a shipped preset (resources/presets)")
        self.run_name = QLineEdit()
        self.run_name.setPlaceholderText("optional, e.g. first-try")
        self.run_name.setToolTip("Added to the run folder's name: <date>-<time>-<kind>-<name>")
        self.runs_folder = QLineEdit(str(runs_root))
        self.runs_folder.setReadOnly(True)
        self.runs_folder.setToolTip(str(runs_root))
        self.browse_button = QPushButton("Browse…")
        self.browse_button.clicked.connect(self._on_browse_clicked)
        folder_row = QHBoxLayout()
        folder_row.setContentsMargins(0, 0, 0, 0)
        folder_row.addWidget(self.runs_folder, 1)
        folder_row.addWidget(self.browse_button)
        self.threads = QSpinBox()
        self.threads.setRange(1, max(1, os.cpu_count() or 1))
        self.threads.setValue(threads)
        self.threads.setToolTip(
            "torch CPU threads for the next job (process-wide; 1 keeps the window responsive)"
        )
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Dataset", self.dataset_label)
        form.addRow("Preset", self.preset_box)
        form.addRow("Run name", self.run_name)
        form.addRow("Runs folder", folder_row)
        form.addRow("CPU threads", self.threads)
        self.preset_box.currentTextChanged.connect(self._on_preset_changed)

    @property
    def runs_root(self) -> Path:
        return Path(self.runs_folder.text())

    def set_runs_root(self, path: str | Path) -> None:
        path = Path(path)
        if path == self.runs_root:
            return
        self.runs_folder.setText(str(path))
        self.runs_folder.setToolTip(str(path))
        self.runs_root_changed.emit(path)

    def preset(self, name: str | None = None) -> dict:
        return self._presets[name or self.preset_box.currentText()]

    def choose_preset(self, name: str) -> None:
        """Select ``name`` and fill the forms with it (also when it is already selected)."""
        if self.preset_box.currentText() == name:
            self._on_preset_changed(name)
        else:
            self.preset_box.setCurrentText(name)

    def _on_preset_changed(self, name: str) -> None:
        if name in self._presets:
            self.preset_box.setToolTip(self._presets[name]["description"])
            self.preset_chosen.emit(self._presets[name])

    def _on_browse_clicked(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Runs folder", str(self.runs_root))
        if path:
            self.set_runs_root(path)
