"""Pure lane geometry: the CULane evaluator's natural cubic spline and helpers.

:func:`spline_points` reproduces ``Spline::splineInterpTimes`` of the official
CULane evaluator (SCNN ``tools/lane_evaluation``) so that the editor draws a lane
exactly as the metric will see it: chord-length parameter, natural end
conditions (second derivative 0), a tridiagonal (Thomas) solve in double
precision, ``samples_per_segment`` samples per segment and the last vertex
appended. Two-point lanes are used as they are.
"""

from __future__ import annotations

import numpy as np

SAMPLES_PER_SEGMENT = 50


def spline_points(points: object, *, samples_per_segment: int = SAMPLES_PER_SEGMENT) -> np.ndarray:
    """Interpolate a lane's vertices as the official evaluator does.

    Args:
        points: ``(N, 2)`` vertices in drawing order.
        samples_per_segment: samples taken on each segment, ``t = k*h/n`` for ``k < n``.

    Returns:
        ``(M, 2)`` float32 points; ``M = (N - 1) * n + 1`` for ``N >= 3``, the input
        itself (as float32) for ``N <= 2``. Arithmetic is float64 on float32 inputs,
        like the C++ code (``Point2f`` promoted to ``double``). Duplicate consecutive
        vertices give non-finite samples, as they do in the official tool; callers
        that draw should drop them.
    """
    pts = np.asarray(points, dtype=np.float32).reshape(-1, 2)
    n = len(pts)
    if n <= 2:
        return pts.copy()
    p = pts.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        coeffs = _natural_spline_coefficients(p)
        a, b, c, d, h = coeffs
        k = np.arange(samples_per_segment, dtype=np.float64)
        t = (h / samples_per_segment)[:, None] * k[None, :]  # (segments, samples)
        t2, t3 = np.power(t, 2), np.power(t, 3)
        # a + b t + c t^2 + d t^3 for x and y at once (axis first, so that NumPy's
        # inner loops run along the samples), the C++ operations in its order.
        ax, bx, cx, dx = (q.T[:, :, None] for q in (a, b, c, d))
        out = (ax + bx * t + cx * t2 + dx * t3).transpose(1, 2, 0)
    res = np.empty(((n - 1) * samples_per_segment + 1, 2), dtype=np.float32)
    res[:-1] = out.reshape(-1, 2)
    res[-1] = pts[-1]
    return res


def _natural_spline_coefficients(p: np.ndarray) -> tuple[np.ndarray, ...]:
    """Per-segment coefficients ``a + b t + c t^2 + d t^3`` for x and y, and the lengths ``h``.

    Follows ``Spline::cal_fun`` step by step so that rounding matches.
    """
    diff = p[1:] - p[:-1]
    h = np.sqrt(diff[:, 0] ** 2 + diff[:, 1] ** 2)
    slope = diff / h[:, None]
    A = h[:-1].copy()
    B = 2.0 * (h[:-1] + h[1:])
    C = h[1:].copy()
    D = 6.0 * (slope[1:] - slope[:-1])  # (n-2, 2)
    M = second_derivatives(A.tolist(), B.tolist(), C.tolist(), [D[:, 0].tolist(), D[:, 1].tolist()])
    a = p[:-1]
    b = slope - (2.0 * h[:, None] * M[:-1] + h[:, None] * M[1:]) / 6.0
    c = M[:-1] / 2.0
    d = (M[1:] - M[:-1]) / (6.0 * h[:, None])
    return a, b, c, d, h


def second_derivatives(A: list, B: list, C: list, D_axes: list[list]) -> np.ndarray:
    """Second derivatives ``(n, 2)`` (0 at both ends) of one lane's tridiagonal system,
    ``A``, ``B``, ``C`` and each axis of ``D`` given as lists of floats.

    Python floats run the same IEEE double operations in the same order as the C++
    code, several times faster than NumPy scalar indexing, but they raise where C++
    gives inf/NaN (duplicate vertices); NumPy scalars are used then.
    """
    try:
        return _thomas(A, B, C, D_axes)
    except ZeroDivisionError:
        scalars = [[np.float64(v) for v in q] for q in (A, B, C, *D_axes)]
        return _thomas(*scalars[:3], scalars[3:])


def _thomas(A: list, B: list, C: list, D_axes: list[list]) -> np.ndarray:
    """Second derivatives ``(n, 2)`` (0 at both ends) from the tridiagonal system, per axis."""
    n = len(B) + 2
    M = np.zeros((n, 2), dtype=np.float64)
    for axis, D in enumerate(D_axes):
        c, d = list(C), list(D)
        c[0] = c[0] / B[0]
        d[0] = d[0] / B[0]
        for i in range(1, n - 2):
            tmp = B[i] - A[i] * c[i - 1]
            c[i] = c[i] / tmp
            d[i] = (d[i] - A[i] * d[i - 1]) / tmp
        m = [0.0] * n
        m[n - 2] = d[n - 3]
        for i in range(n - 4, -1, -1):
            m[i + 1] = d[i] - c[i] * m[i + 2]
        M[1:-1, axis] = m[1:-1]
    return M


def finite_points(points: np.ndarray) -> np.ndarray:
    """Rows of ``points`` whose coordinates are all finite."""
    pts = np.asarray(points)
    return pts[np.isfinite(pts).all(axis=1)]


def resample_at_rows(points: object, ys: object) -> np.ndarray:
    """x of a lane's spline at each row in ``ys``; NaN outside the lane's vertical extent.

    Used to write TuSimple ``h_samples`` and to decode/compare lanes row by row.
    The spline is sampled densely and x interpolated linearly between samples
    along y; where the lane passes a row more than once the lowest crossing wins.
    """
    curve = finite_points(spline_points(points).astype(np.float64))
    ys = np.asarray(ys, dtype=np.float64)
    out = np.full(ys.shape, np.nan)
    if len(curve) == 0:
        return out
    if len(curve) == 1:
        out[ys == curve[0, 1]] = curve[0, 0]
        return out
    y0, y1 = curve[:-1, 1], curve[1:, 1]
    x0, x1 = curve[:-1, 0], curve[1:, 0]
    lo, hi = np.minimum(y0, y1), np.maximum(y0, y1)
    for j, y in enumerate(ys.ravel()):
        hit = np.nonzero((lo <= y) & (y <= hi))[0]
        if len(hit) == 0:
            continue
        i = hit[np.argmax(hi[hit])]  # the crossing nearest the bottom of the image
        dy = y1[i] - y0[i]
        out.flat[j] = x0[i] if dy == 0 else x0[i] + (y - y0[i]) * (x1[i] - x0[i]) / dy
    return out
