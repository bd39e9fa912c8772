"""Model-assisted labelling: a student checkpoint proposes lanes for the image being edited.

Loading the checkpoint and predicting run as one background job
(:class:`~lgad_studio.gui.jobs.JobRunner`); the predictor, once loaded, is kept
and reused. The result becomes the document's *proposal*: drawn dashed, not part
of the labels until accepted (Enter), which replaces the lanes in one undoable
step. Uses ``LanePredictor.from_checkpoint(path).predict(image_rgb [H, W, 3] uint8)``
of :mod:`lgad_studio.core.inference`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal

from lgad_studio.core.events import Progress
from lgad_studio.core.lanes import LaneSet
from lgad_studio.gui.editor.document import LabelDocument
from lgad_studio.gui.jobs import Job, JobRunner


class LaneProposer(QObject):
    """Holds the chosen checkpoint (and its loaded predictor) and runs prediction jobs."""

    proposal_ready = Signal(object, int)  # LabelDocument, number of proposed lanes
    failed = Signal(str, str)  # message, traceback

    def __init__(self, jobs: JobRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._jobs = jobs
        self.checkpoint: Path | None = None
        self._predictor: object | None = None
        self.job: Job | None = None

    def set_checkpoint(self, path: str | Path) -> None:
        """Use ``path`` from now on; it is loaded by the next :meth:`propose`."""
        path = Path(path)
        if path != self.checkpoint:
            self.checkpoint = path
            self._predictor = None

    @property
    def busy(self) -> bool:
        return self.job is not None and not self.job.state.is_terminal

    def propose(self, document: LabelDocument, image: np.ndarray) -> Job | None:
        """Predict lanes for ``image`` (``uint8 [H, W, 3]`` RGB) into ``document``'s proposal."""
        if self.checkpoint is None or self.busy:
            return None
        make = _prediction_job(self.checkpoint, self._predictor, np.ascontiguousarray(image))
        # The quick lane: a proposal must not wait behind a training run.
        job = self._jobs.submit(f"Propose lanes: {document.entry}", make, lane="quick")
        job.finished.connect(lambda result, doc=document: self._on_job_finished(doc, result))
        job.errored.connect(self.failed)
        self.job = job
        return job

    def _on_job_finished(self, document: LabelDocument, result: object) -> None:
        predictor, prediction = result  # type: ignore[misc]
        self._predictor = predictor
        lanes: LaneSet = prediction.lanes
        document.set_proposal(LaneSet(lanes.lanes, image_size=document.lanes.image_size))
        self.proposal_ready.emit(document, len(lanes))


def _prediction_job(checkpoint: Path, predictor: object | None, image: np.ndarray):
    """A job factory: load the predictor if needed, predict, return ``(predictor, Prediction)``."""

    def make(cancel):
        loaded = predictor
        if loaded is None:
            yield Progress(0, 2, f"loading {checkpoint.name}")
            from lgad_studio.core.inference import LanePredictor  # torch: only when used

            loaded = LanePredictor.from_checkpoint(checkpoint)
        yield Progress(1, 2, "predicting")
        return loaded, loaded.predict(image)

    return make
