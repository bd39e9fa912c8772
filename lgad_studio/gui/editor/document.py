"""One image's labels being edited, and the one place undo lives.

A :class:`LabelDocument` holds the image's current ``LaneSet``, the ``LaneSet``
last read from or written to disk, an optional model proposal, and its own
``QUndoStack``. Every edit goes through :meth:`LabelDocument.apply`, which
pushes a :class:`SetLanesCommand` holding the frozen before/after lane sets, so
undo and redo are exact and cheap. :class:`DocumentStore` keeps a document per
visited entry (one undo stack per image) inside a ``QUndoGroup`` whose undo and
redo actions always act on the image being shown. See ``docs/adr/undo.md``.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoGroup, QUndoStack

from lgad_studio.core.errors import Problem
from lgad_studio.core.lanes import LaneSet


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
        self._proposal: LaneSet | None = None
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
    def proposal(self) -> LaneSet | None:
        return self._proposal

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

    def set_proposal(self, proposal: LaneSet | None) -> None:
        """Show (or, with ``None``, drop) model-proposed lanes; they are not part of the labels."""
        self._proposal = proposal
        self.proposal_changed.emit()

    def accept_proposal(self) -> bool:
        """Replace the lanes by the proposal in one undoable step (Ctrl+Z restores them).

        A proposal of no lanes is never accepted: it would wipe the image's labels.
        """
        if self._proposal is None or not len(self._proposal):
            return False
        proposal, self._proposal = self._proposal, None
        self.apply(
            LaneSet(proposal.lanes, image_size=self._lanes.image_size), "Accept proposed lanes"
        )
        self.proposal_changed.emit()
        return True

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
