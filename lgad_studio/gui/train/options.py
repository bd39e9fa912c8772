"""The Train tab's run options: dataset, preset, run name, runs folder (with Browse), threads,
and an optional prepared image cache (Choose… a file ``lgad-studio prepare-cache`` wrote, or
Build… one for the open dataset: :mod:`.cache_build`).

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
BUILD_TIP = (
    "Decode the open dataset's train and val images once into a cache file, at the student "
    "form's input size (about 0.7 MB per CULane image at 800x288)"
)


class RunOptions(QWidget):
    """Everything above the two forms; emits what changed."""

    preset_chosen = Signal(dict)  # the loaded preset
    runs_root_changed = Signal(object)  # Path
    build_cache_clicked = Signal()

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
        self.image_cache = QLineEdit()
        self.image_cache.setReadOnly(True)
        self.image_cache.setPlaceholderText("none")  # every image is decoded
        self.image_cache.setToolTip(
            "A prepared image cache (lgad-studio prepare-cache): decoded images read from one "
            "file, the same samples; changed images are decoded"
        )
        self.cache_button = QPushButton("Choose…")
        self.cache_button.clicked.connect(self._on_cache_clicked)
        self.cache_build = QPushButton("Build…")
        self.cache_build.setToolTip(BUILD_TIP)
        self.cache_build.clicked.connect(self.build_cache_clicked)
        self.cache_clear = QPushButton("Clear")
        self.cache_clear.clicked.connect(self._on_cache_clear_clicked)
        self.cache_clear.setEnabled(False)
        cache_row = QHBoxLayout()
        cache_row.setContentsMargins(0, 0, 0, 0)
        cache_row.addWidget(self.image_cache, 1)
        cache_row.addWidget(self.cache_button)
        cache_row.addWidget(self.cache_build)
        cache_row.addWidget(self.cache_clear)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Dataset", self.dataset_label)
        form.addRow("Preset", self.preset_box)
        form.addRow("Run name", self.run_name)
        form.addRow("Runs folder", folder_row)
        form.addRow("CPU threads", self.threads)
        form.addRow("Image cache", cache_row)
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

    def image_cache_path(self) -> Path | None:
        """The chosen cache file, or ``None`` (decode every image)."""
        text = self.image_cache.text()
        return Path(text) if text else None

    def set_image_cache(self, path: str | Path | None) -> None:
        self.image_cache.setText(str(path) if path else "")
        self.image_cache.setToolTip(str(path) if path else self.image_cache.placeholderText())
        self.cache_clear.setEnabled(bool(path))

    def set_building(self, building: bool) -> None:
        """While a cache build is queued or running, Build… cancels it."""
        self.cache_build.setText("Cancel build" if building else "Build…")
        self.cache_build.setToolTip("Stop the build; nothing is written" if building else BUILD_TIP)

    def with_image_cache(self, config):
        """``config`` reading the chosen image cache; a file that is not one is refused here
        (:class:`~lgad_studio.core.training.image_cache.CacheError` names it)."""
        path = self.image_cache_path()
        if path is None:
            return config
        from lgad_studio.core.training.image_cache import ImageCache

        ImageCache(path)
        return config.replace(image_cache=str(path))

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

    def _on_cache_clicked(self) -> None:
        start = str(self.image_cache_path() or self.runs_root)
        path, _ = QFileDialog.getOpenFileName(
            self, "Prepared image cache", start, "Image caches (*.lgadcache);;All files (*)"
        )
        if path:
            self.set_image_cache(path)

    def _on_cache_clear_clicked(self) -> None:
        self.set_image_cache(None)
