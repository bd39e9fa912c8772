"""Drawing vertices of many lanes at once, bit-identical to the one-lane path.

The one-lane path (:func:`.culane_raster.lane_pixels` then
:func:`.culane_raster.drawing_vertices`) costs ~40 small NumPy calls per lane,
more than drawing the lane. Here all lanes of a batch go through the same IEEE
operations in the same order, vectorised across lanes: the chord-length
natural spline of ``geometry.spline_points`` at 50 samples per segment
(:func:`lgad_studio.core.spline_batch.batch_curve`, shared with the label
renderer), half-to-even rounding with ``INT_MIN`` for non-finite values, and the
vertex reduction. Tests check the result equals the one-lane path lane by lane.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from lgad_studio.core.metrics.culane_raster import INT_MAX, INT_MIN, Bounds
from lgad_studio.core.spline_batch import batch_curve


def batch_vertices(lanes: Sequence[np.ndarray]) -> list[np.ndarray | None]:
    """For each ``(N, 2)`` lane: its ``int32 (K, 2)`` drawing vertices, ``None`` below 2 points."""
    return [None if plan is None else plan[0] for plan in batch_plans(lanes)]


def batch_plans(lanes: Sequence[np.ndarray]) -> list[tuple[np.ndarray, Bounds] | None]:
    """For each lane: ``(drawing vertices, their bounds)``, ``None`` below 2 points."""
    pts = [np.asarray(p, dtype=np.float32).reshape(-1, 2) for p in lanes]
    drawn = [i for i, p in enumerate(pts) if len(p) >= 2]
    out: list[tuple[np.ndarray, Bounds] | None] = [None] * len(pts)
    if not drawn:
        return out
    xs, ys, sizes = batch_curve([pts[i] for i in drawn])
    for i, plan in zip(drawn, _reduce(_round(xs), _round(ys), sizes), strict=True):
        out[i] = plan
    return out


def _round(values: np.ndarray) -> np.ndarray:
    """``cvRound`` of float32 samples: half to even, ``INT_MIN`` when not finite or too large."""
    rounded = np.rint(values)
    if len(rounded) and float(np.abs(rounded).max()) < _SAFE:  # False for NaN too
        return rounded.astype(np.int32)
    wide = rounded.astype(np.float64)
    with np.errstate(invalid="ignore"):
        ok = np.isfinite(wide) & (wide >= INT_MIN) & (wide <= INT_MAX)
    return np.where(ok, wide, INT_MIN).astype(np.int32)


_SAFE = 2.0**30  # float32 values below this round into int32 without overflow


def _reduce(px: np.ndarray, py: np.ndarray, sizes: np.ndarray) -> list[tuple[np.ndarray, Bounds]]:
    """``drawing_vertices`` of each lane's block of pixels ``(px, py)``, with their bounds.

    Consecutive duplicates go first (a lane's first pixel always stays), then the
    inner vertices of straight axis-aligned runs; a lane's first and last vertex stay.
    Directions are compared, never subtracted, so ``INT_MIN`` pixels cannot overflow.
    """
    starts = np.cumsum(sizes) - sizes
    keep = np.empty(len(px), dtype=bool)
    keep[0] = True
    np.not_equal(px[1:], px[:-1], out=keep[1:])
    keep[1:] |= py[1:] != py[:-1]
    keep[starts] = True
    where = np.flatnonzero(keep)
    x, y = px[where], py[where]
    lane_first = np.searchsorted(where, starts)
    lane_last = np.append(lane_first[1:], len(x)) - 1
    sx = (x[1:] > x[:-1]).view(np.int8) - (x[1:] < x[:-1]).view(np.int8)
    sy = (y[1:] > y[:-1]).view(np.int8) - (y[1:] < y[:-1]).view(np.int8)
    way = 3 * sx + sy
    axis_aligned = (sx == 0) | (sy == 0)
    inner = np.zeros(len(x), dtype=bool)
    inner[1:-1] = (way[1:] == way[:-1]) & axis_aligned[1:]
    inner[lane_first] = False  # a lane's first vertex follows a cross-lane step
    inner[lane_last] = False  # and its last one precedes one
    final = np.flatnonzero(~inner)
    vertices = np.stack([x[final], y[final]], axis=1)
    first = np.searchsorted(final, lane_first)
    lo = np.minimum.reduceat(vertices, first, axis=0).tolist()
    hi = np.maximum.reduceat(vertices, first, axis=0).tolist()
    out = []
    for v, (lx, ly), (hx, hy) in zip(np.split(vertices, first[1:]), lo, hi, strict=True):
        out.append((v if len(v) > 1 else np.repeat(v, 2, axis=0), (lx, ly, hx, hy)))
    return out
