"""The Train tab: teacher and student forms, progress, live curves, attention preview, history.

Composition only: each button builds the engine's config from a form and submits
``train_teacher`` / ``distill`` to the shared :class:`JobRunner`; the running job's
events feed the progress bar, the curves, the attention preview and the history.
When a run ends the tab says what happened (:mod:`~lgad_studio.gui.train.summaries`):
what a cancel kept, and a warning when a run finished with validation F1 0.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from lgad_studio.core.errors import StudioError
from lgad_studio.core.events import CheckpointWritten, EpochEnd, Finished, Preview, StepMetrics
from lgad_studio.core.training.config import StudentConfig, TeacherConfig
from lgad_studio.gui.attention import AttentionGrid
from lgad_studio.gui.jobs import Job, JobRunner
from lgad_studio.gui.train.banner import ErrorBanner
from lgad_studio.gui.train.cache_build import CacheBuilder
from lgad_studio.gui.train.curves import LiveCurves
from lgad_studio.gui.train.engine import distill_job, export_onnx_job, teacher_job
from lgad_studio.gui.train.forms import StudentForm, TeacherForm
from lgad_studio.gui.train.history import RunHistory
from lgad_studio.gui.train.options import DEFAULT_PRESET, RunOptions
from lgad_studio.gui.train.progress import ProgressPanel
from lgad_studio.gui.train.runs import (
    RunRecord,
    new_run_dir,
    read_run,
    scan_runs,
    shown_f1,
    take_labels,
)
from lgad_studio.gui.train.summaries import cancel_summary, weak_teacher_warning, zero_f1_warning


def expected_preview_layout(kind: str, config: dict) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The rows and stages the engine's previews of a run will have (the grid is built ahead)."""
    stages = tuple(config.get("stages") or ())
    if kind == "teacher":
        return ("teacher",), ("stage1", "stage2", "stage3")
    if kind == "lgad":
        return ("teacher", "student"), stages or ("stage1", "stage2", "stage3")
    if kind == "sad":
        return ("student",), stages or ("stage1", "stage2")
    return ("student",), ("stage1", "stage2", "stage3")


