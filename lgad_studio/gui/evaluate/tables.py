"""The per-category score table (checkpoints side by side) and the sortable per-image list.

Scores are shown in percent. The metric's −1 means "undefined" (an empty
denominator); when it is undefined only because the model detected nothing while
there was ground truth, precision and F1 are shown as 0 — a model that found
nothing scored nothing, it was not "not computed" — with a tooltip saying so.
Each cell keeps the metric's exact value under ``Qt.UserRole``.

The image list is a table model over the evaluation's arrays (entries, categories,
per-image counts and F1), sorted with NumPy: opening a result of CULane's 34,680
test images costs the GUI thread a model reset, not one item per cell.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
)

from lgad_studio.core.evaluation.result import CheckpointEvaluation, EvaluationResult
from lgad_studio.core.metrics.scores import percent

METRICS = ("f1", "precision", "recall", "tp", "fp", "fn")
METRIC_TITLES = {"f1": "F1", "precision": "P", "recall": "R", "tp": "TP", "fp": "FP", "fn": "FN"}
VALUE_ROLE = Qt.ItemDataRole.UserRole
IMAGE_COLUMNS = ("Image", "Category", "F1", "TP", "FP", "FN")
_DISPLAY = int(Qt.ItemDataRole.DisplayRole.value)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole.value)
_VALUE = int(VALUE_ROLE.value)
_ALIGN = int(Qt.ItemDataRole.TextAlignmentRole.value)
_RIGHT = int((Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter).value)


NOTHING_FOUND_TIP = (
    "No lanes were detected: the official tool reports -1 (undefined) for precision and F1; "
    "shown as 0 because there was ground truth to find."
)


def format_score(value: float) -> str:
    """A score in percent with one decimal (the papers' convention); -1 (undefined) as a dash."""
    return percent(value)


def shown_score(metric: str, value: float, *, tp: int, fp: int, fn: int) -> tuple[str, str]:
    """``(text, tooltip)`` of a precision / recall / F1 value with its counts.

    Undefined (-1) precision or F1 of a model that detected nothing (``tp + fp == 0``)
    although there was ground truth (``fn > 0``) is shown as ``0.0``.
    """
    if value < 0 and metric in ("f1", "precision") and tp + fp == 0 and fn > 0:
        return format_score(0.0), NOTHING_FOUND_TIP
    if value < 0:
        return format_score(value), "Undefined: nothing to score (no ground truth, no detections)"
    return format_score(value), ""


class CategoryTable(QTableWidget):
    """Rows: categories then ``total``; per checkpoint six columns F1 P R TP FP FN.

    Row 0 holds the checkpoint names, each spanning its six columns. Every cell
    keeps its exact value under ``Qt.UserRole``.
    """

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.horizontalHeader().setMinimumSectionSize(40)
        rows = self.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 6)  # 11 rows fit a laptop
        self._categories: list[str] = []

    def set_result(self, result: EvaluationResult) -> None:
        self.setUpdatesEnabled(False)  # one layout and paint for the whole table
        try:
            self._fill(result)
        finally:
            self.setUpdatesEnabled(True)

    def _fill(self, result: EvaluationResult) -> None:
        self.clear()
        self.clearSpans()
        self._categories = result.categories()
        columns = len(METRICS) * len(result.checkpoints)
        self.setRowCount(len(self._categories) + 1)
        self.setColumnCount(columns)
        self.setHorizontalHeaderLabels(
            [METRIC_TITLES[m] for _ in result.checkpoints for m in METRICS]
        )
        self.setVerticalHeaderLabels(["checkpoint", *self._categories])
        bold = self.font()
        bold.setBold(True)
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        for k, evaluation in enumerate(result.checkpoints):
            head = QTableWidgetItem(evaluation.label)
            head.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            head.setToolTip(str(evaluation.checkpoint))
            head.setFont(bold)
            self.setItem(0, k * len(METRICS), head)
            self.setSpan(0, k * len(METRICS), 1, len(METRICS))
            table = evaluation.by_category()
            for r, category in enumerate(self._categories, start=1):
                scores = table.get(category)
                for m, metric in enumerate(METRICS):
                    value = getattr(scores, metric) if scores is not None else None
                    text, tip = self._text(metric, value, scores)
                    item = QTableWidgetItem(text)
                    item.setData(VALUE_ROLE, value)
                    if tip:
                        item.setToolTip(tip)
                    item.setTextAlignment(right)
                    if category == "total":
                        item.setFont(bold)
                    self.setItem(r, k * len(METRICS) + m, item)

    @staticmethod
    def _text(metric: str, value: float | int | None, scores) -> tuple[str, str]:
        if value is None:
            return "", ""
        if metric in ("f1", "precision", "recall"):
            return shown_score(metric, float(value), tp=scores.tp, fp=scores.fp, fn=scores.fn)
        return str(int(value)), ""

    def fit_height(self) -> int:
        """The height that shows every row without a scroll bar."""
        rows = sum(self.rowHeight(r) for r in range(self.rowCount()))
        frame = 2 * self.frameWidth()
        scroll = self.horizontalScrollBar()
        extra = scroll.sizeHint().height() if scroll.isVisible() else 0
        return self.horizontalHeader().height() + rows + frame + extra

    def categories(self) -> list[str]:
        return list(self._categories)

    def value(self, category: str, checkpoint: int, metric: str) -> float | int | None:
        """The exact value shown in a cell."""
        item = self.item(
            self._categories.index(category) + 1, checkpoint * len(METRICS) + METRICS.index(metric)
        )
        return None if item is None else item.data(VALUE_ROLE)

    def text(self, category: str, checkpoint: int, metric: str) -> str:
        item = self.item(
            self._categories.index(category) + 1, checkpoint * len(METRICS) + METRICS.index(metric)
        )
        return "" if item is None else item.text()


