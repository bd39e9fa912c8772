"""The editor's lane edits as pure functions ``LaneSet -> LaneSet`` (no Qt).

The canvas turns gestures into these calls and hands the result to
:meth:`LabelDocument.apply`, so every edit is one undoable step and each rule can
be tested without a window. Slot rules come from :mod:`lgad_studio.core.lanes`.
"""

from __future__ import annotations

import numpy as np

from lgad_studio.core.lanes import Lane, LaneSet
from lgad_studio.gui.editor import hit
from lgad_studio.gui.editor.draft import MIN_LANE_POINTS

DECIMALS = 2  # vertices are stored to 1/100 pixel: finer than any click, short in the file


def rounded(xy: tuple[float, float]) -> tuple[float, float]:
    return (round(float(xy[0]), DECIMALS), round(float(xy[1]), DECIMALS))


def with_new_lane(lanes: LaneSet, lane: Lane) -> LaneSet:
    """``lanes`` plus ``lane``, which takes the slot the CULane rule gives it if that slot is free.

    Existing lanes keep their slots: a slot the user chose is never reshuffled by drawing.
    """
    slot = lanes.add(lane).with_auto_slots()[-1].slot
    if slot is not None and slot not in lanes.by_slot():
        lane = lane.with_slot(slot)
    return lanes.add(lane)


def with_vertex_moved(lanes: LaneSet, index: int, vertex: int, xy: tuple[float, float]) -> LaneSet:
    points = lanes[index].points.copy()
    points[vertex] = rounded(xy)
    return lanes.replace_lane(index, lanes[index].with_points(points))


def without_vertex(lanes: LaneSet, index: int, vertex: int) -> LaneSet:
    """Remove one vertex; a lane that would keep fewer than two vertices is removed whole."""
    lane = lanes[index]
    if len(lane) <= MIN_LANE_POINTS:
        return lanes.remove(index)
    return lanes.replace_lane(index, lane.with_points(np.delete(lane.points, vertex, axis=0)))


def with_vertex_inserted(
    lanes: LaneSet, index: int, xy: tuple[float, float]
) -> tuple[LaneSet, int] | None:
    """Insert a vertex where lane ``index``'s curve passes nearest to ``xy``.

    Returns the new lane set and the new vertex's index, or ``None`` for a lane
    too short to have a curve.
    """
    lane = lanes[index]
    found = hit.curve_hit(lane.points, xy)
    if found is None:
        return None
    found = hit.CurveHit(found.distance, found.insert_at, rounded(found.point))
    points = hit.inserted(lane.points, found)
    return lanes.replace_lane(index, lane.with_points(points)), found.insert_at


def copied_into(source: LaneSet, target_size: tuple[int, int]) -> LaneSet:
    """``source``'s lanes scaled into an image of ``target_size`` (e.g. from the previous frame)."""
    width, height = target_size
    sx, sy = width / source.image_size[0], height / source.image_size[1]
    return source.scaled(sx, sy, image_size=(width, height))
