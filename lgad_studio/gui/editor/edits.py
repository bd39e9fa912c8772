"""The editor's lane edits as pure functions ``LaneSet -> LaneSet`` (no Qt).

The canvas turns gestures into these calls and hands the result to
:meth:`LabelDocument.apply`, so every edit is one undoable step and each rule can
be tested without a window. Slot rules come from :mod:`lgad_studio.core.lanes`.
Geometric edits act on a lane's control points (:func:`control_points`), never on
the dense rows a CULane file carries; a lane nobody edits keeps its file line.
"""

from __future__ import annotations

import numpy as np

from lgad_studio.core.lanes import Lane, LaneSet
from lgad_studio.core.simplify import simplify_lane
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


# -- whole-lane edits and control points ------------------------------------------------------
def control_points(lane: Lane, *, tolerance_px: float) -> np.ndarray:
    """The vertices the editor shows as handles: a lane as read from its file (dense CULane
    rows) is simplified to the fewest of its vertices whose evaluator spline stays within
    ``tolerance_px`` (:func:`lgad_studio.core.simplify.simplify_lane`); a lane drawn or edited
    in the studio already is its control points."""
    if lane.source is None or len(lane) <= 2:
        return lane.points
    return simplify_lane(lane.points, tolerance_px=tolerance_px).points


def with_points(lanes: LaneSet, index: int, points: np.ndarray) -> LaneSet:
    """Lane ``index`` with other points (the line it was read from no longer applies)."""
    return lanes.replace_lane(index, lanes[index].with_points(points))


def translated(points: np.ndarray, delta: tuple[float, float]) -> np.ndarray:
    """The lane moved by ``delta`` image px: the spline moves exactly (chord-length spline)."""
    moved = np.asarray(points, dtype=np.float64) + np.asarray(delta, dtype=np.float64)
    return np.round(moved, DECIMALS)


def bend_start(points: np.ndarray, xy: tuple[float, float]) -> tuple[np.ndarray, int] | None:
    """Control points with a vertex inserted where the curve passes nearest ``xy`` (the point
    grabbed to bend the lane), and its index; ``None`` for a lane too short to bend."""
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    found = hit.curve_hit(pts, xy)
    if found is None:
        return None
    near = hit.vertex_at(pts, found.point, ctx=hit.HitContext(radius=0.5))
    if near is not None:  # grabbed on a vertex: bend around it
        return pts, near
    found = hit.CurveHit(found.distance, found.insert_at, rounded(found.point))
    return hit.inserted(pts, found), found.insert_at


def bent(points: np.ndarray, grab: int, delta: tuple[float, float]) -> np.ndarray:
    """Bend a lane: vertex ``grab`` moves by ``delta``, the others by less the farther they are
    along the lane from it (a smooth step along the arc length), and both ends stay put;
    when an end itself is grabbed, the other end stays put."""
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    arc = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(pts, axis=0).T))])
    at = arc[grab]
    weight = np.zeros(len(pts))
    before, after = arc <= at, arc > at
    if at > 0:
        weight[before] = arc[before] / at
    if arc[-1] > at:
        weight[after] = (arc[-1] - arc[after]) / (arc[-1] - at)
    weight[grab] = 1.0
    weight = weight * weight * (3.0 - 2.0 * weight)  # smoothstep: no kink where the bend starts
    return np.round(pts + weight[:, None] * np.asarray(delta, dtype=np.float64), DECIMALS)
