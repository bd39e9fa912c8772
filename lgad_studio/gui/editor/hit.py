"""Hit-testing of lanes and vertices: pure numpy functions on ``xy_image`` points (no Qt).

The canvas converts a mouse position to image pixels and asks these functions
what lies under it. Distances are measured to the curve the user sees, i.e. the
evaluator's spline (:func:`lgad_studio.core.geometry.spline_points`), not the
straight polyline through the vertices. ``HitContext.radius`` is the pick
tolerance in image pixels (a fixed screen distance divided by the zoom).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lgad_studio.core.geometry import SAMPLES_PER_SEGMENT, spline_points
from lgad_studio.core.lanes import LaneSet


@dataclass(frozen=True)
class HitContext:
    """How close (image pixels) a point must be to count as a hit."""

    radius: float


@dataclass(frozen=True)
class CurveHit:
    """The nearest point of a lane's curve: where a new vertex would go."""

    distance: float
    insert_at: int  # index the new vertex takes in the lane's points
    point: tuple[float, float]


def vertex_at(points: np.ndarray, xy: tuple[float, float], *, ctx: HitContext) -> int | None:
    """Index of the vertex nearest to ``xy`` within ``ctx.radius``, or ``None``."""
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    if len(pts) == 0:
        return None
    dist = np.hypot(pts[:, 0] - xy[0], pts[:, 1] - xy[1])
    dist[~np.isfinite(dist)] = np.inf
    best = int(np.argmin(dist))
    return best if dist[best] <= ctx.radius else None


def curve_hit(points: np.ndarray, xy: tuple[float, float]) -> CurveHit | None:
    """Nearest point of the lane's spline to ``xy`` and the vertex index it falls between.

    ``None`` for a lane with fewer than two vertices. Spline samples that are not
    finite (from duplicate vertices) are skipped.
    """
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    if len(pts) < 2:
        return None
    curve = spline_points(pts).astype(np.float64)
    a, b = curve[:-1], curve[1:]
    ab = b - a
    length2 = (ab**2).sum(axis=1)
    p = np.asarray(xy, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.clip(((p - a) * ab).sum(axis=1) / length2, 0.0, 1.0)
    t = np.where(length2 > 0, t, 0.0)
    proj = a + ab * t[:, None]
    dist = np.hypot(proj[:, 0] - p[0], proj[:, 1] - p[1])
    dist[~np.isfinite(dist)] = np.inf
    seg = int(np.argmin(dist))
    if not np.isfinite(dist[seg]):
        return None
    vertex_segment = 0 if len(pts) == 2 else min(seg // SAMPLES_PER_SEGMENT, len(pts) - 2)
    x, y = proj[seg]
    return CurveHit(float(dist[seg]), vertex_segment + 1, (float(x), float(y)))


def nearest_lane(
    lanes: LaneSet, xy: tuple[float, float], *, ctx: HitContext
) -> tuple[int, float] | None:
    """``(index, distance)`` of the lane whose curve passes nearest ``xy`` within ``ctx.radius``."""
    best: tuple[int, float] | None = None
    for index, lane in enumerate(lanes):
        hit = curve_hit(lane.points, xy)
        if hit is not None and hit.distance <= (ctx.radius if best is None else best[1]):
            best = (index, hit.distance)
    return best


def lane_at(lanes: LaneSet, xy: tuple[float, float], *, ctx: HitContext) -> int | None:
    """Index of the lane whose curve passes nearest to ``xy`` within ``ctx.radius``."""
    found = nearest_lane(lanes, xy, ctx=ctx)
    return None if found is None else found[0]


def proposal_under(
    lanes: LaneSet, proposals: LaneSet, xy: tuple[float, float], *, ctx: HitContext
) -> int | None:
    """The proposed lane under ``xy`` when it is at least as near as any labelled lane
    (proposals are drawn on top, so a tie goes to the proposal)."""
    proposal = nearest_lane(proposals, xy, ctx=ctx)
    if proposal is None:
        return None
    lane = nearest_lane(lanes, xy, ctx=ctx)
    return proposal[0] if lane is None or proposal[1] <= lane[1] else None


def inserted(points: np.ndarray, hit: CurveHit) -> np.ndarray:
    """``points`` with the vertex of ``hit`` inserted at its place along the lane."""
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    return np.insert(pts, hit.insert_at, hit.point, axis=0)
