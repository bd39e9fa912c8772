"""The dataset browser: the image list with split, category and label-state filters and search.

The list model holds entry names only; a row's label state is looked up when the
row is painted and cached, so a 100k-image list opens without touching 100k files.
States: ``unlabelled`` (no label file), ``labelled`` (a file on disk), ``edited``
(changed in this session and saved) and ``unsaved`` (changed, not yet on disk).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QStringListModel, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QListView,
    QVBoxLayout,
    QWidget,
)

from lgad_studio.core.formats.dataset import LaneDataset

STATES = ("unlabelled", "labelled", "edited", "unsaved")
STATE_COLOURS = {
    "unlabelled": "#8a8a8a",
    "labelled": "#3fb950",
    "edited": "#2f81f7",
    "unsaved": "#f0883e",
}
ALL = "All"


def _dot(colour: str) -> QIcon:
    pixmap = QPixmap(12, 12)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(QColor(colour))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawEllipse(1, 1, 10, 10)
    painter.end()
    return QIcon(pixmap)


class EntryListModel(QStringListModel):
    """The visible entries of one split, each shown with a dot for its label state.

    A ``QStringListModel`` so that ``rowCount``/``index`` stay in C++: the list view
    calls them once per row while laying out, which in Python costs a second per
    100k rows. Only ``data`` is Python, and it is asked for the visible rows only.
    """

    def __init__(self, state_of: Callable[[str], str], parent=None) -> None:
        super().__init__(parent)
        self._entries: list[str] = []
        self._rows: dict[str, int] | None = None
        self._state_of = state_of
        self._icons = {state: _dot(colour) for state, colour in STATE_COLOURS.items()}
        self._italic = QFont()
        self._italic.setItalic(True)

    def set_entries(self, entries: list[str]) -> None:
        self._entries = entries
        self._rows = None
        self.setStringList(entries)

    @property
    def entries(self) -> list[str]:
        return self._entries

    def row_of(self, entry: str) -> int | None:
        if self._rows is None:  # built on first use: most sessions never ask
            self._rows = {e: i for i, e in enumerate(self._entries)}
        return self._rows.get(entry)

    def entry_changed(self, entry: str) -> None:
        row = self.row_of(entry)
        if row is not None:
            index = self.index(row)
            self.dataChanged.emit(index, index)

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ):
        if not index.isValid():
            return None
        entry = self._entries[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return entry + ("  ●" if self._state_of(entry) == "unsaved" else "")
        if role == Qt.ItemDataRole.DecorationRole:
            return self._icons[self._state_of(entry)]
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{entry} — {self._state_of(entry)}"
        if role == Qt.ItemDataRole.FontRole and self._state_of(entry) == "unsaved":
            return self._italic
        if role == Qt.ItemDataRole.ForegroundRole and self._state_of(entry) == "unsaved":
            return QBrush(QColor(STATE_COLOURS["unsaved"]))
        return None


class DatasetBrowser(QWidget):
    """Split / category / state filters, a search box and the list of images."""

    entry_selected = Signal(str)

    def __init__(self, state_of: Callable[[str], str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._dataset: LaneDataset | None = None
        self._split_entries: list[str] = []
        self._categories: dict[str, str | None] = {}
        self.split_box = QComboBox(self)
        self.category_box = QComboBox(self)
        self.state_box = QComboBox(self)
        self.state_box.addItems([ALL, *STATES])
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search file names…")
        self.search.setClearButtonEnabled(True)
        self.model = EntryListModel(state_of, self)
        self.view = QListView(self)
        self.view.setModel(self.model)
        self.view.setUniformItemSizes(True)  # constant-time layout for 100k rows
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.count_label = QLabel(self)
        legend = QLabel(
            "  ".join(f"<span style='color:{c}'>●</span> {s}" for s, c in STATE_COLOURS.items()),
            self,
        )
        legend.setToolTip("Label state: no file yet, on disk, changed and saved, not saved yet")
        grid = QGridLayout()
        for row, (name, widget) in enumerate(
            (("Split", self.split_box), ("Category", self.category_box), ("Labels", self.state_box))
        ):
            grid.addWidget(QLabel(name, self), row, 0)
            grid.addWidget(widget, row, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(grid)
        layout.addWidget(self.search)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.count_label)
        layout.addWidget(legend)
        self.split_box.currentTextChanged.connect(self._on_split_changed)
        self.category_box.currentTextChanged.connect(self._apply_filters)
        self.state_box.currentTextChanged.connect(self._apply_filters)
        self.search.textChanged.connect(self._apply_filters)
        self.view.selectionModel().currentChanged.connect(self._on_view_current_changed)

    # -- dataset and filters --------------------------------------------------------------
    def set_dataset(self, dataset: LaneDataset | None, *, split: str | None = None) -> None:
        self._dataset = dataset
        names = dataset.split_names() if dataset is not None else []
        with _blocked(self.split_box):
            self.split_box.clear()
            self.split_box.addItems(names)
            if split in names:
                self.split_box.setCurrentText(split)
        self._on_split_changed(self.split_box.currentText())

    @property
    def split(self) -> str:
        return self.split_box.currentText()

    def _on_split_changed(self, split: str) -> None:
        dataset = self._dataset
        self._split_entries = dataset.entries(split) if dataset is not None and split else []
        self._categories = {}
        categories: set[str] = set()
        if dataset is not None and dataset.kind == "culane" and split.startswith("test"):
            self._categories = {e: dataset.category(e) for e in self._split_entries}
            categories = {c for c in self._categories.values() if c}
        with _blocked(self.category_box):
            self.category_box.clear()
            self.category_box.addItems([ALL, *sorted(categories)])
        self.category_box.setEnabled(bool(categories))
        self._apply_filters()

    def _apply_filters(self) -> None:
        entries = self._split_entries
        category = self.category_box.currentText()
        if category and category != ALL:
            entries = [e for e in entries if self._categories.get(e) == category]
        text = self.search.text().strip().lower()
        if text:
            entries = [e for e in entries if text in e.lower()]
        state = self.state_box.currentText()
        if state and state != ALL:
            entries = [e for e in entries if self.model._state_of(e) == state]
        current = self.current_entry()
        self.model.set_entries(entries)
        total = len(self._split_entries)
        self.count_label.setText(f"{len(entries):,} of {total:,} images")
        if current is not None:
            self.select_entry(current, emit=False)

    # -- selection ------------------------------------------------------------------------
    def current_entry(self) -> str | None:
        index = self.view.currentIndex()
        return self.model.entries[index.row()] if index.isValid() else None

    def select_entry(self, entry: str, *, emit: bool = True) -> bool:
        """Make ``entry`` the current row (if visible); ``emit=False`` stays silent."""
        row = self.model.row_of(entry)
        if row is None:
            return False
        with _blocked(self.view.selectionModel(), active=not emit):
            self.view.setCurrentIndex(self.model.index(row))
        self.view.scrollTo(self.model.index(row))
        return True

    def reveal(self, entry: str) -> bool:
        """Make ``entry`` the current row, clearing filters or switching split if needed."""
        if self.select_entry(entry, emit=False):
            return True
        for box in (self.category_box, self.state_box):
            with _blocked(box):
                box.setCurrentText(ALL)
        with _blocked(self.search):
            self.search.clear()
        self._apply_filters()
        if self.select_entry(entry, emit=False) or self._dataset is None:
            return self.model.row_of(entry) is not None
        for split in self._dataset.split_names():
            if split != self.split and entry in set(self._dataset.entries(split)):
                self.split_box.setCurrentText(split)
                return self.select_entry(entry, emit=False)
        return False

    def neighbour(self, entry: str | None, step: int) -> str | None:
        """The visible entry ``step`` rows away from ``entry`` (clamped), or ``None``."""
        entries = self.model.entries
        if not entries:
            return None
        row = self.model.row_of(entry) if entry is not None else None
        if row is None:
            return entries[0]
        target = row + step
        return entries[target] if 0 <= target < len(entries) else None

    def _on_view_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self.entry_selected.emit(self.model.entries[current.row()])


class _blocked:
    """``with _blocked(obj):`` silence a QObject's signals while syncing it from the model."""

    def __init__(self, obj, *, active: bool = True) -> None:
        self._obj, self._active, self._old = obj, active, False

    def __enter__(self):
        if self._active:
            self._old = self._obj.blockSignals(True)
        return self._obj

    def __exit__(self, *exc) -> None:
        if self._active:
            self._obj.blockSignals(self._old)
