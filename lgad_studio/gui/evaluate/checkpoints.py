"""The Evaluate tab's checkpoint picker: student checkpoints (or ONNX exports), checkable."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListWidget, QListWidgetItem

_PATH_ROLE = Qt.ItemDataRole.UserRole


class CheckpointPicker(QListWidget):
    """One checkable row per model file, shown as ``<run folder>/<file>``."""

    def add(self, paths, *, checked: bool = True) -> None:
        """Add ``paths`` (duplicates are ignored, rows already there take ``checked``)."""
        for path in map(Path, paths):
            item = self.item_for(path)
            if item is None:
                item = QListWidgetItem(f"{path.parent.name}/{path.name}")
                item.setData(_PATH_ROLE, str(path))
                item.setToolTip(str(path))
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                self.addItem(item)
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def uncheck_all(self) -> None:
        for item in self._items():
            item.setCheckState(Qt.CheckState.Unchecked)

    def checked(self) -> list[Path]:
        return [
            Path(i.data(_PATH_ROLE))
            for i in self._items()
            if i.checkState() == Qt.CheckState.Checked
        ]

    def item_for(self, path: Path) -> QListWidgetItem | None:
        for item in self._items():
            if item.data(_PATH_ROLE) == str(path):
                return item
        return None

    def _items(self) -> list[QListWidgetItem]:
        return [self.item(i) for i in range(self.count())]
