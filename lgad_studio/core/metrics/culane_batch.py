"""Drawing vertices of many lanes at once, bit-identical to the one-lane path.

The one-lane path (:func:`.culane_raster.lane_pixels` then
:func:`.culane_raster.drawing_vertices`) costs ~40 small NumPy calls per lane,
more than drawing the lane. Here all lanes of a batch go through the same IEEE
operations in the same order, vectorised across lanes: the chord-length
natural spline of ``geometry.spline_points`` (the Thomas sweep runs once per
node index over every lane), float32 storage, half-to-even rounding with
``INT_MIN`` for non-finite values, and the vertex reduction. Tests check the
result equals the one-lane path lane by lane.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from lgad_studio.core.geometry import SAMPLES_PER_SEGMENT
from lgad_studio.core.metrics.culane_raster import INT_MAX, INT_MIN, Bounds


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
    curves = _batch_curves([pts[i] for i in drawn])
    sizes = [len(c) for c in curves]
    pixels = _round(np.concatenate(curves))
    for i, plan in zip(drawn, _reduce(pixels, sizes), strict=True):
        out[i] = plan
    return out


def _batch_curves(pts: list[np.ndarray]) -> list[np.ndarray]:
    """``geometry.spline_points`` of each lane (2-point lanes as they are), float32."""
    curves: list[np.ndarray] = [p for p in pts]
    long = [i for i, p in enumerate(pts) if len(p) >= 3]
    if long:
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            splines = _batch_splines([pts[i] for i in long])
        for i, s in zip(long, splines, strict=True):
            curves[i] = s
    return curves


def _batch_splines(pts: list[np.ndarray]) -> list[np.ndarray]:
    n_seg = np.array([len(p) - 1 for p in pts])
    p = np.concatenate(pts).astype(np.float64)
    ends = np.cumsum([len(q) for q in pts])
    is_seg = np.ones(len(p) - 1, dtype=bool)
    is_seg[ends[:-1] - 1] = False  # the step from one lane's last point to the next lane
    diff = (p[1:] - p[:-1])[is_seg]
    h = np.sqrt(diff[:, 0] ** 2 + diff[:, 1] ** 2)
    slope = diff / h[:, None]
    M0, M1 = _second_derivatives(h, slope, n_seg)
    b = slope - (2.0 * h[:, None] * M0 + h[:, None] * M1) / 6.0
    c = M0 / 2.0
    d = (M1 - M0) / (6.0 * h[:, None])
    a = p[:-1][is_seg]
    k = np.arange(SAMPLES_PER_SEGMENT, dtype=np.float64)
    t = (h / SAMPLES_PER_SEGMENT)[:, None] * k[None, :]  # (segments, samples)
    t2, t3 = np.power(t, 2), np.power(t, 3)
    # Axis first, so that NumPy's inner loops run along the 50 samples.
    ax, bx, cx, dx = (q.T[:, :, None] for q in (a, b, c, d))
    samples = (ax + bx * t + cx * t2 + dx * t3).transpose(1, 2, 0).astype(np.float32)
    blocks = np.split(samples.reshape(-1, 2), np.cumsum(n_seg * SAMPLES_PER_SEGMENT)[:-1])
    return [np.concatenate([blk, q[-1:]]) for blk, q in zip(blocks, pts, strict=True)]


def _second_derivatives(h: np.ndarray, slope: np.ndarray, n_seg: np.ndarray):
    """``(M at each segment's start, M at its end)``: the Thomas solve of every lane at once."""
    lanes, width = len(n_seg), int(n_seg.max()) - 1  # interior nodes per lane, padded
    seg_start = np.concatenate([[0], np.cumsum(n_seg)[:-1]])
    inner = n_seg - 1
    lane_of = np.repeat(np.arange(lanes), inner)
    node = np.arange(len(lane_of)) - np.repeat(np.cumsum(inner) - inner, inner)  # in its lane
    first = np.repeat(seg_start, inner) + node  # the node's left segment
    A = np.zeros((lanes, width))
    B = np.ones((lanes, width))
    C = np.zeros((lanes, width))
    D = np.zeros((lanes, width, 2))
    A[lane_of, node] = h[first]
    B[lane_of, node] = 2.0 * (h[first] + h[first + 1])
    C[lane_of, node] = h[first + 1]
    D[lane_of, node] = 6.0 * (slope[first + 1] - slope[first])
    C[:, 0] = C[:, 0] / B[:, 0]
    D[:, 0] = D[:, 0] / B[:, 0, None]
    for i in range(1, width):
        tmp = B[:, i] - A[:, i] * C[:, i - 1]
        C[:, i] = C[:, i] / tmp
        D[:, i] = (D[:, i] - A[:, i, None] * D[:, i - 1]) / tmp[:, None]
    M = np.zeros((lanes, width + 2, 2))
    last = (n_seg - 2)[:, None]  # i at which a lane's back substitution starts
    for i in range(width - 1, -1, -1):
        step = D[:, i] - C[:, i, None] * M[:, i + 2]
        M[:, i + 1] = np.where(i < last, step, np.where(i == last, D[:, i], M[:, i + 1]))
    seg_lane = np.repeat(np.arange(lanes), n_seg)
    seg_index = np.arange(len(seg_lane)) - np.repeat(seg_start, n_seg)
    return M[seg_lane, seg_index], M[seg_lane, seg_index + 1]


def _round(curve: np.ndarray) -> np.ndarray:
    """``cvRound`` of float32 samples: half to even, ``INT_MIN`` when not finite or too large."""
    rounded = np.rint(curve)
    if len(rounded) and float(np.abs(rounded).max()) < _SAFE:  # False for NaN too
        return rounded.astype(np.int32)
    wide = rounded.astype(np.float64)
    with np.errstate(invalid="ignore"):
        ok = np.isfinite(wide) & (wide >= INT_MIN) & (wide <= INT_MAX)
    return np.where(ok, wide, INT_MIN).astype(np.int32)


_SAFE = 2.0**30  # float32 values below this round into int32 without overflow


def _reduce(pixels: np.ndarray, sizes: list[int]) -> list[tuple[np.ndarray, Bounds]]:
    """``drawing_vertices`` of each lane's block of ``pixels``, with their bounds."""
    starts = np.cumsum(sizes) - sizes
    first = np.zeros(len(pixels), dtype=bool)
    first[starts] = True
    packed = np.ascontiguousarray(pixels).view(np.int64).ravel()
    keep = first.copy()
    keep[1:] |= packed[1:] != packed[:-1]
    kept, lane = pixels[keep], np.cumsum(first)[keep] - 1
    x, y = kept[:, 0].astype(np.int64), kept[:, 1].astype(np.int64)
    sx, sy = np.sign(x[1:] - x[:-1]), np.sign(y[1:] - y[:-1])
    way = 3 * sx + sy
    axis_aligned = (sx == 0) | (sy == 0)
    inner = np.zeros(len(kept), dtype=bool)
    inner[1:-1] = (way[1:] == way[:-1]) & axis_aligned[1:]
    counts = np.bincount(lane, minlength=len(sizes))
    lane_start = np.cumsum(counts) - counts
    inner[lane_start] = False  # a lane's first vertex follows a cross-lane step
    inner[lane_start + counts - 1] = False  # and its last one precedes one
    keep = ~inner
    vertices, lane = kept[keep], lane[keep]
    counts = np.bincount(lane, minlength=len(sizes))
    lane_start = np.cumsum(counts) - counts
    lo_x, lo_y = np.minimum.reduceat(x[keep], lane_start), np.minimum.reduceat(y[keep], lane_start)
    hi_x, hi_y = np.maximum.reduceat(x[keep], lane_start), np.maximum.reduceat(y[keep], lane_start)
    bounds = zip(lo_x.tolist(), lo_y.tolist(), hi_x.tolist(), hi_y.tolist(), strict=True)
    out = []
    for v, b in zip(np.split(vertices, lane_start[1:]), bounds, strict=True):
        out.append((v if len(v) > 1 else np.repeat(v, 2, axis=0), b))
    return out
