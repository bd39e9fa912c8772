"""The many-lane spline equals ``geometry.spline_points`` lane by lane, bit for bit, on both solves."""

from __future__ import annotations

import numpy as np
import pytest

from lgad_studio.core import spline_batch
from lgad_studio.core.geometry import _natural_spline_coefficients, spline_points
from lgad_studio.core.label_render import MASK_SAMPLES_PER_SEGMENT
from lgad_studio.core.spline_batch import batch_spline_points


def awkward_lanes(seed: int, count: int) -> list[np.ndarray]:
    """Random lanes of 2-30 points: smooth, repeated vertices (non-finite samples), huge values."""
    rng = np.random.default_rng(seed)
    lanes = [
        np.array([[300.0, 300.0], [300.2, 300.1]]),
        np.array([[1e12, 5.0], [3.0, 4.0], [7.0, 8.0]]),
    ]
    lanes.append(np.array([[5.0, 5.0], [5.0, 5.0], [5.0, 5.0]]))  # every segment of length 0
    while len(lanes) < count:
        n = int(rng.integers(2, 30))
        kind = rng.integers(3)
        if kind == 0:
            lanes.append(np.cumsum(rng.normal(0.0, 25.0, size=(n, 2)), axis=0) + 800.0)
        elif kind == 1:
            steps = rng.integers(-3, 4, size=(n, 2))
            steps[rng.random(n) < 0.3] = 0  # repeated vertices
            lanes.append(np.cumsum(steps, axis=0) * 3.0 + 400.0)
        else:
            lanes.append(rng.uniform(-500.0, 2200.0, size=(n, 2)))
    return lanes


def assert_same_as_one_by_one(lanes: list[np.ndarray], samples: int) -> None:
    with np.errstate(all="ignore"):
        got = batch_spline_points(lanes, samples_per_segment=samples)
        expected = [spline_points(p, samples_per_segment=samples) for p in lanes]
    assert len(got) == len(expected)
    for i, (a, b) in enumerate(zip(got, expected, strict=True)):
        assert a.dtype == b.dtype == np.float32 and a.shape == b.shape, f"lane {i}"
        assert np.array_equal(a, b, equal_nan=True), f"lane {i}"


@pytest.mark.parametrize("samples", [MASK_SAMPLES_PER_SEGMENT, 50, 1, 7])
def test_few_lanes_are_solved_lane_by_lane_exactly(samples: int) -> None:
    lanes = awkward_lanes(1, 300)
    for start in range(0, len(lanes), 4):  # an image's worth of lanes at a time
        assert_same_as_one_by_one(lanes[start : start + 4], samples)
    assert any(not np.isfinite(spline_points(p)).all() for p in lanes)  # the cases are there


@pytest.mark.parametrize("samples", [MASK_SAMPLES_PER_SEGMENT, 50])
def test_many_lanes_are_solved_across_lanes_exactly(samples: int) -> None:
    lanes = awkward_lanes(2, 200)
    assert len(lanes) > spline_batch._FEW_LANES
    assert_same_as_one_by_one(lanes, samples)


def test_both_solves_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    lanes = awkward_lanes(3, 60)
    with np.errstate(all="ignore"):
        by_lane = batch_spline_points(lanes, samples_per_segment=5)
        monkeypatch.setattr(spline_batch, "_FEW_LANES", 0)
        across = batch_spline_points(lanes, samples_per_segment=5)
    for a, b in zip(by_lane, across, strict=True):
        assert np.array_equal(a, b, equal_nan=True)


@pytest.mark.parametrize("few", [True, False])
def test_coefficients_are_bit_identical_in_float64(
    few: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The float64 solve itself (float32 samples would hide a last-bit difference)."""
    lanes = [p.astype(np.float32) for p in awkward_lanes(4, 120) if len(p) >= 3]
    monkeypatch.setattr(spline_batch, "_FEW_LANES", 4 if few else 0)
    for start in range(0, len(lanes), 4):
        group = lanes[start : start + 4]
        with np.errstate(all="ignore"):
            got = spline_batch.batch_coefficients(group)
            expected = [_natural_spline_coefficients(p.astype(np.float64)) for p in group]
        for name, batch, one_by_one in zip("abcdh", got, zip(*expected, strict=True), strict=True):
            assert np.array_equal(batch, np.concatenate(one_by_one), equal_nan=True), name


def test_two_point_lanes_only_and_no_lanes() -> None:
    two = [np.array([[1.5, 2.0], [3.0, 4.25]]), np.array([[0.0, 0.0], [0.0, 0.0]])]
    assert_same_as_one_by_one(two, 5)
    assert batch_spline_points([], samples_per_segment=5) == []
