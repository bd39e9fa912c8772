"""Clip propagation in the studio: keyframes, and lanes interpolated to the frames between them.

A clip is the folder of a frame (:func:`~lgad_studio.core.autolabel.ranking.clips`,
frames in natural name order) among the entries of the browser's split. K marks
or unmarks the shown frame as a keyframe; Shift+K propagates between the clip's
keyframes, or, when none is marked, between its labelled frames. A keyframe's
lanes are the editor's (unsaved edits included), else the label file's. The job
is core's :func:`~lgad_studio.core.autolabel.propagation` on the ``autolabel`` lane,
optionally refined by the Model menu's model; the result is a sidecar run of its
own, shown as dashed proposals to accept like a model's.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject

from lgad_studio.core.autolabel.ranking import clips
from lgad_studio.core.errors import StudioError
from lgad_studio.core.events import Progress
from lgad_studio.core.lanes import LaneSet
from lgad_studio.gui.jobs import Job, JobRunner
from lgad_studio.gui.review.batch import LANE

if TYPE_CHECKING:
    from lgad_studio.gui.editor.host import LabelHost
    from lgad_studio.gui.review.bar import ReviewBar
    from lgad_studio.gui.review.session import ReviewSession


class ReviewHost(Protocol):
    """What propagation uses of the review (``ReviewController`` is one, and builds it)."""

    session: ReviewSession
    bar: ReviewBar

    def reload_proposals(self) -> None: ...


def clip_of(entry: str) -> str:
    """The clip (folder) of a frame, as :func:`clips` names it."""
    return str(PurePosixPath(entry.lstrip("/")).parent)


def propagate_job(dataset, frames: list[str], keyframes: dict, store_path: Path, model):
    """A job factory: load the model if refining, then core's propagation generator."""

    def make(cancel):
        from lgad_studio.core.autolabel import propagate

        predictor = None
        if model is not None:
            yield Progress(0, 0, f"loading {Path(model).name}")
            from lgad_studio.core.predictors import load_predictor

            predictor = load_predictor(model)
        return (
            yield from propagate(
                dataset, frames, store_path, keyframes=keyframes, predictor=predictor,
                cancel=cancel,
            )
        )  # fmt: skip

    return make


class PropagationController(QObject):
    """Keyframes per clip (this session) and the propagation job."""

    def __init__(self, panel: LabelHost, jobs: JobRunner, review: ReviewHost) -> None:
        super().__init__(panel)
        self._panel, self._jobs, self._review = panel, jobs, review
        self.marked: dict[str, set[str]] = {}  # clip -> keyframes marked with K
        self.job: Job | None = None
        panel.actions["mark_keyframe"].triggered.connect(self.toggle_keyframe)
        panel.actions["propagate"].triggered.connect(self.propagate)
        panel.actions["refine_propagation"].setCheckable(True)

    def reset(self) -> None:
        self.marked.clear()

    def is_keyframe(self, entry: str) -> bool:
        return entry in self.marked.get(clip_of(entry), set())

    def clip_frames(self, entry: str) -> list[str]:
        """The frames of ``entry``'s clip in the browser's split, in time order."""
        split = self._panel.browser.split
        entries = self._panel.dataset.entries(split) if self._panel.dataset and split else []
        return clips(entries).get(clip_of(entry), [entry])

    def toggle_keyframe(self) -> bool:
        """K: mark the shown frame as a keyframe of its clip, or unmark it."""
        document = self._panel.document
        if document is None:
            return False
        clip = clip_of(document.entry)
        marked = self.marked.setdefault(clip, set())
        marked.symmetric_difference_update({document.entry})
        now = document.entry in marked
        self._panel.browser.model.entry_changed(document.entry)
        self._panel.messages.show_message(
            f"{document.entry} {'is now' if now else 'is no longer'} a keyframe; clip {clip} has "
            f"{len(marked)} marked (Shift+K propagates between them).",
            level="info",
        )
        return now

    def keyframe_lanes(self, frames: list[str]) -> dict[str, LaneSet]:
        """The clip's keyframes and their lanes: the marked frames, else the labelled ones."""
        panel = self._panel
        marked = self.marked.get(clip_of(frames[0]), set()) if frames else set()
        keys = [f for f in frames if f in marked] if marked else frames
        lanes: dict[str, LaneSet] = {}
        for frame in keys:
            document = panel.store.get(frame)
            if document is not None:
                if marked or len(document.lanes) or panel.dataset.has_labels(frame):
                    lanes[frame] = document.lanes
            elif panel.dataset.has_labels(frame):
                try:
                    lanes[frame] = panel.dataset.read_lanes(frame)
                except StudioError:
                    continue  # a broken label file is no keyframe (its row shows the error)
        return lanes

    def propagate(self) -> Job | None:
        """Shift+K: propose lanes for the frames between the shown clip's keyframes."""
        panel, review = self._panel, self._review
        document = panel.document
        if document is None or panel.dataset is None or review.session.path is None:
            return None
        frames = self.clip_frames(document.entry)
        keyframes = self.keyframe_lanes(frames)
        order = [i for i, f in enumerate(frames) if f in keyframes]
        between = sum(j - i - 1 for i, j in zip(order[:-1], order[1:], strict=True))
        clip = clip_of(document.entry)
        if between == 0:
            panel.messages.show_message(
                f"Clip {clip}: {len(keyframes)} keyframe(s) and no frame between two of them; "
                "label or mark (K) at least two frames with frames between them.",
                level="info",
            )
            return None
        refine = panel.actions["refine_propagation"].isChecked()
        model = panel.proposals.checkpoint if refine else None
        if refine and model is None:
            panel.messages.show_message(
                "Refining needs a model: Model ▸ Choose model… first.", level="info"
            )
            return None
        factory = propagate_job(panel.dataset, frames, keyframes, review.session.path, model)
        job = self._jobs.submit(f"Propagate lanes: {clip}", factory, lane=LANE)
        job.progress.connect(review.bar.show_running)
        job.finished.connect(lambda summary: self._on_job_finished(summary, len(keyframes)))
        job.errored.connect(
            lambda message, _tb: panel.messages.show_message(f"Propagation failed: {message}")
        )
        job.cancelled.connect(lambda: review.bar.show_idle("propagation cancelled"))
        self.job = job
        how = f", refined by {Path(model).name}" if model is not None else ""
        panel.messages.show_message(
            f"Propagating lanes of {len(keyframes)} keyframes to {between} frames of {clip}{how}…",
            level="info",
        )
        return job

    def _on_job_finished(self, summary, keyframes: int) -> None:
        review = self._review
        review.session.refresh(show=summary.run_key)
        review.reload_proposals()
        review.bar.show_idle(f"propagated to {summary.total} frames")
        self._panel.messages.show_message(
            f"Propagated lanes from {keyframes} keyframes to {summary.total} frames; they are "
            "proposals (dashed) until accepted: Enter accepts, C copies a frame's lanes to the "
            "next one.",
            level="info",
        )