def _dense_rank(keys: np.ndarray) -> np.ndarray:
    """``int64 (N,)``: 0 for the smallest key, equal keys equal ranks (no ``np.unique``:
    its first use imports ``numpy.ma``, 40 ms of the GUI thread)."""
    ascending = np.argsort(keys, kind="stable")
    ordered = keys[ascending]
    rank = np.empty(len(keys), dtype=np.int64)
    rank[ascending] = np.concatenate([[0], np.cumsum(ordered[1:] != ordered[:-1])])
    return rank


class ImageTableModel(QAbstractTableModel):
    """One checkpoint's images: ``IMAGE_COLUMNS``, exact values under ``VALUE_ROLE``."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._empty()

    def _empty(self) -> None:
        self._entries: tuple[str, ...] = ()
        self._categories: list[str] = []
        self._codes = np.zeros(0, np.int16)
        self._counts = np.zeros((0, 3), np.int32)
        self._f1 = np.zeros(0)
        self._order = np.zeros(0, np.int64)  # view row -> image index

    def set_evaluation(self, evaluation: CheckpointEvaluation | None) -> None:
        self.beginResetModel()
        if evaluation is None:
            self._empty()
        else:
            result = evaluation.owner
            self._entries = result.entries
            self._categories = list(result.category_names)
            self._codes = result.category_codes
            self._counts = evaluation.counts
            self._f1 = evaluation.f1_per_image()
            self._order = np.arange(len(self._entries))
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._order)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(IMAGE_COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return IMAGE_COLUMNS[section]
        return None

    def data(self, index, role=_DISPLAY):
        # Qt asks seven roles per visible cell on every paint: answer the unused ones first,
        # with plain int comparisons (an enum comparison costs more than the answer).
        if role != _DISPLAY and role != _VALUE and role != _TOOLTIP:
            if role == _ALIGN and index.column() >= 2:
                return _RIGHT  # numbers, as in the score table
            return None
        if not index.isValid():
            return None
        i = int(self._order[index.row()])
        column = index.column()
        if role == _VALUE:
            return self._value(i, column)
        if role == _DISPLAY:
            if column == 2:
                tp, fp, fn = self._counts[i].tolist()
                return shown_score("f1", float(self._f1[i]), tp=tp, fp=fp, fn=fn)[0]
            return str(self._value(i, column))
        return self._entries[i] if column == 0 else None

    def _value(self, i: int, column: int):
        if column == 0:
            return self._entries[i]
        if column == 1:
            return self._categories[int(self._codes[i])]
        if column == 2:
            return float(self._f1[i])
        return int(self._counts[i, column - 3])

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        """Stable NumPy sort of the whole column; the selection follows its image."""
        if not len(self._order):
            return
        if column == 0:
            keys = np.asarray(self._entries, dtype=str)
        elif column == 1:
            keys = np.asarray(self._categories, dtype=str)[self._codes]
        elif column == 2:
            keys = self._f1
        else:
            keys = self._counts[:, column - 3]
        rank = _dense_rank(np.asarray(keys))
        if order == Qt.SortOrder.DescendingOrder:
            rank = -rank
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        images = [int(self._order[p.row()]) for p in persistent]
        self._order = np.argsort(rank.reshape(-1), kind="stable")
        self._reorder_persistent(persistent, images)
        self.layoutChanged.emit()

    def _reorder_persistent(self, persistent, images: list[int]) -> None:
        row_of = np.empty(len(self._order), np.int64)
        row_of[self._order] = np.arange(len(self._order))
        new = [
            self.index(int(row_of[i]), p.column()) for p, i in zip(persistent, images, strict=True)
        ]
        self.changePersistentIndexList(persistent, new)

    def row_of(self, entry: str) -> int | None:
        try:
            image = self._entries.index(entry)
        except ValueError:
            return None
        rows = np.nonzero(self._order == image)[0]
        return int(rows[0]) if len(rows) else None

    def entry_at(self, row: int) -> str:
        return self._entries[int(self._order[row])]

    def entries_in_order(self) -> list[str]:
        return [self._entries[int(i)] for i in self._order]


class ImageList(QTableView):
    """The images of one checkpoint's evaluation, sortable by F1, TP, FP or FN."""

    entry_selected = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.model_ = ImageTableModel(self)
        self.setModel(self.model_)
        self.setSortingEnabled(True)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.verticalHeader().setVisible(False)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideLeft)  # the file name is the telling end
        # Scroll bars that never appear or vanish: filling the list with a full test set then
        # changes no layout (each change re-lays and repaints the whole window, several times).
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        # Interactive, not ResizeToContents (that would measure every row of the model), and
        # as narrow as their values, so that the image's name keeps the width on a laptop.
        metrics = header.fontMetrics()
        pad = 2 * self.style().pixelMetric(self.style().PixelMetric.PM_HeaderMargin)
        widest = {"Category": "normal", "F1": "100.0"}
        for c, title in enumerate(IMAGE_COLUMNS[1:], start=1):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.Interactive)
            text = max(widest.get(title, "0000"), title, key=metrics.horizontalAdvance)
            header.resizeSection(c, metrics.horizontalAdvance(text) + pad + 12)
        self.selectionModel().currentRowChanged.connect(self._on_selection_current_row_changed)

    def set_evaluation(self, evaluation: CheckpointEvaluation | None) -> None:
        """Show another evaluation, keeping the selected image selected (without announcing
        it again: the caller shows it once)."""
        current = self.current_entry()
        self.model_.set_evaluation(evaluation)
        if current is not None:
            blocked = self.blockSignals(True)
            try:
                self.select_entry(current)
            finally:
                self.blockSignals(blocked)

    def row_count(self) -> int:
        return self.model_.rowCount()

    def sort_by(self, column: str, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.sortByColumn(IMAGE_COLUMNS.index(column), order)

    def entries_in_view_order(self) -> list[str]:
        return self.model_.entries_in_order()

    def current_entry(self) -> str | None:
        index = self.currentIndex()
        return None if not index.isValid() else self.model_.entry_at(index.row())

    def select_entry(self, entry: str) -> bool:
        row = self.model_.row_of(entry)
        if row is None:
            return False
        self.selectRow(row)
        self.setCurrentIndex(self.model_.index(row, 0))
        return True

    def _on_selection_current_row_changed(self, current, _previous) -> None:
        if current.isValid():
            self.entry_selected.emit(self.model_.entry_at(current.row()))
