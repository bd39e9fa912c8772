"""The Model menu's model, and "Propose lanes" (P) for the image being edited.

The model is a student checkpoint or its ONNX export
(:func:`~lgad_studio.core.predictors.load_predictor`); the batch auto-label
(:mod:`lgad_studio.gui.review`) uses the same one. P loads it and predicts as one
background job on the runner's ``quick`` lane
(:class:`~lgad_studio.gui.jobs.JobRunner`), so a proposal never waits behind a
training run or a batch; the loaded predictor is kept and reused. The prediction
becomes proposals for every slot with their scores
(:func:`~lgad_studio.core.autolabel.proposals.proposals_from_prediction`, the
same as a batch run's), handed to the review
(:meth:`~lgad_studio.gui.review.controller.ReviewController.show_proposals`):
drawn dashed, filtered by the confidence slider, never part of the labels until
accepted. A model that finds no lanes proposes nothing, and says so.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QObject, Signal

from lgad_studio.core.events import Progress
from lgad_studio.gui.editor.document import LabelDocument
from lgad_studio.gui.jobs import Job, JobRunner

if TYPE_CHECKING:
    from lgad_studio.gui.editor.host import LabelHost


class ProposeController(QObject):
    """The Model menu's model (checkpoint or ONNX) and the single-image proposal."""

    proposal_ready = Signal(object, int)  # LabelDocument, number of proposed lanes shown

    def __init__(self, panel: LabelHost, jobs: JobRunner) -> None:
        super().__init__(panel)
        self._panel = panel
        self._jobs = jobs
        self.checkpoint: Path | None = None
        self._predictor: object | None = None
        self.job: Job | None = None
        if panel.settings.last_checkpoint():
            self.set_checkpoint(panel.settings.last_checkpoint())

    def set_checkpoint(self, path: str | Path) -> None:
        """Use ``path`` from now on; it is loaded by the next proposal."""
        path = Path(path)
        if path != self.checkpoint:
            self.checkpoint = path
            self._predictor = None
        self._panel.settings.set_last_checkpoint(path)

    def choose_checkpoint(self) -> bool:
        """Ask for the model: a student checkpoint (.pt) or its ONNX export (.onnx)."""
        from lgad_studio.gui.review.batch_dialog import choose_model_file

        path = choose_model_file(
            self._panel, self._panel.settings.last_checkpoint() or str(Path.home())
        )
        if path:
            self.set_checkpoint(path)
        return bool(path)

    @property
    def busy(self) -> bool:
        return self.job is not None and not self.job.state.is_terminal

    def propose(self) -> Job | None:
        """Predict lanes for the shown image (asking for a checkpoint on first use)."""
        panel = self._panel
        document, image = panel.document, panel.image
        if document is None or image is None:
            panel.messages.show_message(
                "Propose lanes needs an image that could be read.", level="info"
            )
            return None
        if self.busy or (self.checkpoint is None and not self.choose_checkpoint()):
            return None
        assert self.checkpoint is not None
        image = np.ascontiguousarray(image)
        make = _prediction_job(self.checkpoint, self._predictor, document.entry, image)
        job = self._jobs.submit(f"Propose lanes: {document.entry}", make, lane="quick")
        job.finished.connect(lambda result, doc=document: self._on_job_finished(doc, result))
        job.errored.connect(self._on_job_errored)
        self.job = job
        panel.messages.show_message(f"Predicting lanes with {self.checkpoint.name}…", level="info")
        return job

    def _on_job_finished(self, document: LabelDocument, result: object) -> None:
        predictor, proposals = result  # type: ignore[misc]
        self._predictor = predictor
        shown = self._panel.review.show_proposals(document, proposals, source="P")
        self.proposal_ready.emit(document, shown)

    def _on_job_errored(self, message: str, details: str) -> None:
        messages = self._panel.messages
        messages.show_message(
            f"Propose lanes failed: {message}\n(model: {self.checkpoint})", sticky=True
        )
        messages.setToolTip(details)  # the traceback, for a bug report


def _prediction_job(model: Path, predictor: object | None, entry: str, image: np.ndarray):
    """A job factory: load the model if needed, predict; returns ``(predictor, ImageProposals)``."""

    def make(cancel):
        loaded = predictor
        if loaded is None:
            yield Progress(0, 2, f"loading {model.name}")
            from lgad_studio.core.predictors import load_predictor  # torch: only when used

            loaded = load_predictor(model)
        yield Progress(1, 2, "predicting")
        from lgad_studio.core.autolabel.proposals import proposals_from_prediction

        prediction = loaded.predict(image)
        size = (image.shape[1], image.shape[0])
        return loaded, proposals_from_prediction(
            entry, prediction.prob_map, prediction.exist, image_size=size
        )

    return make
