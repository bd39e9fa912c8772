"""The Evaluate tab: checkpoints × split as a job, per-category table, per-image review.

Pick student checkpoints and a split, run the evaluation job
(:func:`lgad_studio.core.evaluation.job.evaluate_checkpoints`, the core path every
entry point uses), or open a saved result (``lgad-studio evaluate checkpoints
--save``, or **Save result…** here); compare the checkpoints category by
category, sort the images by F1, FP or FN, inspect one image (TP / FP / FN
lanes, IoU on hover, probability map) or its layer-wise attention, and send it
to the editor with **Fix labels**. Everything that reads files or runs a model
(a result, an image, its match, its probability map, attention) runs as a job on
the runner's quick lane; the window thread only displays.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from lgad_studio.core.attention_view import AttentionSet, attention_events
from lgad_studio.core.evaluation.job import evaluate_checkpoints
from lgad_studio.core.evaluation.result import EvaluationResult
from lgad_studio.core.evaluation.view import ImageView, image_view_events
from lgad_studio.gui.attention import AttentionGrid
from lgad_studio.gui.evaluate.checkpoints import CheckpointPicker
from lgad_studio.gui.evaluate.overlay import OverlayView
from lgad_studio.gui.evaluate.result_files import ResultFiles
from lgad_studio.gui.evaluate.tables import CategoryTable, ImageList
from lgad_studio.gui.jobs import Job, JobRunner
from lgad_studio.gui.train.banner import ErrorBanner
from lgad_studio.gui.train.progress import ProgressPanel


class EvaluateTab(ResultFiles, QWidget):
    """Evaluate student checkpoints and review their failures image by image."""

    fix_labels_requested = Signal(str)  # dataset entry
    evaluated = Signal(object)  # EvaluationResult (evaluated here or opened from a file)
    entry_shown = Signal(str)  # the overlay shows this entry
    attention_shown = Signal(object)  # AttentionSet
    result_saved = Signal(object)  # Path

    def __init__(self, runner: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.dataset = None
        self.result: EvaluationResult | None = None
        self.job: Job | None = None
        self.attention_job: Job | None = None
        self.view_job: Job | None = None
        self.last_error: tuple[str, str] | None = None
        self._predictors: dict[Path, object] = {}  # for probability maps no longer stored
        self._first_view: ImageView | None = None  # prepared with an opened result

        self.checkpoint_list = CheckpointPicker()
        self.checkpoint_list.setMaximumHeight(64)
        add_button = QPushButton("Add checkpoint…")
        add_button.clicked.connect(self._on_add_clicked)
        self.split_combo = QComboBox()
        self.evaluate_button = QPushButton("Evaluate")
        self.evaluate_button.clicked.connect(self.evaluate)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self._on_cancel_clicked)
        self.open_button = QPushButton("Open result…")
        self.open_button.setToolTip("Open a saved evaluation (.npz)")
        self.open_button.clicked.connect(self._on_open_clicked)
        self.save_button = QPushButton("Save result…")
        self.save_button.clicked.connect(self._on_save_clicked)
        self.progress = ProgressPanel()
        self.errors = ErrorBanner()
        controls = QGridLayout()
        controls.addWidget(add_button, 0, 0, 1, 2)
        controls.addWidget(QLabel("Split"), 0, 2)
        controls.addWidget(self.split_combo, 0, 3)
        controls.addWidget(self.evaluate_button, 1, 0, 1, 2)
        controls.addWidget(self.cancel_button, 1, 2, 1, 2)
        controls.addWidget(self.open_button, 2, 0, 1, 2)
        controls.addWidget(self.save_button, 2, 2, 1, 2)
        top = QHBoxLayout()
        top.addWidget(self.checkpoint_list, 1)
        top.addLayout(controls)

        self.table = CategoryTable()
        self.images_of = QComboBox()
        self.images_of.currentIndexChanged.connect(self._on_images_of_changed)
        self.image_list = ImageList()
        self.image_list.entry_selected.connect(self.show_entry)
        images_box = QWidget()
        images_box.setMinimumWidth(220)
        images_layout = QVBoxLayout(images_box)
        images_layout.setContentsMargins(0, 0, 0, 0)
        picker = QHBoxLayout()
        picker.addWidget(QLabel("Images of"))
        picker.addWidget(self.images_of, 1)
        images_layout.addLayout(picker)
        images_layout.addWidget(self.image_list, 1)
        self.overlay = OverlayView()
        self.attention = AttentionGrid()
        self.views = QTabWidget()
        self.views.addTab(self.overlay, "Overlay")
        self.views.addTab(self.attention, "Attention")
        self.views.currentChanged.connect(self._on_views_current_changed)
        self.fix_button = QPushButton("Fix labels")
        self.fix_button.setToolTip("Open this image in the Label tab")
        self.fix_button.clicked.connect(self._on_fix_clicked)
        self.entry_label = QLabel()
        view_box = QWidget()
        view_box.setMinimumWidth(340)  # the image column never collapses (1024-px screens)
        view_layout = QVBoxLayout(view_box)
        view_layout.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        bar.addWidget(self.entry_label, 1)
        bar.addWidget(self.fix_button)
        view_layout.addLayout(bar)
        view_layout.addWidget(self.views, 1)
        bottom = QSplitter(Qt.Orientation.Horizontal)
        bottom.addWidget(images_box)
        bottom.addWidget(view_box)
        bottom.setSizes([360, 900])
        bottom.setStretchFactor(1, 1)
        bottom.setChildrenCollapsible(False)
        self.table.setMinimumHeight(80)
        bottom.setMinimumHeight(180)
        self.split = QSplitter(Qt.Orientation.Vertical)
        self.split.addWidget(self.table)
        self.split.addWidget(bottom)
        self.split.setSizes([260, 560])
        self.split.setChildrenCollapsible(False)
        split = self.split
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.progress)
        layout.addWidget(self.errors)
        layout.addWidget(split, 1)
        self._show_error(None)
        self._update_buttons()

    # --- inputs ----------------------------------------------------------------------------
    def set_dataset(self, dataset) -> None:
        """A :class:`LaneDataset` (or a path to open); lists its splits, test first."""
        if isinstance(dataset, (str, Path)):
            from lgad_studio.core.formats.dataset import open_dataset

            dataset = open_dataset(dataset)
        self.dataset = dataset
        self._show_error(None)  # an error about the previous dataset no longer stands
        self.split_combo.clear()
        names = list(dataset.split_names()) if dataset is not None else []
        preferred = [n for n in ("test", "val") if n in names]
        self.split_combo.addItems(preferred + [n for n in names if n not in preferred])
        self._update_buttons()

    def add_checkpoints(self, paths, *, checked: bool = True) -> None:
        """Add checkpoints to the picker (duplicates are ignored, already present ones re-checked)."""
        self.checkpoint_list.add(paths, checked=checked)
        self._update_buttons()

    def add_run(self, record) -> None:
        """A finished student run of the Train tab: offer its best checkpoint (unchecked)."""
        if record.is_teacher or record.state != "finished":
            return
        best = record.best_checkpoint()
        if best is not None:
            self.add_checkpoints([best], checked=False)

    def evaluate_now(self, paths) -> Job | None:
        """The run history's **Evaluate**: check exactly ``paths`` and start the evaluation."""
        paths = [Path(p) for p in paths]
        self.checkpoint_list.uncheck_all()
        self.add_checkpoints(paths, checked=True)
        if self.job is not None and not self.job.state.is_terminal:
            self._show_error(("An evaluation is running; press Evaluate when it ends.", ""))
            return None
        return self.evaluate()

    def checked_checkpoints(self) -> list[Path]:
        return self.checkpoint_list.checked()

    def set_split(self, split: str) -> None:
        self.split_combo.setCurrentText(split)

    # --- the evaluation job ----------------------------------------------------------------------
    def evaluate(self, *, limit: int | None = None) -> Job | None:
        """Evaluate the checked checkpoints on the chosen split (None and a message if impossible)."""
        paths = self.checked_checkpoints()
        split = self.split_combo.currentText()
        if self.dataset is None:
            self._show_error(("Open a dataset first (Label tab).", ""))
            return None
        if not paths:
            self._show_error(("Check at least one student checkpoint to evaluate.", ""))
            return None
        self._show_error(None)
        root = self.dataset.root

        def make(cancel):
            return evaluate_checkpoints(root, split, paths, cancel=cancel, limit=limit)

        job = self.runner.submit(f"evaluate {len(paths)} checkpoint(s) on {split}", make)
        job.started.connect(lambda: self.progress.start(job.name))
        job.progress.connect(self.progress.update_progress)
        job.finished.connect(self.set_result)
        job.errored.connect(lambda message, details: self._show_error((message, details)))
        job.cancelled.connect(
            lambda: self.progress.stop(
                "Evaluation cancelled: nothing was kept; the table shows the last finished one.",
                reset=True,
            )
        )
        job.errored.connect(lambda *_: self.progress.stop("Evaluation failed", reset=True))
        job.ended.connect(self._update_buttons)
        self.job = job
        self._update_buttons()
        return job

    def set_result(self, result: EvaluationResult, *, first_view=None, predictors=None) -> None:
        """Show a result; ``first_view`` (its first image's :class:`ImageView`, prepared in a
        job) is drawn in the same turn of the event loop: the window hitches once, not twice."""
        self.result = result
        self._predictors = predictors if predictors is not None else {}
        self._first_view = first_view
        if result.is_of(self.dataset):
            result.attach(self.dataset)  # the labels the editor edits
        self.progress.stop(
            f"Evaluated {len(result.entries)} images of {result.split}", complete=True
        )
        self.table.set_result(result)
        self._fit_table()
        self.images_of.blockSignals(True)
        self.images_of.clear()
        for evaluation in result.checkpoints:
            self.images_of.addItem(evaluation.label)
        self.images_of.blockSignals(False)
        self._on_images_of_changed(0)
        self.evaluated.emit(result)

    # --- one image ---------------------------------------------------------------------------------
    def show_entry(self, entry: str) -> Job | None:
        """Show an evaluated image in the overlay (``entry_shown`` when it is drawn), and its
        attention if that view is open. Reading and matching run on the quick lane."""
        k = self._current_index()
        if k is None or self.result.index_of(entry) is None:
            return None
        view, self._first_view = self._first_view, None
        if view is not None and (view.entry, view.checkpoint_index) == (entry, k):
            self._show_view(view)
            return None
        result, predictors = self.result, self._predictors
        if self.view_job is not None and not self.view_job.state.is_terminal:
            self.view_job.cancel()  # still queued: never starts; running: its view is dropped
        job = self.runner.submit(
            f"show {entry}",
            lambda cancel: image_view_events(result, k, entry, predictors=predictors),
            lane="quick",
        )
        job.finished.connect(lambda view: self._on_view_finished(job, view))
        job.errored.connect(lambda message, details: self._show_error((message, details)))
        self.view_job = job
        self._update_buttons()
        if self.views.currentWidget() is self.attention:
            self.compute_attention()
        return job

    def current_entry(self) -> str | None:
        return self.image_list.current_entry()

    def compute_attention(self) -> Job | None:
        """Attention maps of the shown image under every evaluated checkpoint (quick lane)."""
        entry = self.current_entry()
        if entry is None or self.result is None:
            return None
        dataset = self.result.dataset
        paths = [c.checkpoint for c in self.result.checkpoints]

        def make(cancel):
            image = dataset.read_image(entry)
            lanes = dataset.read_lanes(entry, strict=False)
            return (yield from attention_events(paths, image, lanes))

        if self.attention_job is not None and not self.attention_job.state.is_terminal:
            self.attention_job.cancel()
        job = self.runner.submit(f"attention {entry}", make, lane="quick")
        job.finished.connect(lambda value: self._on_attention_finished(job, value))
        job.errored.connect(lambda message, details: self._show_error((message, details)))
        self.attention_job = job
        return job

    # --- internals ----------------------------------------------------------------------------------
    def _on_view_finished(self, job: Job, view: ImageView) -> None:
        if job is not self.view_job or view.entry != self.current_entry():
            return  # another image was selected meanwhile
        self._show_view(view)

    def _fit_table(self) -> None:
        """Give the table the height of all its rows (the total included), the image the rest."""
        total = sum(self.split.sizes())
        want = self.table.fit_height()
        keep = self.split.widget(1).minimumHeight()
        table = min(want, max(total - keep, self.table.minimumHeight()))
        self.split.setSizes([table, max(total - table, keep)])

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        if self.result is not None:
            self._fit_table()

    def _show_view(self, view: ImageView) -> None:
        self.entry_label.setText(f"{view.entry}  ({view.category})")
        self._update_buttons()
        self.overlay.show_image(view.image, view.result, lane_prob=view.lane_prob)
        if view.note:
            self._show_error((view.note, ""))
        self.entry_shown.emit(view.entry)

    def _current_index(self) -> int | None:
        if self.result is None or not self.result.checkpoints:
            return None
        return min(max(0, self.images_of.currentIndex()), len(self.result.checkpoints) - 1)

    def _current_evaluation(self):
        k = self._current_index()
        return None if k is None else self.result.checkpoints[k]

    def _on_images_of_changed(self, _index: int) -> None:
        self.image_list.set_evaluation(self._current_evaluation())
        entry = self.image_list.current_entry()
        if entry is None and self.image_list.row_count():
            self.image_list.selectRow(0)
        elif entry is not None:
            self.show_entry(entry)

    def _on_attention_finished(self, job: Job, value: AttentionSet) -> None:
        if job is not self.attention_job:
            return  # a newer image was selected meanwhile
        self.attention.set_maps(stages=value.stages, rows=value.rows, image=value.image)
        self.attention_shown.emit(value)

    def _on_views_current_changed(self, _index: int) -> None:
        if self.views.currentWidget() is self.attention and self.current_entry() is not None:
            self.compute_attention()

    def _on_fix_clicked(self) -> None:
        entry = self.current_entry()
        if entry is not None:
            self.fix_labels_requested.emit(entry)

    def _on_cancel_clicked(self) -> None:
        if self.job is not None:
            self.job.cancel()

    def _on_add_clicked(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self, "Student checkpoints", "", "Checkpoints or ONNX models (*.pt *.onnx)"
        )
        self.add_checkpoints(paths)

    def _show_error(self, error: tuple[str, str] | None) -> None:
        self.last_error = error
        if error is None:
            self.errors.clear()
        else:
            self.errors.show_error(*error)

    def _update_buttons(self) -> None:
        running = self.job is not None and not self.job.state.is_terminal
        self.evaluate_button.setEnabled(self.dataset is not None and not running)
        self.cancel_button.setEnabled(running)
        self.save_button.setEnabled(self.result is not None)
        same = self.result is not None and self.result.is_of(self.dataset)
        self.fix_button.setEnabled(same and self.current_entry() is not None)
