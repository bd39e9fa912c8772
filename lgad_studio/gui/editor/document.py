"""One image's labels being edited, and the one place undo lives.

A :class:`LabelDocument` holds the image's current ``LaneSet``, the ``LaneSet``
last read from or written to disk, the proposals shown over it (a model's or a
propagation's, with their scores), and its own ``QUndoStack``. Every edit goes
through :meth:`LabelDocument.apply`, which pushes a :class:`SetLanesCommand`
holding the frozen before/after lane sets, so undo and redo are exact and cheap;
accepting proposals (:meth:`LabelDocument.accept_proposals`, the pure merge of
:mod:`lgad_studio.core.autolabel.review`) is one such step. :class:`DocumentStore`
keeps a document per visited entry (one undo stack per image) inside a
``QUndoGroup`` whose undo and redo actions always act on the image being shown.
See ``docs/adr/undo.md``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoGroup, QUndoStack

from lgad_studio.core.autolabel.proposals import ImageProposals, LaneProposal
from lgad_studio.core.autolabel.review import accept, matching_labels
from lgad_studio.core.autolabel.settings import DEFAULT_MIN_EXISTENCE
from lgad_studio.core.errors import Problem
from lgad_studio.core.lanes import LaneSet


@dataclass(frozen=True)
class AcceptOutcome:
    """What one accept did: proposals added as lanes, lanes replaced, proposals skipped
    because they match a lane the image already has (and replacing was not asked)."""

    chosen: int
    added: int = 0
    replaced: int = 0
    skipped: int = 0

    @property
    def changed(self) -> bool:
        return self.added + self.replaced > 0


def as_image_proposals(proposal: ImageProposals | LaneSet, entry: str) -> ImageProposals:
    """A plain ``LaneSet`` of proposed lanes as proposals without scores (existence 1)."""
    if isinstance(proposal, ImageProposals):
        return proposal
    lanes = tuple(LaneProposal(lane, 1.0, None) for lane in proposal)
    return ImageProposals(entry, proposal.image_size, lanes, np.full(4, np.nan), np.zeros(0))


class SetLanesCommand(QUndoCommand):
    """Replace a document's lane set; undo puts the previous one back."""

    def __init__(self, document: LabelDocument, before: LaneSet, after: LaneSet, text: str):
        super().__init__(text)
        self._document = document
        self._before = before
        self._after = after

    def redo(self) -> None:
        self._document._set_lanes(self._after)

    def undo(self) -> None:
        self._document._set_lanes(self._before)


