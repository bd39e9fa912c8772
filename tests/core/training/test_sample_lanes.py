"""A training item's lanes as arrays equal the LaneSet path bit for bit: points, slots, label, flags."""

from __future__ import annotations

import numpy as np
import pytest

from lgad_studio.core.formats.culane_lines import render_label_map
from lgad_studio.core.lanes import NUM_SLOTS, Lane, LaneSet
from lgad_studio.core.training.augment import AugmentParams, geometry, move_lanes
from lgad_studio.core.training.sample_lanes import SampleLanes

SOURCE, SIZE = (1640, 590), (800, 288)


def random_lanes(rng: np.random.Generator) -> LaneSet:
    """2-6 lanes: slotted and unslotted, 1-25 points, some repeated vertices, some off-frame."""
    slots = list(rng.permutation(NUM_SLOTS) + 1)
    lanes = []
    for k in range(int(rng.integers(0, 7))):
        n = int(rng.integers(1, 26))
        x = rng.uniform(-400, 2000) + np.cumsum(rng.normal(0, 15, n))
        y = np.sort(rng.uniform(200, 600, n))[::-1]
        pts = np.column_stack([x, y])
        if n > 3 and rng.random() < 0.2:
            pts[2] = pts[1]  # a repeated vertex: non-finite spline samples
        slot = int(slots[k]) if k < NUM_SLOTS and rng.random() < 0.85 else None
        lanes.append(Lane(pts, slot))
    return LaneSet(tuple(lanes), image_size=SOURCE)


def reference_existence(lanes: LaneSet, margin: float) -> list[float]:
    """The flags as the loader computed them lane by lane before."""
    exist = [0.0] * NUM_SLOTS
    for lane in lanes:
        if lane.slot is None or len(lane) < 2:
            continue
        x, y = lane.points[:, 0], lane.points[:, 1]
        inside = (x >= -margin) & (x < SIZE[0] + margin) & (y >= -margin) & (y < SIZE[1] + margin)
        if bool(inside.any()):
            exist[lane.slot - 1] = 1.0
    return exist


@pytest.mark.parametrize("seed", range(4))
def test_arrays_follow_the_lane_set_path_exactly(seed: int) -> None:
    rng = np.random.default_rng(seed)
    params = AugmentParams(flip_p=0.5)
    flips = 0
    for _ in range(60):
        lanes = random_lanes(rng)
        flipped, affine = geometry(rng, SIZE, params)
        flips += flipped
        scaled = lanes.scaled(SIZE[0] / SOURCE[0], SIZE[1] / SOURCE[1], SIZE)
        expected = move_lanes(scaled, flipped, affine)
        arrays = SampleLanes.scaled(lanes, SOURCE, SIZE)
        assert arrays.lane_set() == scaled
        moved = arrays.moved(flipped, affine)
        assert moved.lane_set() == expected and moved.lane_set().image_size == SIZE
        with np.errstate(all="ignore"):
            assert np.array_equal(
                moved.label(15), render_label_map(expected, size=SIZE, line_width=15)
            )
        assert moved.existence(margin=7.5).tolist() == reference_existence(expected, 7.5)
    assert 0 < flips < 60


def test_no_lanes() -> None:
    arrays = SampleLanes.scaled(LaneSet((), image_size=SOURCE), SOURCE, SIZE)
    assert arrays.label(15).shape == (288, 800) and not arrays.label(15).any()
    assert arrays.existence().tolist() == [0.0] * 4
