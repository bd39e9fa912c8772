"""Saving and opening evaluation results from the Evaluate tab (both run as quick-lane jobs).

A mixin of :class:`~lgad_studio.gui.evaluate.tab.EvaluateTab`: it uses the tab's
``runner``, ``dataset``, ``result``, ``set_result``, ``result_saved`` and ``_show_error``.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog

from lgad_studio.core.evaluation.view import load_result_events, save_result_events
from lgad_studio.gui.jobs import Job


class ResultFiles:
    """**Open result…** / **Save result…**: ``.npz`` files of
    :class:`~lgad_studio.core.evaluation.result.EvaluationResult`."""

    def open_result(self, path: str | Path) -> Job:
        """Load a saved evaluation as a job; the tab shows it when loaded (``evaluated``)."""
        dataset, predictors = self.dataset, {}
        job = self.runner.submit(
            f"open {Path(path).name}",
            lambda cancel: load_result_events(path, dataset=dataset, predictors=predictors),
            lane="quick",
        )
        job.finished.connect(
            lambda opened: self.set_result(opened[0], first_view=opened[1], predictors=predictors)
        )
        job.errored.connect(lambda message, details: self._show_error((message, details)))
        return job

    def save_result(self, path: str | Path) -> Job | None:
        """Save the shown evaluation as a job (``result_saved`` when written)."""
        if self.result is None:
            self._show_error(("Evaluate or open a result first.", ""))
            return None
        result = self.result
        job = self.runner.submit(
            f"save {Path(path).name}", lambda cancel: save_result_events(result, path), lane="quick"
        )
        job.finished.connect(self.result_saved.emit)
        job.errored.connect(lambda message, details: self._show_error((message, details)))
        return job

    def _on_open_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Open an evaluation result", "", "Evaluation results (*.npz)"
        )
        if path:
            self.open_result(path)

    def _on_save_clicked(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Save the evaluation", "evaluation.npz", "Evaluation results (*.npz)"
        )
        if path:
            self.save_result(path)
