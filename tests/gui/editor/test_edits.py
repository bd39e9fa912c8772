"""Pure editing rules (no Qt): drafts, hit-testing on the spline, and LaneSet edits."""

from __future__ import annotations

import numpy as np
import pytest

from lgad_studio.core.geometry import spline_points
from lgad_studio.core.lanes import Lane, LaneSet
from lgad_studio.gui.editor import edits, hit
from lgad_studio.gui.editor.draft import LaneDraft

CURVED = np.array([[100.0, 580.0], [300.0, 450.0], [420.0, 300.0], [470.0, 200.0]])


def test_draft_is_immutable_and_ignores_a_repeated_click() -> None:
    draft = LaneDraft().added(1, 2)
    longer = draft.added(3, 4).added(3, 4)
    assert len(draft) == 1 and len(longer) == 2
    assert not draft.can_finish and longer.can_finish
    assert longer.without_last() == draft
    np.testing.assert_array_equal(longer.to_lane(slot=2).points, [[1, 2], [3, 4]])
    with pytest.raises(ValueError, match="at least 2 vertices"):
        draft.to_lane()


def test_curve_hit_measures_to_the_evaluator_spline_not_the_polyline() -> None:
    curve = spline_points(CURVED).astype(np.float64)
    sample = curve[75]  # half-way along the second segment, off the straight chord
    found = hit.curve_hit(CURVED, tuple(sample))
    assert found is not None and found.distance < 1e-6
    assert found.insert_at == 2  # between vertex 1 and vertex 2
    chord_mid = (CURVED[1] + CURVED[2]) / 2
    assert hit.curve_hit(CURVED, tuple(chord_mid)).distance > 1.0


def test_vertex_and_lane_picking_respect_the_radius() -> None:
    lanes = LaneSet((Lane(CURVED, 2), Lane(CURVED + [600.0, 0.0], 3)))
    ctx = hit.HitContext(radius=5.0)
    assert hit.vertex_at(CURVED, (303.0, 452.0), ctx=ctx) == 1
    assert hit.vertex_at(CURVED, (310.0, 452.0), ctx=ctx) is None
    assert hit.lane_at(lanes, (903.0, 451.0), ctx=ctx) == 1
    assert hit.lane_at(lanes, (700.0, 100.0), ctx=ctx) is None


def test_new_lane_takes_a_free_slot_and_never_reshuffles_chosen_ones() -> None:
    left = Lane([[500, 589], [700, 300]], 2)
    lanes = LaneSet((left,))
    right = Lane([[1200, 589], [900, 300]])
    added = edits.with_new_lane(lanes, right)
    assert [ln.slot for ln in added] == [2, 3]
    # The rule would give the new lane slot 2, which the user's lane holds: it gets none.
    taken = LaneSet((Lane([[1200, 589], [900, 300]], 2),))
    assert edits.with_new_lane(taken, left.with_slot(None))[-1].slot is None
    assert edits.with_new_lane(taken, left.with_slot(None))[0].slot == 2


def test_vertex_delete_insert_move() -> None:
    lanes = LaneSet((Lane(CURVED, 1),))
    fewer = edits.without_vertex(lanes, 0, 1)
    np.testing.assert_array_equal(fewer[0].points, CURVED[[0, 2, 3]])
    two = LaneSet((Lane(CURVED[:2], 1),))
    assert len(edits.without_vertex(two, 0, 0)) == 0  # a lane needs two vertices
    inserted, vertex = edits.with_vertex_inserted(lanes, 0, (200.0, 520.0))
    assert vertex == 1 and len(inserted[0]) == 5
    assert inserted[0].slot == 1
    moved = edits.with_vertex_moved(lanes, 0, 3, (471.234, 199.999))
    np.testing.assert_array_equal(moved[0].points[3], [471.23, 200.0])


def test_copied_into_scales_to_the_target_frame() -> None:
    source = LaneSet((Lane([[164, 590], [82, 295]], 2),), image_size=(1640, 590))
    copied = edits.copied_into(source, (820, 295))
    np.testing.assert_allclose(copied[0].points, [[82, 295], [41, 147.5]])
    assert copied.image_size == (820, 295) and copied[0].slot == 2
