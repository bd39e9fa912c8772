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
    xs, ys, sizes = _batch_curve([pts[i] for i in drawn])
    for i, plan in zip(drawn, _reduce(_round(xs), _round(ys), sizes), strict=True):
        out[i] = plan
    return out


def _batch_curve(pts: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``geometry.spline_points`` of every lane (2-point lanes as they are), one lane after
    the other: ``float32 (T,)`` x and y, and each lane's length ``int64 (L,)``."""
    n = np.array([len(p) for p in pts])
    is_long = n >= 3
    segments = np.where(is_long, n - 1, 0)
    sizes = np.where(is_long, segments * SAMPLES_PER_SEGMENT + 1, n)
    long = np.flatnonzero(is_long).tolist()
    if long:
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            xs, ys = _batch_splines([pts[i] for i in long])  # (S * 50,) each
    else:
        xs = ys = np.zeros(0, dtype=np.float32)
    # After each lane's samples: its last vertex (a spline) or both vertices (2 points).
    tails = [p[-1:] if long_ else p for p, long_ in zip(pts, is_long.tolist(), strict=True)]
    where = np.repeat(np.cumsum(segments * SAMPLES_PER_SEGMENT), n - (n - 1) * is_long)
    tail = np.concatenate(tails)
    return np.insert(xs, where, tail[:, 0]), np.insert(ys, where, tail[:, 1]), sizes


def _batch_splines(pts: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """``float32 (S * 50,)`` x and y: the samples of every segment of every lane, in order."""
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
    # a + b t + c t^2 + d t^3 in the C++ order (pow for both powers), axis first so that
    # NumPy's inner loops run along the 50 samples; in place to spare temporaries.
    ax, bx, cx, dx = (q.T[:, :, None] for q in (a, b, c, d))
    out = bx * t
    out += ax
    term = cx * np.power(t, 2)
    out += term
    np.multiply(dx, np.power(t, 3), out=term)
    out += term
    samples = out.astype(np.float32)  # (2, segments, samples)
    return samples[0].ravel(), samples[1].ravel()


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
