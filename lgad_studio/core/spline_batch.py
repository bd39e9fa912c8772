"""The evaluator's natural spline of many lanes at once, bit-identical to one lane at a time.

:func:`~lgad_studio.core.geometry.spline_points` costs ~30 small NumPy calls and a
Python-float Thomas loop per lane, more than drawing the lane. Here all lanes go
through the same IEEE operations in the same order, vectorised across lanes: the
chord-length parameter, the tridiagonal (Thomas) sweep once per node index over
every lane, the cubic evaluated with ``pow`` for both powers, float32 storage and
the last vertex appended; 2-point lanes are kept as they are. Duplicate vertices
give the same non-finite samples as the one-lane path. Used by the CULane metric
(``metrics/culane_batch.py``, 50 samples per segment) and by the label renderer
(``core/label_render.py``, ``MASK_SAMPLES_PER_SEGMENT``); tests check equality with
``spline_points`` lane by lane.
"""

from __future__ import annotations

import numpy as np

from lgad_studio.core.geometry import SAMPLES_PER_SEGMENT, second_derivatives


def batch_curve(
    pts: list[np.ndarray], *, samples_per_segment: int = SAMPLES_PER_SEGMENT
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``spline_points`` of every float32 ``(N >= 2, 2)`` lane of ``pts``, one lane after the other.

    Returns ``float32 (T,)`` x and y and each lane's sample count ``int64 (L,)``
    (``(N - 1) * samples_per_segment + 1`` for ``N >= 3``, ``N`` for 2 points).
    """
    n = np.array([len(p) for p in pts], dtype=np.int64)
    is_long = n >= 3
    segments = np.where(is_long, n - 1, 0)
    sizes = np.where(is_long, segments * samples_per_segment + 1, n)
    long = [p for p in pts if len(p) >= 3]
    if long:
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            xs, ys = _batch_splines(long, samples_per_segment)  # (S * samples,) each
    else:
        xs = ys = np.zeros(0, dtype=np.float32)
    # After each lane's samples: its last vertex (a spline) or both vertices (2 points),
    # inserted in one call per axis (a metric batch holds hundreds of lanes: no per-lane
    # slicing, and x and y stay contiguous for what follows).
    tails = [p[-1:] if len(p) >= 3 else p for p in pts]
    where = np.repeat(np.cumsum(segments * samples_per_segment), n - (n - 1) * is_long)
    tail = np.concatenate(tails)
    return np.insert(xs, where, tail[:, 0]), np.insert(ys, where, tail[:, 1]), sizes


def batch_curve_xy(
    pts: list[np.ndarray], *, samples_per_segment: int = SAMPLES_PER_SEGMENT
) -> tuple[np.ndarray, np.ndarray]:
    """Like :func:`batch_curve`, the samples as one ``float32 (T, 2)`` array."""
    n = np.array([len(p) for p in pts], dtype=np.int64)
    is_long = n >= 3
    sizes = np.where(is_long, (n - 1) * samples_per_segment + 1, n)
    long = [p for p in pts if len(p) >= 3]
    if long:
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            xy = _batch_splines(long, samples_per_segment).T  # (S * samples, 2)
    # Each lane's samples, then its last vertex (a spline), or both vertices (2 points).
    pieces: list[np.ndarray] = []
    start = 0
    for p in pts:
        if len(p) >= 3:
            end = start + (len(p) - 1) * samples_per_segment
            pieces += (xy[start:end], p[-1:])
            start = end
        else:
            pieces.append(p)
    curve = np.concatenate(pieces) if pieces else np.zeros((0, 2), dtype=np.float32)
    return curve, sizes


def batch_spline_points(
    lanes: list[np.ndarray], *, samples_per_segment: int = SAMPLES_PER_SEGMENT
) -> list[np.ndarray]:
    """``[spline_points(p, samples_per_segment=...) for p in lanes]`` for lanes of >= 2 points:
    ``float32 (M, 2)`` each, views into one array."""
    if not lanes:
        return []
    pts = [np.asarray(p, dtype=np.float32).reshape(-1, 2) for p in lanes]
    curve, sizes = batch_curve_xy(pts, samples_per_segment=samples_per_segment)
    return np.split(curve, np.cumsum(sizes)[:-1])


def _batch_splines(pts: list[np.ndarray], per_segment: int) -> np.ndarray:
    """``float32 (2, S * per_segment)``: x and y of the samples of every segment of every lane."""
    a, b, c, d, h = batch_coefficients(pts)
    k = np.arange(per_segment, dtype=np.float64)
    t = (h / per_segment)[:, None] * k[None, :]  # (segments, samples)
    # a + b t + c t^2 + d t^3 in the C++ order (pow for both powers), axis first so that
    # NumPy's inner loops run along the samples; in place to spare temporaries.
    ax, bx, cx, dx = (q.T[:, :, None] for q in (a, b, c, d))
    out = bx * t
    out += ax
    term = cx * np.power(t, 2)
    out += term
    np.multiply(dx, np.power(t, 3), out=term)
    out += term
    return out.astype(np.float32).reshape(2, -1)  # x and y, segment after segment


# Up to this many lanes the Thomas sweep runs lane by lane on Python floats (an image's
# lanes: ~0.1 ms); beyond, once per node index across lanes (a metric batch: one
# NumPy call serves hundreds of lanes). Both are the same IEEE operations in the same order.
_FEW_LANES = 32


def batch_coefficients(pts: list[np.ndarray]) -> tuple[np.ndarray, ...]:
    """``geometry._natural_spline_coefficients`` of every float32 ``(N >= 3, 2)`` lane, one lane's
    segments after the other: float64 ``a, b, c, d`` ``(S, 2)`` and the chord lengths ``h`` ``(S,)``."""
    n_seg = np.array([len(p) - 1 for p in pts])
    p = np.concatenate(pts).astype(np.float64)
    ends = np.cumsum([len(q) for q in pts])
    is_seg = np.ones(len(p) - 1, dtype=bool)
    is_seg[ends[:-1] - 1] = False  # the step from one lane's last point to the next lane
    diff = (p[1:] - p[:-1])[is_seg]
    h = np.sqrt(diff[:, 0] ** 2 + diff[:, 1] ** 2)
    slope = diff / h[:, None]
    solve = _second_derivatives if len(n_seg) > _FEW_LANES else _second_derivatives_by_lane
    M0, M1 = solve(h, slope, n_seg)
    b = slope - (2.0 * h[:, None] * M0 + h[:, None] * M1) / 6.0
    c = M0 / 2.0
    d = (M1 - M0) / (6.0 * h[:, None])
    return p[:-1][is_seg], b, c, d, h


def _second_derivatives_by_lane(h: np.ndarray, slope: np.ndarray, n_seg: np.ndarray):
    """Like :func:`_second_derivatives`, one lane after the other on Python floats
    (:func:`lgad_studio.core.geometry.second_derivatives`, the one-lane path's solve)."""
    hs = h.tolist()
    B_all = (2.0 * (h[:-1] + h[1:])).tolist()
    D_all = (6.0 * (slope[1:] - slope[:-1])).T.tolist()
    per_lane = []
    start = 0
    for segments in n_seg.tolist():
        end = start + segments
        # the lane's system: A, C the inner segment lengths, B and D from neighbouring segments
        per_lane.append(
            second_derivatives(
                hs[start : end - 1], B_all[start : end - 1], hs[start + 1 : end],
                [D_all[0][start : end - 1], D_all[1][start : end - 1]],
            )
        )  # fmt: skip
        start = end
    return np.concatenate([m[:-1] for m in per_lane]), np.concatenate([m[1:] for m in per_lane])


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
