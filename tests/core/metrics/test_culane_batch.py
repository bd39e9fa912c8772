"""Batched lane preparation equals the one-lane path, lane by lane, bit for bit."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from lgad_studio.core.metrics.culane_batch import batch_vertices
from lgad_studio.core.metrics.culane_files import read_eval_lanes
from lgad_studio.core.metrics.culane_raster import drawing_vertices, lane_pixels


def one_by_one(lanes: list[np.ndarray]) -> list[np.ndarray | None]:
    with np.errstate(all="ignore"):
        return [drawing_vertices(lane_pixels(p)) if len(p) >= 2 else None for p in lanes]


def assert_same(lanes: list[np.ndarray]) -> None:
    got, expected = batch_vertices(lanes), one_by_one(lanes)
    assert len(got) == len(expected)
    for i, (a, b) in enumerate(zip(got, expected, strict=True)):
        assert (a is None and b is None) or np.array_equal(a, b), f"lane {i}"


def test_mixed_lengths_duplicates_and_huge_values() -> None:
    rng = np.random.default_rng(4)
    lanes: list[np.ndarray] = [np.zeros((0, 2)), np.array([[3.0, 4.0]])]
    for _ in range(120):
        n = int(rng.integers(2, 30))
        lanes.append(rng.uniform(-500, 2200, size=(n, 2)))
        steps = rng.integers(-3, 4, size=(int(rng.integers(2, 12)), 2))
        steps[rng.random(len(steps)) < 0.3] = 0  # repeated vertices: NaN samples
        lanes.append(np.cumsum(steps, axis=0) * 3.0 + 400)
    lanes.append(np.array([[1e12, 5.0], [3.0, 4.0], [7.0, 8.0]]))
    lanes.append(np.array([[300.0, 300.0], [300.2, 300.1]]))  # one pixel: kept twice
    assert_same(lanes)
    assert_same(lanes[5:6])
    assert batch_vertices([]) == []


def test_golden_lanes(culane_golden: Path) -> None:
    files = sorted((culane_golden / "det").rglob("*.lines.txt"))[::10]
    lanes = [lane for f in files for lane in read_eval_lanes(f)]
    assert len(lanes) > 100
    assert_same(lanes)
