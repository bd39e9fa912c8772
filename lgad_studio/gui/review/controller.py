"""The review in the Label tab: proposals over the labels, accepting them, the queue, the batch job.

:class:`ReviewController` is built by the label panel and owns the sidecar session,
the review strip, the batch runner and clip propagation. It never changes labels
itself: accepting is :meth:`LabelDocument.accept_proposals` (one undo step), and
nothing is written until the editor's own save rules write it. Decisions
(docs/adr/autolabel.md, "Review in the studio"):

- Enter accepts the selected proposed lane, else every shown one; a proposal that
  matches a labelled lane (the metric's IoU > 0.5) is skipped unless Shift+Enter
  (replace) is used; accepting nothing changes nothing and says so.
- The slider filters the proposals already in memory by existence probability.
- U opens the most uncertain listed image not looked at since the run was shown
  (the queue is the shown run's uncertainty, most uncertain first); Shift+U goes
  back through the images U opened.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QPoint, Signal

from lgad_studio.core.autolabel.ranking import next_uncertain, review_queue
from lgad_studio.core.autolabel.review import matching_labels
from lgad_studio.core.autolabel.settings import DEFAULT_MIN_EXISTENCE
from lgad_studio.core.lanes import LaneSet
from lgad_studio.gui.editor.document import AcceptOutcome, LabelDocument
from lgad_studio.gui.jobs import Job, JobRunner
from lgad_studio.gui.review import accepting
from lgad_studio.gui.review.bar import ReviewBar
from lgad_studio.gui.review.batch import BatchRequest, BatchRunner, BatchState
from lgad_studio.gui.review.batch_dialog import BatchDialog
from lgad_studio.gui.review.propagation import PropagationController
from lgad_studio.gui.review.session import ReviewSession, run_title

if TYPE_CHECKING:
    from lgad_studio.gui.editor.host import LabelHost

P_SOURCE = "P"  # proposals of the image on screen (Propose lanes), not from the sidecar


class ReviewController(QObject):
    """Everything of the review that is not the canvas; see the module docstring."""

    retrain_requested = Signal(str)  # "teacher" | "student": train on the corrected labels

    def __init__(self, panel: LabelHost, jobs: JobRunner) -> None:
        super().__init__(panel)
        self._panel = panel
        self.session = ReviewSession(self)
        self.bar = ReviewBar(panel)
        self.batch = BatchRunner(jobs, self)
        self.propagation = PropagationController(panel, jobs, self)
        self.min_existence = DEFAULT_MIN_EXISTENCE
        self.menu = None  # the open context menu, kept referenced
        self._dismissed: set[tuple[str, str]] = set()  # (run key, entry) hidden by Esc
        self._queue: tuple[int, int, list[str]] | None = None  # (id entries, id scores, queue)
        self._seen: set[str] = set()  # images shown since the run was shown: U skips them
        self._walked: list[str] = []  # the images U opened, for Shift+U
        self.session.runs_changed.connect(self._update_runs)
        self.session.shown_run_changed.connect(self._on_session_shown_run_changed)
        self.session.scores_changed.connect(self._on_session_scores_changed)
        self.session.problem.connect(
            lambda text: panel.messages.show_message(text, level="warning")
        )
        self.bar.run_chosen.connect(self.session.show_run)
        self.bar.min_existence_changed.connect(self.set_min_existence)
        self.bar.cancel_requested.connect(self.cancel_jobs)
        self.bar.resume_requested.connect(self.resume_batch)
        self.batch.run_recorded.connect(lambda key: self.session.refresh(show=key))
        self.batch.progressed.connect(self.bar.show_running)
        self.batch.ended.connect(self._on_batch_ended)
        panel.canvas.proposal_selection_changed.connect(self._on_canvas_proposal_selected)
        panel.canvas.proposal_menu_requested.connect(self._on_canvas_proposal_menu)
        panel.entry_opened.connect(self._on_panel_entry_opened)
        handlers = {
            "autolabel": self.open_batch_dialog,
            "next_uncertain": lambda: self.next_uncertain(+1),
            "previous_uncertain": lambda: self.next_uncertain(-1),
            "accept_replacing": lambda: self.accept(replace=True),
            "next_proposal": self.select_next_proposal,
            "retrain_teacher": lambda: self.retrain_requested.emit("teacher"),
            "retrain_student": lambda: self.retrain_requested.emit("student"),
        }
        for name, handler in handlers.items():
            panel.actions[name].triggered.connect(handler)
        for name in ("autolabel", "next_uncertain"):
            self.bar.add_action_button(panel.actions[name])

    # -- dataset and entries ------------------------------------------------------------------
    def set_dataset(self, dataset) -> None:
        """Follow another dataset's sidecar; a batch still labelling the old one is cancelled."""
        self.batch.cancel()
        self.propagation.reset()
        self._dismissed.clear()
        self.session.open(dataset.root if dataset is not None else None)

    def _on_panel_entry_opened(self, entry: str) -> None:
        if entry:
            self._seen.add(entry)
        self._load_proposals(force=False)

    def reload_proposals(self) -> None:
        """Read the shown image's proposals from the sidecar again (a job wrote new ones)."""
        self._load_proposals(force=True)

    def proposed_lanes(self, entry: str) -> LaneSet:
        """An image's proposals that pass the confidence filter (its document's, if open)."""
        document = self._panel.store.get(entry)
        if document is not None and document.proposals is not None:
            return document.proposal or LaneSet()
        found = self.session.proposals(entry)
        if found is None:
            return LaneSet()
        return found.lane_set(min_existence=self.min_existence)

    def _load_proposals(self, *, force: bool) -> None:
        """Put the shown run's proposals of the shown image on its document."""
        document = self._panel.document
        if document is None:
            self.update_actions()
            return
        run = self.session.shown_run
        key = run.run_key if run is not None else ""
        if force or (document.proposal_source not in (key, P_SOURCE)):
            hidden = (key, document.entry) in self._dismissed
            found = self.session.proposals(document.entry) if key and not hidden else None
            if found is not None or document.proposal_source != P_SOURCE:
                document.set_proposal(found, source=key)
        document.set_min_existence(self.min_existence)
        self.update_actions()

    def _on_session_shown_run_changed(self) -> None:
        self._dismissed.clear()
        self._walked.clear()
        document = self._panel.document
        self._seen = {document.entry} if document is not None else set()
        self._update_runs()
        self._load_proposals(force=True)

    def _update_runs(self) -> None:
        session = self.session
        runs = [(r.run_key, run_title(r, session.count(r.run_key))) for r in session.runs()]
        shown = session.shown_run
        self.bar.set_runs(runs, shown.run_key if shown is not None else None)

    def _on_session_scores_changed(self) -> None:
        self._queue = None
        self._panel.browser.set_scores(self.session.scores())

    # -- showing and accepting proposals ------------------------------------------------------
    def show_proposals(self, document: LabelDocument, proposals, *, source: str = P_SOURCE) -> int:
        """Show ``proposals`` on ``document`` and say what they are; returns how many are shown."""
        document.set_proposal(proposals if len(proposals) else None, source=source)
        document.set_min_existence(self.min_existence)
        shown = len(document.shown_proposals())
        if document is self._panel.document:
            text = accepting.shown_text(
                shown=shown, total=len(proposals), labelled=len(document.lanes),
                min_existence=self.min_existence,
            )  # fmt: skip
            self._panel.messages.show_message(text, level="info")
        self.update_actions()
        return shown

    def set_min_existence(self, value: float) -> None:
        """The confidence slider: the shown image's cached proposals are filtered again."""
        self.min_existence = float(value)
        self.bar.set_min_existence(value)
        if self._panel.document is not None:
            self._panel.document.set_min_existence(value)
        self.update_actions()

    def accept(self, replace: bool = False) -> AcceptOutcome | None:
        """Enter: the selected proposed lane, else all shown; Shift+Enter replaces matches."""
        document = self._panel.document
        if document is None:
            return None
        index = self._panel.canvas.selected_proposal
        outcome = document.accept_proposals(
            None if index is None else [index], replace_matching=replace
        )
        text = accepting.outcome_text(
            outcome, left=len(document.shown_proposals()), min_existence=self.min_existence
        )
        self._panel.messages.show_message(text, level="info")
        self.update_actions()
        return outcome

    def discard(self) -> None:
        """Esc: hide the image's proposals (the sidecar keeps them)."""
        document = self._panel.document
        if document is None or document.proposals is None:
            return
        self._dismissed.add((document.proposal_source, document.entry))
        document.set_proposal(None, source=document.proposal_source)
        self._panel.messages.clear_transient()
        self.update_actions()

    def select_next_proposal(self) -> None:
        document, canvas = self._panel.document, self._panel.canvas
        count = len(document.shown_proposals()) if document is not None else 0
        if count:
            current = canvas.selected_proposal
            canvas.select_proposal(0 if current is None else (current + 1) % count)

    def update_actions(self) -> None:
        document = self._panel.document
        shown = len(document.shown_proposals()) if document is not None else 0
        total = len(document.proposals) if document is not None and document.proposals else 0
        for name in ("accept_proposal", "accept_replacing", "next_proposal", "discard_proposal"):
            usable = shown > 0 or (name == "discard_proposal" and total > 0)
            self._panel.actions[name].setEnabled(usable)
        self.bar.set_shown(shown, total)

    def _matching_lane(self, index: int) -> int | None:
        document = self._panel.document
        lane = document.shown_proposals()[index].lane
        return matching_labels(document.lanes, [lane]).get(0)

    def _on_canvas_proposal_selected(self) -> None:
        index = self._panel.canvas.selected_proposal
        document = self._panel.document
        if index is None or document is None or index >= len(document.shown_proposals()):
            return
        text = accepting.selected_text(
            index, document.shown_proposals()[index], matches=self._matching_lane(index)
        )
        self._panel.messages.show_message(text, level="info")

    def _on_canvas_proposal_menu(self, index: int, where: QPoint):
        document = self._panel.document
        self.menu = accepting.proposal_menu(
            self._panel.canvas, matches=self._matching_lane(index),
            shown=len(document.shown_proposals()), on_accept=self.accept,
            on_replace=lambda: self.accept(replace=True), on_all=self._accept_all,
            on_discard=self.discard,
        )  # fmt: skip
        self.menu.popup(where)
        return self.menu

    def _accept_all(self) -> None:
        self._panel.canvas.select_proposal(None)
        self.accept()

    # -- the review queue -----------------------------------------------------------------------
    def review_order(self) -> list[str]:
        """The listed images that have proposals in the shown run, most uncertain first."""
        scores, entries = self.session.scores(), self._panel.browser.model.entries
        cached = self._queue
        if cached is None or cached[0] != id(entries) or cached[1] != id(scores):
            queue = review_queue({e: scores[e] for e in entries if e in scores})
            self._queue = cached = (id(entries), id(scores), queue)
        return cached[2]

    def next_uncertain(self, step: int = 1) -> str | None:
        """U: open the most uncertain listed image not seen yet (Shift+U: back one)."""
        panel = self._panel
        queue = self.review_order()
        if not queue:
            panel.messages.show_message(
                "No review queue: no listed image has proposals yet. Review ▸ Auto-label "
                "images… proposes lanes for them.",
                level="info",
            )
            return None
        current = panel.document.entry if panel.document is not None else None
        if step > 0:
            target = next_uncertain(queue, None, skip=self._seen | {current})
        else:
            while self._walked and self._walked[-1] == current:
                self._walked.pop()
            target = self._walked[-1] if self._walked else None
        if target is None:
            text = (
                f"End of the review queue: all {len(queue):,} images with proposals were shown."
                if step > 0
                else "Back at the start of this review (U opens the most uncertain image)."
            )
            panel.messages.show_message(text, level="info")
            return None
        if step > 0:
            self._walked.append(target)
        panel.browser.select_entry(target)
        rank = queue.index(target) + 1
        score = self.session.scores()[target]
        left = sum(1 for e in queue if e not in self._seen)
        panel.messages.show_message(
            f"Review queue: rank {rank:,} of {len(queue):,}, uncertainty {score:.2f}; "
            f"{left:,} not seen yet (U next, Shift+U back).",
            level="info",
        )
        return target

    # -- batch auto-label -----------------------------------------------------------------------
    def open_batch_dialog(self) -> Job | None:
        panel = self._panel
        if panel.dataset is None:
            return None
        document = panel.document
        dialog = BatchDialog(
            model=panel.proposals.checkpoint, current=document.entry if document else None,
            selection=panel.browser.selected_entries(), splits=panel.browser.split_names(),
            split=panel.browser.split, parent=panel,
        )  # fmt: skip
        if dialog.exec() != BatchDialog.DialogCode.Accepted:
            return None
        request = dialog.request()
        panel.proposals.set_checkpoint(request.model)
        return self.start_batch(request)

    def start_batch(self, request: BatchRequest) -> Job | None:
        """Queue a batch auto-label; the panel keeps working while it runs."""
        panel = self._panel
        if panel.dataset is None or self.session.path is None:
            return None
        if self.batch.busy:
            panel.messages.show_message(
                "A batch auto-label is already running; cancel it first.", level="info"
            )
            return None
        job = self.batch.start(request, panel.dataset, self.session.path)
        job.errored.connect(self._on_batch_errored)
        self.bar.show_running(0, 0, f"loading {request.model.name}")
        panel.messages.show_message(
            f"Auto-labelling {request.describe()} with {request.model.name} in the background; "
            f"proposals go to {self.session.path}, never into a label file.",
            level="info",
        )
        return job

    def cancel_jobs(self) -> None:
        """The strip's Cancel: the batch auto-label and a propagation in flight."""
        self.batch.cancel()
        job = self.propagation.job
        if job is not None and not job.state.is_terminal:
            job.cancel()

    def resume_batch(self) -> Job | None:
        state = self.batch.state
        return self.start_batch(state.request) if state is not None else None

    def _on_batch_errored(self, message: str, details: str) -> None:
        self._panel.messages.show_message(f"Auto-label failed: {message}", sticky=True)
        self._panel.messages.setToolTip(details)

    def _on_batch_ended(self, state: BatchState) -> None:
        self.session.refresh(show=state.run_key)
        self._load_proposals(force=True)
        summary, last = state.summary, state.last
        if state.job.error is not None:
            self.bar.show_idle("Auto-label failed", resumable=True)
            return
        done, total = (last.done, last.total) if last is not None else (0, 0)
        if summary is None or summary.cancelled:
            text = f"Auto-label cancelled at {done:,} of {total:,} images; they are kept."
            self.bar.show_idle(f"cancelled at {done:,} of {total:,}", resumable=True)
            self._panel.messages.show_message(text + " Resume continues.", level="info")
            return
        problems = f"; {len(summary.problems)} unreadable skipped" if summary.problems else ""
        self.bar.show_idle(f"done: {summary.total:,} images")
        self._panel.messages.show_message(
            f"Auto-label done: {summary.written:,} images proposed, {summary.skipped:,} already "
            f"done{problems}. U opens the most uncertain image.",
            level="info",
        )
