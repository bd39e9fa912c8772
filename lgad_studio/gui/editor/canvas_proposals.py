"""Proposed lanes on the canvas: picking one, selecting it, its context menu.

A mixin of :class:`~lgad_studio.gui.editor.canvas.LaneCanvas` (which declares the
signals): proposals are drawn dashed over the labels, picked in screen pixels like
lanes (a proposal wins a tie, it is drawn on top), and selecting one clears the
selection of labelled lanes. What a key or menu entry does with the selection is
the review controller's (:mod:`lgad_studio.gui.review`).
"""

from __future__ import annotations

from PySide6.QtCore import QPointF
from PySide6.QtGui import QContextMenuEvent

from lgad_studio.core.lanes import LaneSet
from lgad_studio.gui.editor import hit


class ProposalSelection:
    """``selected_proposal`` indexes the document's shown proposals (``None``: none)."""

    selected_proposal: int | None

    def select_proposal(self, index: int | None) -> None:
        """Select one shown proposal (the labelled lanes' selection is cleared)."""
        self.selected_lane = self.selected_vertex = None
        self.selected_proposal = index
        self._rebuild()
        self.selection_changed.emit()
        self.proposal_selection_changed.emit()

    def shown_proposal_lanes(self) -> LaneSet:
        proposal = self._document.proposal if self._document is not None else None
        return proposal if proposal is not None else LaneSet()

    def _on_document_proposal_changed(self) -> None:
        """Other proposals (accepted, filtered, replaced): their indices changed."""
        if self.selected_proposal is not None:
            self.selected_proposal = None
            self.proposal_selection_changed.emit()
        self._rebuild()

    def _proposal_at(self, xy: tuple[float, float]) -> int | None:
        """A shown proposal under ``xy`` (not while the selected lane's handle is there)."""
        if self.selected_lane is not None and self.selected_lane < len(self.lanes):
            handles = self.control_points(self.selected_lane)
            if hit.vertex_at(handles, xy, ctx=self._ctx()) is not None:
                return None
        return hit.proposal_under(self.lanes, self.shown_proposal_lanes(), xy, ctx=self._ctx())

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:  # noqa: N802 (Qt override)
        point = self.to_scene(QPointF(event.pos()))
        xy = (point.x(), point.y())
        index = self._proposal_at(xy) if self._draft is None else None
        if index is None:
            super().contextMenuEvent(event)
            return
        self.select_proposal(index)
        self.proposal_menu_requested.emit(index, event.globalPos())
        event.accept()
