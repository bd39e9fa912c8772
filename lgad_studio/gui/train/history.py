"""Run history: every run of the session and of the runs folder, with its checkpoints.

Top-level rows are runs (kind, state, best validation F1, the labels they trained
on: the first digits of ``run_info.json``'s label hash, so runs on the same labels
read the same); children are their checkpoint files. Buttons act on the selected run or checkpoint: use it as the
teacher, evaluate it, copy it elsewhere, export it to ONNX.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from lgad_studio.gui.train.runs import RunRecord

_PATH_ROLE = Qt.ItemDataRole.UserRole
COLUMNS = ("Run", "Kind", "State", "Best F1", "Labels")
LABELS_DIGITS = 8


def labels_tooltip(record: RunRecord) -> str:
    """The full label hash of a run and what it covers."""
    if not record.labels_sha:
        return "No label hash recorded (a run from before the studio recorded it, or not started)"
    count = f" ({record.labelled_images:,} labelled images)" if record.labelled_images else ""
    return (
        f"Labels this run trained on: sha256 {record.labels_sha}{count}. Runs with the same "
        "digits trained on the same training and validation labels."
    )


class RunHistory(QWidget):
    """A tree of runs and checkpoints with the actions that need a checkpoint."""

    use_as_teacher_requested = Signal(object)  # Path
    evaluate_requested = Signal(object)  # list[Path]
    export_checkpoint_requested = Signal(object)  # Path
    export_onnx_requested = Signal(object)  # Path

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(list(COLUMNS))
        self.tree.setColumnWidth(0, 260)
        self.tree.setMinimumHeight(80)
        self.tree.setSelectionMode(QTreeWidget.SelectionMode.ExtendedSelection)
        self.tree.itemSelectionChanged.connect(self._on_tree_selection_changed)
        self.teacher_button = QPushButton("Use as teacher")
        self.evaluate_button = QPushButton("Evaluate")
        self.evaluate_button.setToolTip(
            "Evaluate the selected student checkpoints on the test split"
        )
        self.copy_button = QPushButton("Export checkpoint…")
        self.onnx_button = QPushButton("Export ONNX…")
        self.teacher_button.clicked.connect(
            lambda: self._emit_single(self.use_as_teacher_requested)
        )
        self.copy_button.clicked.connect(
            lambda: self._emit_single(self.export_checkpoint_requested)
        )
        self.onnx_button.clicked.connect(lambda: self._emit_single(self.export_onnx_requested))
        self.evaluate_button.clicked.connect(
            lambda: self.evaluate_requested.emit(self.selected_checkpoints())
        )
        buttons = QHBoxLayout()
        for button in (
            self.teacher_button,
            self.evaluate_button,
            self.copy_button,
            self.onnx_button,
        ):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tree, 1)
        layout.addLayout(buttons)
        self._records: dict[Path, RunRecord] = {}
        self._items: dict[Path, QTreeWidgetItem] = {}
        self._on_tree_selection_changed()

    # --- content -------------------------------------------------------------------
    def clear(self) -> None:
        """Forget every row (another runs folder was chosen)."""
        self.tree.clear()
        self._records.clear()
        self._items.clear()
        self._on_tree_selection_changed()

    def set_runs(self, records: list[RunRecord]) -> None:
        for record in records:
            self.upsert(record)

    def upsert(self, record: RunRecord) -> None:
        """Add or refresh a run's row and its checkpoint children."""
        self._records[record.run_dir] = record
        item = self._items.get(record.run_dir)
        if item is None:
            item = QTreeWidgetItem(self.tree)
            self._items[record.run_dir] = item
        f1 = f"{record.best_f1:.3f}" if record.best_f1 is not None else "–"
        labels = record.labels_sha[:LABELS_DIGITS] if record.labels_sha else "–"
        for column, text in enumerate((record.name, record.label, record.state, f1, labels)):
            item.setText(column, text)
        item.setToolTip(4, labels_tooltip(record))
        item.setData(0, _PATH_ROLE, str(record.best_checkpoint() or ""))
        item.setToolTip(0, str(record.run_dir))
        existing = {item.child(i).data(0, _PATH_ROLE) for i in range(item.childCount())}
        for path in record.checkpoints():
            if str(path) not in existing:
                child = QTreeWidgetItem(item, [path.name, record.label, "checkpoint", ""])
                child.setData(0, _PATH_ROLE, str(path))
                child.setToolTip(0, str(path))
        self._on_tree_selection_changed()

    def record(self, run_dir: Path) -> RunRecord | None:
        return self._records.get(run_dir)

    def records(self) -> list[RunRecord]:
        return list(self._records.values())

    def select_checkpoint(self, path: Path) -> None:
        """Select the row holding ``path`` (a run's best checkpoint or a child)."""
        self.tree.clearSelection()
        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            for item in [top] + [top.child(j) for j in range(top.childCount())]:
                if item.data(0, _PATH_ROLE) == str(path):
                    item.setSelected(True)
                    self.tree.setCurrentItem(item)
                    return

    def selected_checkpoints(self) -> list[Path]:
        paths = []
        for item in self.tree.selectedItems():
            value = item.data(0, _PATH_ROLE)
            if value and Path(value) not in paths:
                paths.append(Path(value))
        return paths

    # --- internals ---------------------------------------------------------------------
    def _selected_kinds(self) -> set[str]:
        kinds = set()
        for path in self.selected_checkpoints():
            record = self._records.get(path.parent)
            if record is not None:
                kinds.add(record.kind)
        return kinds

    def _emit_single(self, signal: Signal) -> None:
        paths = self.selected_checkpoints()
        if len(paths) == 1:
            signal.emit(paths[0])

    def _on_tree_selection_changed(self) -> None:
        paths = self.selected_checkpoints()
        kinds = self._selected_kinds()
        single = len(paths) == 1
        self.teacher_button.setEnabled(single and kinds == {"teacher"})
        self.copy_button.setEnabled(single)
        self.onnx_button.setEnabled(single and bool(kinds) and "teacher" not in kinds)
        self.evaluate_button.setEnabled(bool(paths) and "teacher" not in kinds)
