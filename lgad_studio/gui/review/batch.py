"""Batch auto-label from the studio: what to label, the job, its progress, cancel and resume.

A :class:`BatchRequest` says which model (a student checkpoint or its ONNX export)
labels which images: the one shown, those selected in the browser, every image of
a split or of the dataset, optionally only those without labels. The job
(:func:`batch_job`) is core's :func:`~lgad_studio.core.autolabel.autolabel`
generator, run by the :class:`~lgad_studio.gui.jobs.JobRunner` on its own
``autolabel`` lane so that it never waits behind a training run; the predictor
is loaded and the scope resolved (e.g. which images have labels: a file check
per image) in the worker, not in the window. Proposals go to the dataset's
sidecar only. Running the same request again resumes: the run is keyed by the
model's weights and the decode settings, and images already done are skipped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from lgad_studio.core.events import Progress
from lgad_studio.gui.eta import format_duration
from lgad_studio.gui.jobs import Job, JobRunner

if TYPE_CHECKING:  # the job's module needs torch, which the window does not load at start
    from lgad_studio.core.autolabel.job import AutolabelProgress, AutolabelSummary

LANE = "autolabel"
SCOPES = ("image", "selection", "split", "all")


@dataclass(frozen=True)
class BatchRequest:
    """Which model proposes lanes for which images; ``entries`` for the first two scopes."""

    model: Path
    scope: str  # one of SCOPES
    entries: tuple[str, ...] = ()
    split: str = ""
    only_unlabelled: bool = False
    batch_size: int = 8

    def __post_init__(self) -> None:
        if self.scope not in SCOPES:
            raise ValueError(f"scope {self.scope!r}: expected one of {SCOPES}")
        object.__setattr__(self, "model", Path(self.model))
        object.__setattr__(self, "entries", tuple(self.entries))

    def describe(self) -> str:
        """``"the 12 selected images"``, ``"split train (unlabelled only)"``…"""
        what = {
            "image": f"{self.entries[0] if self.entries else 'the image'}",
            "selection": f"the {len(self.entries):,} selected images",
            "split": f"split {self.split}",
            "all": "every split",
        }[self.scope]
        return what + (" (images without labels only)" if self.only_unlabelled else "")


def resolve_entries(request: BatchRequest, dataset) -> list[str]:
    """The entries a request covers, in dataset order without repeats (runs in the worker)."""
    from lgad_studio.core.autolabel import unlabelled_entries

    if request.scope in ("image", "selection"):
        entries = list(dict.fromkeys(request.entries))
    else:
        names = [request.split] if request.scope == "split" else dataset.split_names()
        entries = list(dict.fromkeys(e for name in names for e in dataset.entries(name)))
    return unlabelled_entries(dataset, entries) if request.only_unlabelled else entries


@dataclass(frozen=True)
class RunKeyKnown:
    """The batch job's first event: the sidecar run its proposals go to."""

    run_key: str
    entries: int


def batch_job(request: BatchRequest, dataset, store_path: Path):
    """A job factory: load the model, resolve the scope, run core's auto-label generator."""

    def make(cancel):
        from lgad_studio.core.autolabel import AutolabelSettings, autolabel, autolabel_run_key
        from lgad_studio.core.autolabel.fingerprint import predictor_fingerprint
        from lgad_studio.core.predictors import load_predictor

        yield Progress(0, 0, f"loading {request.model.name}")
        predictor = load_predictor(request.model)
        fingerprint = predictor_fingerprint(predictor)
        settings = AutolabelSettings(batch_size=request.batch_size)
        entries = resolve_entries(request, dataset)
        yield RunKeyKnown(autolabel_run_key(fingerprint, settings), len(entries))
        return (
            yield from autolabel(
                predictor, dataset, entries, store_path, settings=settings, cancel=cancel,
                fingerprint=fingerprint, model_path=request.model,
            )
        )  # fmt: skip

    return make


def progress_text(event: AutolabelProgress) -> str:
    """``"16.2 img/s · ETA 1:20 · 412 resumed"`` for the bar."""
    parts = []
    if event.images_per_s > 0:
        parts.append(f"{event.images_per_s:.1f} img/s")
    eta = event.eta_s
    parts.append(f"ETA {format_duration(eta)}" if eta is not None else "ETA …")
    if event.skipped:
        parts.append(f"{event.skipped:,} already done")
    return " · ".join(parts)


@dataclass
class BatchState:
    """The batch job in flight (or the last one) and what it reported."""

    request: BatchRequest
    job: Job
    run_key: str | None = None
    last: AutolabelProgress | None = None
    refreshed: bool = False  # the sidecar was re-read once the run was recorded
    summary: AutolabelSummary | None = field(default=None)


class BatchRunner(QObject):
    """Submits batch jobs and relays what they report; one batch at a time."""

    run_recorded = Signal(str)  # run key: the run is in the sidecar (its images can be shown)
    progressed = Signal(int, int, str)  # done, total, rate and ETA text
    ended = Signal(object)  # BatchState, after finished / cancelled / errored

    def __init__(self, jobs: JobRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._jobs = jobs
        self.state: BatchState | None = None

    @property
    def busy(self) -> bool:
        return self.state is not None and not self.state.job.state.is_terminal

    def start(self, request: BatchRequest, dataset, store_path: Path) -> Job | None:
        """Queue ``request`` (``None`` while another batch runs)."""
        if self.busy:
            return None
        job = self._jobs.submit(
            f"Auto-label {request.describe()}", batch_job(request, dataset, store_path), lane=LANE
        )
        state = BatchState(request, job)
        self.state = state
        job.event_emitted.connect(lambda event: self._on_job_event(state, event))
        job.finished.connect(lambda value: setattr(state, "summary", value))
        job.ended.connect(lambda: self.ended.emit(state))
        return job

    def cancel(self) -> None:
        if self.busy:
            self.state.job.cancel()

    def _on_job_event(self, state: BatchState, event: object) -> None:
        from lgad_studio.core.autolabel.job import AutolabelProgress  # loaded by the job already

        if isinstance(event, RunKeyKnown):
            state.run_key = event.run_key
            self.progressed.emit(0, event.entries, "starting")
        elif isinstance(event, AutolabelProgress):
            state.last = event
            if not state.refreshed and state.run_key is not None:
                state.refreshed = True
                self.run_recorded.emit(state.run_key)
            self.progressed.emit(event.done, event.total, progress_text(event))
        elif isinstance(event, Progress):
            self.progressed.emit(0, 0, event.message)
