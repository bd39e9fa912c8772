"""The dataset browser: the image list with split, category, label-state and uncertainty filters.

The list model holds entry names only; a row's label state (see
:mod:`~lgad_studio.gui.editor.label_states`) is looked up when the row is painted
and cached, so a 100k-image list opens without touching 100k files. The split box
lists the dataset's own splits; CULane's nine ``test<N>_<category>`` lists are the
Category filter of ``test``, not splits of their own. When a filter hides the image
being shown, the browser moves to the first image still listed (``entry_selected``)
or, with none left, says so (``emptied``): the list and the canvas never disagree.
With a review run shown (:mod:`lgad_studio.gui.review`), the list can be ordered most
uncertain first and limited to images at least that uncertain; each such row shows its
uncertainty, and keyframes of a clip are marked ◆. Several rows can be selected (Ctrl/Shift
click) for a batch auto-label; the current row is the image shown.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QStringListModel, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QListView,
    QVBoxLayout,
    QWidget,
)

from lgad_studio.core.autolabel.ranking import review_queue
from lgad_studio.core.formats.culane_lists import split_category
from lgad_studio.core.formats.dataset import LaneDataset
from lgad_studio.gui.editor.label_states import STATES, LabelStates
from lgad_studio.gui.palette import OKABE_ITO

STATE_COLOURS = {  # Okabe-Ito: distinct for colour-blind users; markers in the text as well
    "unlabelled": OKABE_ITO["grey"],
    "labelled": OKABE_ITO["bluish_green"],
    "error": OKABE_ITO["vermillion"],
    "edited": OKABE_ITO["sky_blue"],
    "unsaved": OKABE_ITO["orange"],
}
STATE_MARKERS = {"unsaved": "  ●", "error": "  ⚠"}
ALL = "All"
BY_NAME, BY_UNCERTAINTY = "List order", "Most uncertain first"
KEYFRAME_MARK = "  ◆"


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

    def __init__(self, states: LabelStates, parent=None) -> None:
        super().__init__(parent)
        self._entries: list[str] = []
        self._rows: dict[str, int] | None = None
        self.states = states
        self.scores: dict[str, float] = {}  # the shown review run's uncertainty per entry
        self.is_keyframe: Callable[[str], bool] = lambda entry: False
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
            score = self.scores.get(entry)
            note = f"  · {score:.2f}" if score is not None else ""
            mark = KEYFRAME_MARK if self.is_keyframe(entry) else ""
            return entry + STATE_MARKERS.get(self.states.state(entry), "") + mark + note
        if role == Qt.ItemDataRole.DecorationRole:
            return self._icons[self.states.state(entry)]
        if role == Qt.ItemDataRole.ToolTipRole:
            state, reason = self.states.state(entry), self.states.reason(entry)
            tip = f"{entry} — {state}" + (f": {reason}" if state == "error" else "")
            if entry in self.scores:
                tip += f"\nreview uncertainty {self.scores[entry]:.3f} (1 = review first)"
            return tip + ("\nkeyframe of its clip" if self.is_keyframe(entry) else "")
        if role == Qt.ItemDataRole.FontRole and self.states.state(entry) == "unsaved":
            return self._italic
        if role == Qt.ItemDataRole.ForegroundRole:
            state = self.states.state(entry)
            if state in STATE_MARKERS:
                return QBrush(QColor(STATE_COLOURS[state]))
        return None


class DatasetBrowser(QWidget):
    """Split / category / state filters, a search box and the list of images."""

    entry_selected = Signal(str)
    emptied = Signal()  # the filters hide every image, the one shown included

    def __init__(self, states: LabelStates, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._dataset: LaneDataset | None = None
        self._split_entries: list[str] = []
        self._categories: dict[str, str | None] = {}
        self._syncing = False  # the current row is being set from the model: no entry_selected
        self.shown_entry: str | None = None  # the image the editor shows (set by the panel)
        self.split_box = QComboBox(self)
        self.category_box = QComboBox(self)
        self.state_box = QComboBox(self)
        self.state_box.addItems([ALL, *STATES])
        self.order_box = QComboBox(self)
        self.order_box.addItems([BY_NAME, BY_UNCERTAINTY])
        self.order_box.setToolTip("Most uncertain first: the review queue of the shown proposals")
        self.min_uncertainty = QDoubleSpinBox(self)
        self.min_uncertainty.setRange(0.0, 1.0)
        self.min_uncertainty.setSingleStep(0.05)
        self.min_uncertainty.setDecimals(2)
        self.min_uncertainty.setSpecialValueText("any")
        self.min_uncertainty.setToolTip(
            "List only images whose review uncertainty is at least this (any: every image)"
        )
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search file names…")
        self.search.setClearButtonEnabled(True)
        self.model = EntryListModel(states, self)
        self.view = QListView(self)
        self.view.setModel(self.model)
        self.view.setUniformItemSizes(True)  # constant-time layout for 100k rows
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setMinimumWidth(160)
        self.count_label = QLabel(self)
        legend = QLabel(
            " ".join(
                f"<span style='color:{c}'>●{STATE_MARKERS.get(s, '').strip()}</span> {s}"
                for s, c in STATE_COLOURS.items()
            ),
            self,
        )
        legend.setWordWrap(True)
        legend.setToolTip(
            "Label state: no file yet, on disk, a file that does not parse, "
            "changed and saved, not saved yet"
        )
        grid = QGridLayout()
        for row, (name, widget) in enumerate(
            (
                ("Split", self.split_box),
                ("Category", self.category_box),
                ("Labels", self.state_box),
                ("Order", self.order_box),
                ("Uncertainty ≥", self.min_uncertainty),
            )
        ):
            grid.addWidget(QLabel(name, self), row, 0)
            grid.addWidget(widget, row, 1)
        grid.setColumnStretch(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(grid)
        layout.addWidget(self.search)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.count_label)
        layout.addWidget(legend)
        self.split_box.currentTextChanged.connect(self._on_split_changed)
        self.category_box.currentTextChanged.connect(self._on_filter_changed)
        self.state_box.currentTextChanged.connect(self._on_filter_changed)
        self.order_box.currentTextChanged.connect(self._on_filter_changed)
        self.min_uncertainty.valueChanged.connect(self._on_filter_changed)
        self.search.textChanged.connect(self._on_filter_changed)
        self.view.selectionModel().currentChanged.connect(self._on_view_current_changed)

    # -- dataset and filters --------------------------------------------------------------
    def set_dataset(self, dataset: LaneDataset | None, *, split: str | None = None) -> None:
        self._dataset = dataset
        self.shown_entry = None
        names = self.split_names()
        with _blocked(self.split_box):
            self.split_box.clear()
            self.split_box.addItems(names)
            if split in names:
                self.split_box.setCurrentText(split)
        self._load_split(self.split_box.currentText())
        self._apply_filters()

    def split_names(self) -> list[str]:
        """The dataset's splits, without CULane's per-category test lists when ``test`` exists
        (they are the Category filter of ``test``)."""
        names = self._dataset.split_names() if self._dataset is not None else []
        if "test" not in names:
            return names
        return [n for n in names if split_category(n) is None]

    @property
    def split(self) -> str:
        return self.split_box.currentText()

    def _on_split_changed(self, split: str) -> None:
        self._load_split(split)
        self._on_filter_changed()

    def _load_split(self, split: str) -> None:
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

    def _on_filter_changed(self) -> None:
        """A filter changed: list what matches, and never keep showing an image it hides."""
        self._apply_filters()
        shown = self.shown_entry
        if shown is not None and self.model.row_of(shown) is not None:
            return
        first = self.neighbour(None, 0)
        if first is not None:
            self.entry_selected.emit(first)
        elif shown is not None:
            self.emptied.emit()

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
            entries = [e for e in entries if self.model.states.state(e) == state]
        entries = self._review_filtered(entries)
        self.model.set_entries(entries)
        total = len(self._split_entries)
        self.count_label.setText(f"{len(entries):,} of {total:,} images")
        if self.shown_entry is not None:
            self.select_entry(self.shown_entry, emit=False)

    def set_scores(self, scores: dict[str, float]) -> None:
        """The shown review run's ``{entry: uncertainty}`` (empty: none); re-lists if it matters."""
        self.model.scores = scores
        if self.order_box.currentText() == BY_UNCERTAINTY or self.min_uncertainty.value() > 0:
            self._on_filter_changed()
        else:
            self.view.viewport().update()

    def _review_filtered(self, entries: list[str]) -> list[str]:
        """The uncertainty filter and order: images without a score are left out by the filter
        and listed after the scored ones, in list order, by the order."""
        scores, minimum = self.model.scores, self.min_uncertainty.value()
        if minimum > 0:
            entries = [e for e in entries if scores.get(e, -1.0) >= minimum]
        if self.order_box.currentText() != BY_UNCERTAINTY:
            return entries
        scored = review_queue({e: scores[e] for e in entries if e in scores})
        return scored + [e for e in entries if e not in scores]

    # -- selection ------------------------------------------------------------------------
    def selected_entries(self) -> list[str]:
        """The selected rows' entries in list order (the current one included)."""
        rows = sorted(i.row() for i in self.view.selectionModel().selectedRows())
        return [self.model.entries[r] for r in rows]

    def current_entry(self) -> str | None:
        index = self.view.currentIndex()
        return self.model.entries[index.row()] if index.isValid() else None

    def select_entry(self, entry: str, *, emit: bool = True) -> bool:
        """Make ``entry`` the current (and only selected) row if listed; ``emit=False`` stays
        silent. The selection model's signals are not blocked: the view must hear of the
        change to repaint the row it un-highlights."""
        row = self.model.row_of(entry)
        if row is None:
            return False
        index = self.model.index(row)
        if self.view.currentIndex() == index:
            return True  # already the current row: a Ctrl/Shift-click selection stays
        self._syncing = not emit
        try:
            self.view.selectionModel().setCurrentIndex(
                index, self.view.selectionModel().SelectionFlag.ClearAndSelect
            )
        finally:
            self._syncing = False
        self.view.scrollTo(index)
        return True

    def reveal(self, entry: str) -> bool:
        """Make ``entry`` the current row, clearing filters or switching split if needed."""
        if self.select_entry(entry, emit=False):
            return True
        for box in (self.category_box, self.state_box):
            with _blocked(box):
                box.setCurrentText(ALL)
        with _blocked(self.min_uncertainty):
            self.min_uncertainty.setValue(0.0)
        with _blocked(self.search):
            self.search.clear()
        self._apply_filters()
        if self.select_entry(entry, emit=False) or self._dataset is None:
            return self.model.row_of(entry) is not None
        for split in self.split_names():
            if split != self.split and entry in set(self._dataset.entries(split)):
                with _blocked(self.split_box):
                    self.split_box.setCurrentText(split)
                self._load_split(split)
                self._apply_filters()
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
        if current.isValid() and not self._syncing:
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
