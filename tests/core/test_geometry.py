"""The evaluator's natural chord-length spline and row resampling."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.interpolate import CubicSpline

from lgad_studio.core.geometry import finite_points, resample_at_rows, spline_points

CURVED = np.array([[100.0, 589.0], [180.0, 500.0], [300.0, 420.0], [480.0, 360.0], [700.0, 330.0]])


def test_sample_count_and_dtype() -> None:
    out = spline_points(CURVED)
    assert out.dtype == np.float32
    assert out.shape == ((len(CURVED) - 1) * 50 + 1, 2)
    assert spline_points(CURVED, samples_per_segment=7).shape == ((len(CURVED) - 1) * 7 + 1, 2)


def test_spline_passes_through_every_vertex() -> None:
    out = spline_points(CURVED)
    assert np.array_equal(out[::50], CURVED.astype(np.float32))


def test_two_point_and_one_point_lanes_are_used_as_is() -> None:
    two = np.array([[10.5, 589.0], [300.25, 250.0]])
    assert np.array_equal(spline_points(two), two.astype(np.float32))
    assert np.array_equal(spline_points([[3.0, 4.0]]), np.array([[3.0, 4.0]], np.float32))
    assert spline_points(np.zeros((0, 2))).shape == (0, 2)


def test_matches_a_natural_cubic_spline_on_chord_length() -> None:
    chord = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(CURVED, axis=0), axis=1))])
    reference = CubicSpline(chord, CURVED, bc_type="natural")
    t = np.concatenate(
        [np.linspace(a, b, 50, endpoint=False) for a, b in zip(chord[:-1], chord[1:], strict=True)]
    )
    t = np.append(t, chord[-1])
    assert np.allclose(spline_points(CURVED), reference(t), atol=1e-3)


def test_collinear_points_stay_on_their_line() -> None:
    ys = np.array([589.0, 500.0, 380.0, 300.0])
    pts = np.column_stack([1000 - 0.5 * (589 - ys), ys])
    out = spline_points(pts).astype(np.float64)
    assert np.allclose(out[:, 0], 1000 - 0.5 * (589 - out[:, 1]), atol=1e-3)


def test_finite_points_drops_rows_with_nan_or_inf() -> None:
    pts = np.array([[1.0, 2.0], [np.nan, 3.0], [4.0, np.inf], [5.0, 6.0]])
    assert np.array_equal(finite_points(pts), [[1.0, 2.0], [5.0, 6.0]])


def test_resample_at_rows_inside_and_outside_the_lane() -> None:
    lane = np.array([[100.0, 580.0], [200.0, 480.0], [300.0, 380.0]])
    xs = resample_at_rows(lane, [700.0, 580.0, 530.0, 480.0, 380.0, 300.0])
    assert np.isnan(xs[0]) and np.isnan(xs[-1])
    assert xs[1:5] == pytest.approx([100.0, 150.0, 200.0, 300.0], abs=1e-3)


def test_resample_two_point_lane_is_linear() -> None:
    xs = resample_at_rows([[0.0, 100.0], [100.0, 0.0]], [0.0, 25.0, 50.0, 100.0])
    assert xs == pytest.approx([100.0, 75.0, 50.0, 0.0])
