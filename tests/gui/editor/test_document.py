"""LabelDocument owns undo: every edit is one step with exact before/after lane sets."""

from __future__ import annotations

from lgad_studio.core.lanes import Lane, LaneSet
from lgad_studio.gui.editor.document import DocumentStore, LabelDocument

A = LaneSet((Lane([[100, 580], [300, 300]], 2),))
B = A.add(Lane([[1200, 580], [900, 300]], 3))


def test_apply_undo_redo_and_dirty_follow_the_saved_state(qtbot) -> None:
    document = LabelDocument("a.jpg", A)
    dirty: list[bool] = []
    document.dirty_changed.connect(dirty.append)
    assert not document.apply(A, "nothing")  # no-op edits are not recorded
    assert document.apply(B, "Draw lane")
    assert document.lanes == B and document.is_dirty and document.was_edited
    document.undo_stack.undo()
    assert document.lanes == A and not document.is_dirty  # undo back to disk: clean
    document.undo_stack.redo()
    document.mark_saved()
    assert not document.is_dirty and document.saved_lanes == B
    document.undo_stack.undo()
    assert document.is_dirty  # the file now holds B
    assert dirty == [True, False, True, False, True]
    assert document.undo_stack.undoText() == "" and document.undo_stack.redoText() == "Draw lane"


def test_proposals_are_shown_apart_and_merged_in_one_undoable_step(qtbot) -> None:
    document = LabelDocument("a.jpg", A)
    near_a = Lane([[104, 580], [303, 300]], 2)  # matches A's lane (IoU > 0.5)
    new = Lane([[1200, 580], [900, 300]], 3)
    document.set_proposal(LaneSet((near_a, new)))
    assert document.lanes == A and document.proposal.lanes == (near_a, new)
    outcome = document.accept_proposals()
    assert (outcome.added, outcome.skipped, outcome.replaced) == (1, 1, 0)
    assert document.lanes.lanes == (A[0], new)  # the labelled lane stays, the new one joins
    assert document.undo_stack.count() == 1
    assert document.proposal.lanes == (near_a,)  # the accepted one is a lane now
    replaced = document.accept_proposals(replace_matching=True)
    assert replaced.replaced == 1 and document.lanes.lanes == (near_a, new)
    assert document.undo_stack.count() == 2
    document.undo_stack.undo()
    document.undo_stack.undo()
    assert document.lanes == A and document.proposal.lanes == (near_a, new)


def test_accepting_nothing_pushes_nothing(qtbot) -> None:
    document = LabelDocument("a.jpg", A)
    assert document.accept_proposals().chosen == 0  # no proposals at all
    document.set_proposal(LaneSet((Lane([[104, 580], [303, 300]], 2),)))
    outcome = document.accept_proposals()  # only a lane the image already has
    assert not outcome.changed and outcome.skipped == 1
    assert document.lanes == A and document.undo_stack.count() == 0


def test_store_keeps_one_stack_per_image_and_undo_acts_on_the_active_one(qtbot) -> None:
    store = DocumentStore()
    first = store.add(LabelDocument("a.jpg", A))
    second = store.add(LabelDocument("b.jpg", A))
    first.apply(B, "edit a")
    second.apply(B, "edit b")
    store.activate(first)
    store.undo_group.undo()
    assert first.lanes == A and second.lanes == B
    assert [d.entry for d in store.dirty()] == ["b.jpg"]
