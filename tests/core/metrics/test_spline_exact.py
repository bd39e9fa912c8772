"""``geometry.spline_points`` is bit-identical to a literal transcription of ``Spline::cal_fun``."""

from __future__ import annotations

import numpy as np

from lgad_studio.core.geometry import spline_points


def literal_spline(points: np.ndarray, times: int = 50) -> np.ndarray:
    """Step by step as the C++ code: doubles, Thomas solve, ``pow`` for t^2 and t^3.

    NumPy scalars, like C++ doubles, give inf/NaN on a division by zero.
    """
    with np.errstate(all="ignore"):
        return _literal(points.astype(np.float32).astype(np.float64), times)


def _literal(p: np.ndarray, times: int) -> np.ndarray:
    n = len(p)
    h = [np.sqrt((p[i + 1, 0] - p[i, 0]) ** 2 + (p[i + 1, 1] - p[i, 1]) ** 2) for i in range(n - 1)]
    out = []
    for axis in range(2):
        v = list(p[:, axis])
        slope = [(v[i + 1] - v[i]) / h[i] for i in range(n - 1)]
        A = [h[i] for i in range(n - 2)]
        B = [2.0 * (h[i] + h[i + 1]) for i in range(n - 2)]
        C = [h[i + 1] for i in range(n - 2)]
        D = [6.0 * (slope[i + 1] - slope[i]) for i in range(n - 2)]
        C[0] = C[0] / B[0]
        D[0] = D[0] / B[0]
        for i in range(1, n - 2):
            tmp = B[i] - A[i] * C[i - 1]
            C[i] = C[i] / tmp
            D[i] = (D[i] - A[i] * D[i - 1]) / tmp
        M = [0.0] * n
        M[n - 2] = D[n - 3]
        for i in range(n - 4, -1, -1):
            M[i + 1] = D[i] - C[i] * M[i + 2]
        samples = []
        for i in range(n - 1):
            b = slope[i] - (2.0 * h[i] * M[i] + h[i] * M[i + 1]) / 6.0
            c, d = M[i] / 2.0, (M[i + 1] - M[i]) / (6.0 * h[i])
            ts = (h[i] / times) * np.arange(times, dtype=np.float64)
            samples.append(v[i] + b * ts + c * np.power(ts, 2) + d * np.power(ts, 3))
        out.append(np.concatenate(samples + [np.array([v[-1]])]))
    return np.column_stack(out).astype(np.float32)


def test_bit_identical_on_random_lanes() -> None:
    rng = np.random.default_rng(11)
    for _ in range(200):
        n = int(rng.integers(3, 30))
        ys = np.sort(rng.uniform(0, 590, n))[::-1]
        pts = np.column_stack([rng.uniform(-300, 1900, n), ys])
        assert np.array_equal(spline_points(pts), literal_spline(pts))


def test_bit_identical_on_a_culane_like_lane() -> None:
    ys = np.arange(590, 250, -10.0)
    pts = np.column_stack([1468.074 - 2.1 * (590 - ys) + 0.0013 * (590 - ys) ** 2, ys])
    assert np.array_equal(spline_points(pts), literal_spline(pts))


def test_duplicate_vertices_give_the_same_non_finite_samples() -> None:
    pts = np.array([[100.0, 500.0], [100.0, 500.0], [300.0, 200.0], [400.0, 100.0]])
    out = spline_points(pts)
    assert not np.isfinite(out).all()
    assert np.array_equal(out, literal_spline(pts), equal_nan=True)
    rng = np.random.default_rng(5)
    for _ in range(100):
        steps = rng.integers(-2, 3, size=(int(rng.integers(3, 12)), 2)).astype(np.float64)
        pts = np.cumsum(steps, axis=0)
        assert np.array_equal(spline_points(pts), literal_spline(pts), equal_nan=True)