class LabelDocument(QObject):
    """The labels of one dataset entry while it is open in the editor."""

    lanes_changed = Signal()
    proposal_changed = Signal()
    dirty_changed = Signal(bool)

    def __init__(
        self,
        entry: str,
        lanes: LaneSet,
        *,
        problems: list[Problem] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.entry = entry
        self.problems: list[Problem] = list(problems or [])
        self.undo_stack = QUndoStack(self)
        self._lanes = lanes
        self._saved = lanes
        self._proposals: ImageProposals | None = None
        self.proposal_source = ""  # which run (or "P") the proposals came from
        self._min_existence = DEFAULT_MIN_EXISTENCE
        self.was_edited = False  # changed in this session (saved or not): the browser's "edited"

    @property
    def lanes(self) -> LaneSet:
        return self._lanes

    @property
    def saved_lanes(self) -> LaneSet:
        return self._saved

    @property
    def is_dirty(self) -> bool:
        """True when the lanes differ from what is on disk (undoing back to it clears it)."""
        return self._lanes != self._saved

    @property
    def proposals(self) -> ImageProposals | None:
        """Every cached proposal of the image, whatever the confidence filter."""
        return self._proposals

    @property
    def min_existence(self) -> float:
        return self._min_existence

    def shown_proposals(self) -> tuple[LaneProposal, ...]:
        """The proposals drawn: at least ``min_existence`` confident, and not yet a lane of the
        image (an accepted proposal disappears; undoing the accept brings it back)."""
        if self._proposals is None:
            return ()
        taken = [lane.points for lane in self._lanes]
        return tuple(
            p
            for p in self._proposals.filtered(min_existence=self._min_existence).lanes
            if not any(np.array_equal(p.lane.points, pts) for pts in taken)
        )

    @property
    def proposal(self) -> LaneSet | None:
        """The shown proposals as lanes; ``None`` when the image has no proposals at all."""
        if self._proposals is None:
            return None
        lanes = tuple(p.lane for p in self.shown_proposals())
        return LaneSet(lanes, image_size=self._lanes.image_size)

    def apply(self, lanes: LaneSet, text: str) -> bool:
        """Make ``lanes`` the current lane set as one undoable step; False if nothing changed."""
        if lanes == self._lanes:
            return False
        self.undo_stack.push(SetLanesCommand(self, self._lanes, lanes, text))
        return True

    def mark_saved(self) -> None:
        """Record that the current lanes are now what is on disk."""
        was_dirty = self.is_dirty
        self._saved = self._lanes
        self.problems = []
        if was_dirty:
            self.dirty_changed.emit(False)

    def set_proposal(self, proposal: ImageProposals | LaneSet | None, *, source: str = "") -> None:
        """Show (or, with ``None``, drop) proposed lanes; they are not part of the labels."""
        self._proposals = None if proposal is None else as_image_proposals(proposal, self.entry)
        self.proposal_source = source
        self.proposal_changed.emit()

    def set_min_existence(self, value: float) -> None:
        """The confidence filter: re-filters the cached proposals, no model runs."""
        if value != self._min_existence:
            self._min_existence = float(value)
            if self._proposals is not None:
                self.proposal_changed.emit()

    def accept_proposals(
        self, indices: list[int] | None = None, *, replace_matching: bool = False
    ) -> AcceptOutcome:
        """Merge the shown proposals at ``indices`` (all when ``None``) into the lanes as ONE
        undoable step; a proposal matching a lane (the metric's IoU) replaces it only with
        ``replace_matching``. Nothing shown, or nothing that changes a lane, pushes no step."""
        shown = self.shown_proposals()
        chosen = list(range(len(shown))) if indices is None else list(dict.fromkeys(indices))
        if not chosen:
            return AcceptOutcome(0)
        lanes = [shown[i].lane for i in chosen]
        matched = set(matching_labels(self._lanes, lanes))
        hits = sum(1 for k in range(len(chosen)) if k in matched)
        outcome = AcceptOutcome(
            len(chosen),
            added=len(chosen) - hits,
            replaced=hits if replace_matching else 0,
            skipped=0 if replace_matching else hits,
        )
        merged = accept(self._lanes, lanes, replace_matching=replace_matching)
        if merged is self._lanes or not outcome.changed:
            return AcceptOutcome(len(chosen), skipped=len(chosen))
        count = outcome.added + outcome.replaced
        text = f"Accept {count} proposed lane{'s' if count != 1 else ''}"
        if outcome.replaced:
            text += f", replacing {outcome.replaced}"
        self.apply(merged, text)
        self.proposal_changed.emit()
        return outcome

    def _set_lanes(self, lanes: LaneSet) -> None:
        was_dirty = self.is_dirty
        self._lanes = lanes
        self.was_edited = True
        self.lanes_changed.emit()
        if self.is_dirty != was_dirty:
            self.dirty_changed.emit(self.is_dirty)


class DocumentStore(QObject):
    """Documents of the entries visited in this session, and the undo group across them."""

    document_dirty_changed = Signal(str, bool)  # entry, dirty

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.undo_group = QUndoGroup(self)
        self._documents: dict[str, LabelDocument] = {}

    def get(self, entry: str) -> LabelDocument | None:
        return self._documents.get(entry)

    def add(self, document: LabelDocument) -> LabelDocument:
        self._documents[document.entry] = document
        self.undo_group.addStack(document.undo_stack)
        document.dirty_changed.connect(
            lambda dirty, entry=document.entry: self.document_dirty_changed.emit(entry, dirty)
        )
        return document

    def activate(self, document: LabelDocument | None) -> None:
        self.undo_group.setActiveStack(None if document is None else document.undo_stack)

    def dirty(self) -> list[LabelDocument]:
        return [doc for doc in self._documents.values() if doc.is_dirty]

    def clear(self) -> None:
        for document in self._documents.values():
            self.undo_group.removeStack(document.undo_stack)
            document.deleteLater()
        self._documents.clear()
