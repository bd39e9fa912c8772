"""The cropped, once-per-lane raster gives the official full-canvas IoU bit for bit."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lgad_studio.core.metrics import culane_raster as cr
from lgad_studio.core.metrics.culane_raster import (
    drawing_vertices,
    lane_pixels,
    mask_iou,
    rasterize_lane,
    reference_lane_iou,
)

SMALL = (160, 90)  # a small canvas keeps the property test fast


def lanes(max_points: int = 6) -> st.SearchStrategy[np.ndarray]:
    """Bottom-up-ish lanes, sometimes leaving the small canvas on any side."""
    coord = st.floats(-60, 220, allow_nan=False, width=32)
    return st.lists(st.tuples(coord, coord), min_size=2, max_size=max_points).map(
        lambda pts: np.array(pts, dtype=np.float64)
    )


@settings(max_examples=60, deadline=None)
@given(a=lanes(), b=lanes(), width=st.sampled_from([1, 7, 10, 30]))
def test_cropped_raster_equals_two_full_canvases(a, b, width) -> None:
    fast = mask_iou(
        rasterize_lane(a, width=width, image_size=SMALL),
        rasterize_lane(b, width=width, image_size=SMALL),
    )
    slow = reference_lane_iou(a, b, width=width, image_size=SMALL)
    assert fast == slow or (np.isnan(fast) and np.isnan(slow))


def test_the_thread_canvas_is_left_clean() -> None:
    rng = np.random.default_rng(3)
    for _ in range(20):
        rasterize_lane(rng.uniform(-200, 1800, size=(5, 2)))
    assert not cr._thread_canvas(1640, 590).any()


def test_points_round_half_to_even_like_cvround() -> None:
    two = np.array([[0.5, 1.5], [2.5, -0.5]])
    assert lane_pixels(two).tolist() == [[0, 2], [2, 0]]


def test_points_are_float32_before_rounding() -> None:
    # 2.5000001 is 2.5 in float32, so it rounds to 2, not 3.
    assert lane_pixels(np.array([[2.5000001, 0.0], [9.0, 9.0]]))[0, 0] == 2


def test_duplicate_vertices_draw_what_the_official_tool_draws() -> None:
    # A repeated vertex makes the spline NaN; cvRound turns NaN into INT_MIN.
    lane = np.array([[100.0, 500.0], [100.0, 500.0], [300.0, 200.0], [400.0, 100.0]])
    assert (lane_pixels(lane) == cr.INT_MIN).any()
    other = np.array([[150.0, 550.0], [350.0, 150.0]])
    assert mask_iou(rasterize_lane(lane), rasterize_lane(other)) == pytest.approx(
        reference_lane_iou(lane, other), abs=0
    )


def test_a_dot_lane_still_draws_its_round_cap() -> None:
    dot = rasterize_lane(np.array([[300.0, 300.0], [300.2, 300.1]]))
    assert dot is not None and dot.area > 600  # a filled disk of radius 15
    assert mask_iou(dot, dot) == 1.0


def test_lanes_below_two_points_are_not_drawn() -> None:
    assert rasterize_lane(np.array([[1.0, 2.0]])) is None
    assert mask_iou(None, rasterize_lane(np.array([[0.0, 0.0], [50.0, 50.0]]))) == 0.0


def _full_drawing(points: np.ndarray, width: int, size: tuple[int, int]) -> np.ndarray:
    canvas = np.zeros((size[1], size[0]), np.uint8)
    cv2.polylines(canvas, [lane_pixels(points).reshape(-1, 1, 2)], False, 1, thickness=width)
    return canvas


@pytest.mark.parametrize("width", [1, 2, 3, 10, 30, 31])
def test_dropped_vertices_do_not_change_the_drawing(width: int) -> None:
    rng = np.random.default_rng(width)
    size = (200, 120)
    for k in range(150):
        if k % 2:  # staircases with long axis-aligned runs, crossing the borders
            steps = rng.integers(-4, 5, size=(int(rng.integers(3, 15)), 2))
            steps[rng.random(len(steps)) < 0.5, 0] = 0
            steps[rng.random(len(steps)) < 0.3, 1] = 0
            pts = np.cumsum(steps, axis=0) * 7.0 + rng.uniform(-30, 230, size=2)
        else:
            pts = rng.uniform(-40, 240, size=(int(rng.integers(2, 7)), 2))
        lane = rasterize_lane(pts, width=width, image_size=size)
        full = _full_drawing(pts, width, size)
        assert lane is not None and lane.area == int(full.sum())
        h, w = lane.mask.shape
        assert np.array_equal(lane.mask, full[lane.top : lane.top + h, lane.left : lane.left + w])


def test_axis_aligned_runs_keep_only_their_ends() -> None:
    run = np.array([[5, 9], [5, 8], [5, 8], [5, 7], [5, 6], [6, 5], [7, 5], [8, 5]], np.int32)
    assert drawing_vertices(run).tolist() == [[5, 9], [5, 6], [6, 5], [8, 5]]
    assert drawing_vertices(np.array([[3, 3], [3, 3]], np.int32)).tolist() == [[3, 3], [3, 3]]
