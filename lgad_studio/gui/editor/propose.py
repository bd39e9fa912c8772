"""Model-assisted labelling: a student checkpoint proposes lanes for the image being edited.

Loading the checkpoint and predicting run as one background job on the runner's
``quick`` lane (:class:`~lgad_studio.gui.jobs.JobRunner`), so a proposal never
waits behind a training run; the loaded predictor is kept and reused. The result
becomes the document's *proposal*: drawn dashed, not part of the labels until
accepted (Enter), which replaces the lanes in one undoable step; Esc discards it.
A model that finds no lanes proposes nothing: the image's labels stay as they are
(an empty proposal accepted would have wiped them).
Uses ``LanePredictor.from_checkpoint(path).predict(image_rgb uint8 [H, W, 3])``
of :mod:`lgad_studio.core.inference`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QWidget

from lgad_studio.core.events import Progress
from lgad_studio.core.lanes import LaneSet
from lgad_studio.gui.editor.document import LabelDocument
from lgad_studio.gui.editor.message_bar import MessageBar
from lgad_studio.gui.jobs import Job, JobRunner
from lgad_studio.gui.settings import StudioSettings


class ProposalHost(Protocol):
    """What the controller needs from the Label tab (``LabelPanel`` is one), and no more."""

    document: LabelDocument | None  # the shown image's document
    image: np.ndarray | None  # uint8 [H, W, 3] RGB of the shown image
    settings: StudioSettings
    messages: MessageBar
    actions: Mapping[str, QAction]


class ProposeController(QObject):
    """The Model menu of the Label tab: choose a checkpoint, propose, accept, discard."""

    proposal_ready = Signal(object, int)  # LabelDocument, number of proposed lanes

    def __init__(self, panel: ProposalHost, jobs: JobRunner) -> None:
        super().__init__(panel if isinstance(panel, QWidget) else None)
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
        start = self._panel.settings.last_checkpoint() or str(Path.home())
        parent = self._panel if isinstance(self._panel, QWidget) else None
        path, _filter = QFileDialog.getOpenFileName(
            parent,
            "Choose a student checkpoint",
            start,
            "Checkpoints (*.pt *.pth);;All files (*)",
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
        make = _prediction_job(self.checkpoint, self._predictor, np.ascontiguousarray(image))
        job = self._jobs.submit(f"Propose lanes: {document.entry}", make, lane="quick")
        job.finished.connect(lambda result, doc=document: self._on_job_finished(doc, result))
        job.errored.connect(self._on_job_errored)
        self.job = job
        panel.messages.show_message(f"Predicting lanes with {self.checkpoint.name}…", level="info")
        return job

    def accept(self) -> None:
        document = self._panel.document
        if document is not None and document.accept_proposal():
            self._panel.messages.show_message(
                f"Accepted {len(document.lanes)} proposed lane(s) as this image's labels "
                "(Ctrl+Z undoes).",
                level="info",
            )

    def discard(self) -> None:
        document = self._panel.document
        if document is not None and document.proposal is not None:
            document.set_proposal(None)
            self._panel.messages.clear_transient()

    def update_actions(self) -> None:
        document = self._panel.document
        shown = document is not None and document.proposal is not None
        self._panel.actions["accept_proposal"].setEnabled(shown)
        self._panel.actions["discard_proposal"].setEnabled(shown)

    def _on_job_finished(self, document: LabelDocument, result: object) -> None:
        predictor, prediction = result  # type: ignore[misc]
        self._predictor = predictor
        lanes: LaneSet = prediction.lanes
        self.show_proposal(document, LaneSet(lanes.lanes, image_size=document.lanes.image_size))
        self.proposal_ready.emit(document, len(lanes))

    def show_proposal(self, document: LabelDocument, proposal: LaneSet) -> None:
        """Show ``proposal`` on ``document``; with no lanes there is nothing to accept."""
        shown = document is self._panel.document
        have = len(document.lanes)
        if not len(proposal):
            document.set_proposal(None)
            if shown:
                self._panel.messages.show_message(
                    f"The model found no lanes in this image; its {have} labelled lane"
                    f"{'s are' if have != 1 else ' is'} unchanged.",
                    level="info",
                )
            return
        document.set_proposal(proposal)
        if shown:
            count = len(proposal)
            self._panel.messages.show_message(
                f"{count} proposed lane{'s' if count != 1 else ''} (dashed): Enter accepts them, "
                f"replacing this image's {have} lane{'s' if have != 1 else ''} (Ctrl+Z undoes); "
                "Esc discards them.",
                level="info",
            )

    def _on_job_errored(self, message: str, details: str) -> None:
        messages = self._panel.messages
        messages.show_message(
            f"Propose lanes failed: {message}\n(checkpoint: {self.checkpoint})", sticky=True
        )
        messages.setToolTip(details)  # the traceback, for a bug report


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
