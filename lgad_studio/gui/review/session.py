"""The open dataset's proposals sidecar as the Label tab sees it: runs, the shown run, scores.

The sidecar (``ROOT/.lgad/proposals.sqlite``, :mod:`lgad_studio.core.autolabel.store`)
is written only by jobs, each with its own connection in its worker thread; the
window keeps one read connection of its own, opened only when the file exists
(opening a dataset never creates it). WAL mode lets it read while a job writes.
One run is *shown* at a time: its proposals are drawn over the labels, and its
uncertainties order the review queue and the browser. Reading one image's
proposals is one indexed row; the ``{entry: uncertainty}`` of a run is read once
(two columns, no lanes decoded) and again only after a job changed the run.
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from lgad_studio.core.autolabel import ImageProposals, ProposalStore, RunInfo, StoreError
from lgad_studio.core.autolabel.store import default_store_path


def run_title(run: RunInfo, count: int | None = None) -> str:
    """How a run is named in the window: its model file (or clip) and when it was made."""
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(run.created)) if run.created else ""
    if run.kind == "propagation":
        frames = run.info.get("keyframes", []) if run.info else []
        clip = str(Path(frames[0]).parent) if frames else "clip"
        what = f"propagation · {clip}" + (" (refined)" if run.model else "")
    else:
        what = Path(run.model_path).name or f"model {run.model[:8]}"
    images = f" · {count:,} images" if count is not None else ""
    return f"{what}{images} · {when}".strip(" ·")


class ReviewSession(QObject):
    """Which sidecar, which runs, which run is shown; reads only, in the main thread."""

    runs_changed = Signal()
    shown_run_changed = Signal()  # another run's proposals and scores are shown
    scores_changed = Signal()
    problem = Signal(str)  # the sidecar exists but cannot be read

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.path: Path | None = None
        self._store: ProposalStore | None = None
        self._runs: list[RunInfo] = []
        self._counts: dict[str, int] = {}
        self._shown: str | None = None
        self._scores: dict[str, float] | None = None

    # -- the sidecar ------------------------------------------------------------------------
    def open(self, dataset_root: str | Path | None) -> None:
        """Follow the sidecar of another dataset (``None``: none)."""
        self.close()
        self.path = None if dataset_root is None else default_store_path(dataset_root)
        self._shown = None
        self.refresh()

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    def refresh(self, *, show: str | None = None) -> None:
        """Read the runs again (a job wrote); ``show`` makes that run the shown one."""
        if self._store is None and self.path is not None and self.path.is_file():
            try:
                self._store = ProposalStore(self.path)
            except StoreError as err:
                self.problem.emit(f"The proposals sidecar cannot be read: {err}")
        store = self._store
        self._runs = store.runs() if store is not None else []
        self._counts = store.counts() if store is not None else {}
        keys = [run.run_key for run in self._runs]
        previous = self._shown
        if show in keys:
            self._shown = show
        elif self._shown not in keys:
            models = [r.run_key for r in self._runs if r.kind == "model"]
            self._shown = (models or keys or [None])[-1]  # the newest model run
        self._scores = None
        self.runs_changed.emit()
        if self._shown != previous:
            self.shown_run_changed.emit()
        self.scores_changed.emit()

    # -- runs ---------------------------------------------------------------------------------
    def runs(self) -> list[RunInfo]:
        """Every run of the sidecar, oldest first."""
        return list(self._runs)

    def count(self, run_key: str) -> int:
        return self._counts.get(run_key, 0)

    @property
    def shown_run(self) -> RunInfo | None:
        return next((r for r in self._runs if r.run_key == self._shown), None)

    def show_run(self, run_key: str | None) -> None:
        """Draw this run's proposals (``None``: none) and order the queue by its scores."""
        if run_key == self._shown:
            return
        self._shown = run_key
        self._scores = None
        self.shown_run_changed.emit()
        self.scores_changed.emit()

    # -- what the editor asks ------------------------------------------------------------------
    def proposals(self, entry: str, *, run_key: str | None = None) -> ImageProposals | None:
        """One image's proposals of the shown run (or ``run_key``); ``None`` when it has none."""
        key = run_key or self._shown
        if self._store is None or key is None:
            return None
        return self._store.get(key, entry)

    def scores(self) -> dict[str, float]:
        """``{entry: uncertainty}`` of the shown run (empty without one)."""
        if self._scores is None:
            key = self._shown
            self._scores = self._store.uncertainties(key) if self._store is not None and key else {}
        return self._scores