class TrainTab(QWidget):
    """Train a teacher, distill students, watch them learn, export their checkpoints."""

    evaluate_requested = Signal(object)  # list[Path] of student checkpoints
    run_ended = Signal(object)  # RunRecord
    about_to_submit = Signal()  # before a run's config is built: save edited labels now
    runs_root_changed = Signal(object)  # Path: the user chose another runs folder

    def __init__(
        self, runner: JobRunner, *, runs_root: Path, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.runner = runner
        self._dataset: Path | None = None
        self._job_runs: dict[int, RunRecord] = {}
        self._current: Job | None = None
        self.last_error: tuple[str, str] | None = None

        self.options = RunOptions(runs_root=Path(runs_root), threads=runner.torch_threads or 1)
        self.threads = self.options.threads
        self.dataset_label = self.options.dataset_label
        self.threads.valueChanged.connect(self.runner.set_torch_threads)
        self.teacher_form = TeacherForm()
        self.student_form = StudentForm()
        self.cancel_button = QPushButton("Cancel run")
        self.cancel_all_button = QPushButton("Cancel all")
        self.cancel_button.clicked.connect(self.cancel_current)
        self.cancel_all_button.clicked.connect(self.runner.cancel_all)
        cancel_row = QHBoxLayout()
        cancel_row.addWidget(self.cancel_button)
        cancel_row.addWidget(self.cancel_all_button)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addWidget(self.options)
        left_layout.addWidget(self.teacher_form)
        left_layout.addWidget(self.student_form)
        left_layout.addLayout(cancel_row)
        left_layout.addStretch(1)
        # The forms are taller than a laptop screen allows: they scroll, the plots keep the room.
        scroll = QScrollArea()
        scroll.setWidget(left)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(left.sizeHint().width() + 16)

        self.progress = ProgressPanel()
        self.errors = ErrorBanner()
        self.curves = LiveCurves()
        self.preview = AttentionGrid()
        self.history = RunHistory()
        right_split = QSplitter(Qt.Orientation.Vertical)
        right_split.addWidget(self.curves)
        right_split.addWidget(self.preview)
        right_split.addWidget(self.history)
        right_split.setSizes([330, 300, 200])
        right_split.setChildrenCollapsible(False)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.progress)
        right_layout.addWidget(self.errors)
        right_layout.addWidget(right_split, 1)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(scroll)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        split.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(split)

        self.cache_builder = CacheBuilder(runner, self, self.options, self.progress)
        self.cache_builder.failed.connect(self._on_job_errored)
        self.options.build_cache_clicked.connect(self._on_build_cache_clicked)
        self.options.preset_chosen.connect(self._on_options_preset_chosen)
        self.options.runs_root_changed.connect(self._on_options_runs_root_changed)
        self.teacher_form.train_requested.connect(self.start_teacher)
        self.student_form.distill_requested.connect(self.start_student)
        self.history.use_as_teacher_requested.connect(self._on_history_use_as_teacher)
        self.history.evaluate_requested.connect(self.evaluate_requested)
        self.history.export_checkpoint_requested.connect(self._on_history_export_checkpoint)
        self.history.export_onnx_requested.connect(self._on_history_export_onnx)
        self.options.choose_preset(DEFAULT_PRESET)
        self._show_error(None)
        self._update_buttons()
        self.history.set_runs(scan_runs(self.runs_root))

    @property
    def runs_root(self) -> Path:
        return self.options.runs_root

    def set_runs_root(self, path: str | Path) -> None:
        """Keep new runs in ``path`` and list the runs already there."""
        self.options.set_runs_root(path)

    def apply_preset(self, name: str) -> None:
        """Fill both forms with the shipped preset ``name`` (``default``, ``quick``, ``gpu``)."""
        self.options.choose_preset(name)

    # --- public API ---------------------------------------------------------------------
    def set_dataset(self, dataset) -> None:
        """The dataset (a ``LaneDataset`` or its path) the next runs train on, edits included."""
        if dataset is not None and not isinstance(dataset, (str, Path)):
            dataset = dataset.root  # a LaneDataset (a Path has a .root too: the drive)
        self._dataset = Path(dataset) if dataset is not None else None
        self.dataset_label.setText(str(self._dataset) if self._dataset else "No dataset open")
        self._show_error(None)  # an error about the previous dataset no longer stands
        self._update_buttons()

    def start_teacher(self) -> Job | None:
        """Queue a teacher run with the form's settings; None (and a message) if they are invalid."""
        return self._submit(
            "teacher", lambda out: self.teacher_form.config(data=self._data(), out=out), teacher_job
        )

    def start_student(self) -> Job | None:
        """Queue a student run (LGAD / SAD / baseline) with the form's settings."""
        mode = self.student_form.current_mode()
        return self._submit(
            mode, lambda out: self.student_form.config(data=self._data(), out=out), distill_job
        )

    def retrain(self, kind: str) -> Job | None:
        """One click from the Label tab: a new teacher (``"teacher"``) or student (``"student"``,
        the form's mode) on the labels as they are now. An LGAD student without a teacher in
        the form takes the newest teacher of the history (a run that ended with F1 0 is
        flagged, as when it is chosen by hand)."""
        if kind == "teacher":
            return self.start_teacher()
        form = self.student_form
        if form.current_mode() == "lgad" and not form.teacher.text().strip():
            teachers = [
                r
                for r in self.history.records()
                if r.is_teacher and r.best_checkpoint() is not None
            ]
            if teachers:
                newest = max(teachers, key=lambda r: r.best_checkpoint().stat().st_mtime)
                self._on_history_use_as_teacher(newest.best_checkpoint())
        return self.start_student()

    def cancel_current(self) -> None:
        if self._current is not None:
            self._current.cancel()

    def export_checkpoint(self, source: Path, target: Path) -> Path:
        """Copy a checkpoint (it is self-contained: weights, config, metrics)."""
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
        except OSError as err:
            raise StudioError(
                f"{target}: could not copy the checkpoint {source} ({err.strerror})"
            ) from None
        return target

    def export_onnx(self, checkpoint: Path, target: Path) -> Job:
        """Queue an ONNX export of a student checkpoint as a job."""
        job = self.runner.submit(f"export {checkpoint.name}", export_onnx_job(checkpoint, target))
        job.errored.connect(self._on_job_errored)
        job.finished.connect(lambda value: self.progress.stop(f"Exported {value}"))
        return job

    # --- submission ---------------------------------------------------------------------------
    def _data(self) -> str:
        if self._dataset is None:
            raise StudioError("no dataset is open: open one in the Label tab first")
        return str(self._dataset)

    def _submit(self, kind: str, build_config, make_factory) -> Job | None:
        self.about_to_submit.emit()  # direct connections run now: labels reach the disk first
        reserved = {r.run_dir for r in self._job_runs.values()}
        name = self.options.run_name.text()
        out = new_run_dir(self.runs_root, kind, name=name, reserved=reserved)
        try:
            config = self.options.with_image_cache(build_config(str(out)))
            factory = make_factory(config)
        except StudioError as err:
            self._show_error((str(err), ""))
            return None
        self._show_error(None)
        record = RunRecord(run_dir=out, kind=kind, config=config.to_dict(), state="queued")
        job = self.runner.submit(f"{record.label} {out.name}", factory)
        self._job_runs[job.id] = record
        self.history.upsert(record)
        job.started.connect(lambda: self._on_job_started(job))
        job.steps_emitted.connect(lambda steps: self._on_job_steps(job, steps))
        job.event_emitted.connect(lambda event: self._on_job_event(job, event))
        job.progress.connect(lambda d, t, m: self._on_job_progress(job, d, t, m))
        job.errored.connect(self._on_job_errored)
        job.ended.connect(lambda: self._on_job_ended(job))
        self._update_buttons()
        return job

    # --- job events -------------------------------------------------------------------------------
    def _on_job_started(self, job: Job) -> None:
        self._current = job
        record = self._job_runs[job.id]
        record.state = "running"
        self.history.upsert(record)
        self.curves.clear()
        distilled = record.kind in ("lgad", "sad")
        self.curves.prepare(["loss", "seg", "exist", *(["at", "lambda"] if distilled else [])])
        self.preview.prepare(*expected_preview_layout(record.kind, record.config))
        self.progress.start(job.name)
        self._update_buttons()

    def _on_job_steps(self, job: Job, steps: list[StepMetrics]) -> None:
        self._job_runs[job.id].step = (steps[-1].step, steps[-1].total_steps)
        if job is self._current:
            self.curves.add_steps(steps)
            self.progress.set_rate(steps[-1].images_per_s)

    def _on_job_progress(self, job: Job, done: int, total: int, message: str) -> None:
        if job is self._current:
            self.progress.update_progress(done, total, message)

    def _on_job_event(self, job: Job, event: object) -> None:
        record = self._job_runs[job.id]
        if isinstance(event, EpochEnd):
            if job is self._current:
                self.curves.add_epoch(event)
            f1 = shown_f1(event.metrics)  # -1 because nothing was detected counts as 0
            record.validated = record.validated or f1 is not None
            if f1 is not None and (record.best_f1 is None or f1 > record.best_f1):
                record.best_f1 = f1
            self.history.upsert(record)
        elif isinstance(event, CheckpointWritten):
            take_labels(record)
            self.history.upsert(record)
        elif isinstance(event, Preview) and job is self._current:
            self.preview.set_maps(stages=event.stages, rows=event.attention, image=event.image)
        elif isinstance(event, Finished):
            record.state = "cancelled" if event.cancelled else "finished"
            record.finished = event

    def _on_job_errored(self, message: str, details: str) -> None:
        self._show_error((message, details))

    def _on_job_ended(self, job: Job) -> None:
        record = self._job_runs.pop(job.id)
        if job.error is not None:
            record.state = "failed"
        elif job.cancel_requested:
            record.state = "cancelled"
        else:
            record.state = "finished"
        on_disk = read_run(record.run_dir)
        if on_disk is not None and on_disk.best_f1 is not None:
            record.best_f1 = on_disk.best_f1
        take_labels(record)
        self.history.upsert(record)
        if record.state == "cancelled":
            text = cancel_summary(record)
        else:
            text = f"{record.label} {record.name}: {record.state}"
        if job is self._current or self._current is None:
            self.curves.repaint_now()
            # A stopped run's bar must not read as a run still at 63 %.
            self.progress.stop(text, reset=record.state != "finished")
        if job is self._current:
            self._current = None
        warning = zero_f1_warning(record)
        if warning is not None:
            self.errors.show_warning(warning)
        self._update_buttons()
        self.run_ended.emit(record)

    # --- helpers ----------------------------------------------------------------------------------
    def _update_buttons(self) -> None:
        has_data = self._dataset is not None
        tip = "" if has_data else "Open a dataset first"
        for button in (self.teacher_form.train_button, self.student_form.distill_button):
            button.setEnabled(has_data)
            button.setToolTip(tip)
        self.options.cache_build.setEnabled(has_data or self.cache_builder.busy)
        self.cancel_button.setEnabled(self._current is not None)
        self.cancel_all_button.setEnabled(self.runner.is_busy())

    def _show_error(self, error: tuple[str, str] | None) -> None:
        self.last_error = error
        if error is None:
            self.errors.clear()
        else:
            self.errors.show_error(*error)

    def _on_options_preset_chosen(self, preset: dict) -> None:
        # From the configs' defaults, not the forms' current values: a field the preset leaves
        # out (train_limit, ...) must not keep the previous preset's value.
        self.teacher_form.set_config(TeacherConfig(**preset["teacher"]))
        form = self.student_form
        student = {
            **preset["student"],
            "mode": form.current_mode(),  # a preset sets the budget, not what is trained
            "teacher": form.teacher.text().strip() or None,
        }
        form.set_config(StudentConfig(**student))

    def _on_build_cache_clicked(self) -> None:  # enabled only with a dataset open
        self.cache_builder.request(self._dataset, self.student_form.fields.values()["input_size"])

    def _on_options_runs_root_changed(self, path: Path) -> None:
        self.history.clear()
        self.history.set_runs(scan_runs(path))
        for record in self._job_runs.values():  # runs in flight stay listed where they write
            self.history.upsert(record)
        self.runs_root_changed.emit(path)

    def _on_history_use_as_teacher(self, path: Path) -> None:
        self.student_form.set_teacher(path)
        self.student_form.set_mode("lgad")
        record = self.history.record(path.parent)
        warning = weak_teacher_warning(record) if record is not None else None
        if warning is not None:
            self.errors.show_warning(warning)

    def _on_history_export_checkpoint(self, source: Path) -> None:
        target, _ = QFileDialog.getSaveFileName(
            self, "Export checkpoint", source.name, "Checkpoints (*.pt)"
        )
        if target:
            try:
                self.export_checkpoint(source, Path(target))
            except StudioError as err:
                self._show_error((str(err), ""))

    def _on_history_export_onnx(self, source: Path) -> None:
        target, _ = QFileDialog.getSaveFileName(
            self, "Export ONNX", source.with_suffix(".onnx").name, "ONNX (*.onnx)"
        )
        if target:
            self.export_onnx(source, Path(target))
