"""The per-category score table (checkpoints side by side) and the sortable per-image list.

Scores are shown in percent. The metric's −1 means "undefined" (an empty
denominator); when it is undefined only because the model detected nothing while
there was ground truth, precision and F1 are shown as 0 — a model that found
nothing scored nothing, it was not "not computed" — with a tooltip saying so.
Each cell keeps the metric's exact value under ``Qt.UserRole``.
"""

from __future__ import annotations

from PySide6.QtCore import QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
)

from lgad_studio.gui.evaluate.evaluation import CheckpointEvaluation, EvaluationResult

METRICS = ("f1", "precision", "recall", "tp", "fp", "fn")
METRIC_TITLES = {"f1": "F1", "precision": "P", "recall": "R", "tp": "TP", "fp": "FP", "fn": "FN"}
VALUE_ROLE = Qt.ItemDataRole.UserRole
IMAGE_COLUMNS = ("Image", "Category", "F1", "TP", "FP", "FN")


NOTHING_FOUND_TIP = (
    "No lanes were detected: the official tool reports -1 (undefined) for precision and F1; "
    "shown as 0 because there was ground truth to find."
)


def format_score(value: float) -> str:
    """A score in percent with one decimal (the papers' convention); -1 (undefined) as a dash."""
    return "–" if value < 0 else f"{100.0 * value:.1f}"


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
        for k, evaluation in enumerate(result.checkpoints):
            head = QTableWidgetItem(evaluation.label)
            head.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            head.setToolTip(str(evaluation.checkpoint))
            font = head.font()
            font.setBold(True)
            head.setFont(font)
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
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                    if category == "total":
                        font = item.font()
                        font.setBold(True)
                        item.setFont(font)
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


class ImageList(QTableView):
    """The images of one checkpoint's evaluation, sortable by F1, TP, FP or FN."""

    entry_selected = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.model_ = QStandardItemModel(0, len(IMAGE_COLUMNS), self)
        self.model_.setHorizontalHeaderLabels(list(IMAGE_COLUMNS))
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model_)
        self.proxy.setSortRole(VALUE_ROLE)
        self.setModel(self.proxy)
        self.setSortingEnabled(True)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.verticalHeader().setVisible(False)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideLeft)  # the file name is the telling end
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for c in range(1, len(IMAGE_COLUMNS)):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        self.selectionModel().currentRowChanged.connect(self._on_selection_current_row_changed)

    def set_evaluation(self, evaluation: CheckpointEvaluation | None) -> None:
        current = self.current_entry()
        self.model_.removeRows(0, self.model_.rowCount())
        for image in evaluation.images if evaluation is not None else ():
            tp, fp, fn = image.result.counts
            f1 = image.f1
            cells = [
                (image.entry, image.entry),
                (image.category, image.category),
                (shown_score("f1", f1, tp=tp, fp=fp, fn=fn)[0], f1),
                (str(tp), tp),
                (str(fp), fp),
                (str(fn), fn),
            ]
            row = []
            for text, value in cells:
                item = QStandardItem(text)
                item.setData(value, VALUE_ROLE)
                row.append(item)
            self.model_.appendRow(row)
        if current is not None:
            self.select_entry(current)

    def sort_by(self, column: str, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.sortByColumn(IMAGE_COLUMNS.index(column), order)

    def entries_in_view_order(self) -> list[str]:
        return [self.proxy.index(r, 0).data(VALUE_ROLE) for r in range(self.proxy.rowCount())]

    def current_entry(self) -> str | None:
        index = self.currentIndex()
        return None if not index.isValid() else self.proxy.index(index.row(), 0).data(VALUE_ROLE)

    def select_entry(self, entry: str) -> bool:
        for r in range(self.proxy.rowCount()):
            if self.proxy.index(r, 0).data(VALUE_ROLE) == entry:
                self.selectRow(r)
                self.setCurrentIndex(self.proxy.index(r, 0))
                return True
        return False

    def _on_selection_current_row_changed(self, current, _previous) -> None:
        if current.isValid():
            self.entry_selected.emit(self.proxy.index(current.row(), 0).data(VALUE_ROLE))
