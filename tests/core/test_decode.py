"""Decoding a lane probability map to CULane lanes (SCNN convention)."""

from __future__ import annotations

import numpy as np
import pytest

from lgad_studio.core.decode import decode_prob_map

H, W = 288, 800  # the network's map
ROWS = 589 - 20 * np.arange(18)


def prob_with_lanes(cols: dict[int, int], value: float = 0.9) -> np.ndarray:
    """``[5, H, W]`` probabilities: vertical lanes at map column ``cols[slot]``."""
    prob = np.zeros((5, H, W), np.float32)
    prob[0] = 1.0
    for slot, col in cols.items():
        prob[slot, :, col] = value
        prob[0, :, col] = 1 - value
    return prob


def test_decodes_existing_slots_at_the_scnn_rows() -> None:
    prob = prob_with_lanes({1: 100, 3: 500})
    lanes = decode_prob_map(prob, np.array([0.9, 0.9, 0.9, 0.1]), smooth_kernel=0)
    assert [slot for slot, _ in lanes] == [1, 3]
    slot, pts = lanes[0]
    assert pts.dtype == np.float64 and pts.shape == (18, 2)
    assert np.array_equal(pts[:, 1], ROWS)  # bottom-up, 20 px apart
    assert pts[:, 0] == pytest.approx((100 + 0.5) * 1640 / 800 - 0.5)


def test_existence_and_probability_thresholds() -> None:
    prob = prob_with_lanes({1: 100, 2: 300}, value=0.35)
    lanes = decode_prob_map(prob, np.array([0.5, 0.51, 0, 0]), smooth_kernel=0)
    assert [s for s, _ in lanes] == [2]  # exist must be > 0.5
    assert decode_prob_map(prob, np.ones(4), smooth_kernel=0, prob_threshold=0.35) == []


def test_gaps_allowed_but_two_points_needed() -> None:
    prob = prob_with_lanes({})
    for y in (589, 549):
        prob[2, int((y + 0.5) * H / 590), 400] = 0.8
    (lane,) = decode_prob_map(prob, np.ones(4), smooth_kernel=0)
    assert lane[1][:, 1].tolist() == [589, 549]
    assert decode_prob_map(prob, np.ones(4), smooth_kernel=0, min_points=3) == []


def test_smoothing_spreads_a_thin_line() -> None:
    prob = prob_with_lanes({4: 700}, value=0.5)
    raw = decode_prob_map(prob, np.ones(4), smooth_kernel=0)
    smooth = decode_prob_map(prob, np.ones(4))  # 9x9 mean: 0.5 / 9 < 0.3
    assert len(raw) == 1 and smooth == []


def test_crop_top_maps_rows_into_the_roi() -> None:
    prob = prob_with_lanes({1: 200})
    lanes = decode_prob_map(prob, np.ones(4), smooth_kernel=0, crop_top=240)
    ys = lanes[0][1][:, 1]
    assert ys.min() >= 240 and ys.tolist() == [y for y in ROWS if y >= 240]


def test_bad_shapes_are_errors() -> None:
    with pytest.raises(ValueError, match=r"\[5, h, w\]"):
        decode_prob_map(np.zeros((4, 8, 8)), np.ones(4))
    with pytest.raises(ValueError, match="4 probabilities"):
        decode_prob_map(np.zeros((5, 8, 8)), np.ones(3))
    with pytest.raises(ValueError, match="crop_top"):
        decode_prob_map(np.zeros((5, 8, 8)), np.ones(4), crop_top=590)


def test_decodes_on_given_rows_in_their_order() -> None:
    prob = prob_with_lanes({2: 300})
    rows = [160, 300, 710, 720]  # TuSimple h_samples of a 720-row image; 720 is off the image
    (lane,) = decode_prob_map(prob, np.ones(4), image_size=(1280, 720), rows=rows, smooth_kernel=0)
    assert lane[0] == 2 and lane[1][:, 1].tolist() == [160, 300, 710]
    assert lane[1][:, 0] == pytest.approx((300 + 0.5) * 1280 / 800 - 0.5)


def test_small_maps_decode_like_the_resized_and_filtered_full_map() -> None:
    """Only the sampled rows are filtered, and only existing slots resized: the lanes are those
    of resizing the whole map to 800 columns and mean-filtering all of it."""
    import cv2

    rng = np.random.default_rng(4)
    h, w = 24, 64
    ys, xs = np.mgrid[0:h, 0:w]
    logits = np.zeros((5, h, w), np.float32)
    for slot, x0 in ((1, 10.0), (2, 25.0), (3, 40.0), (4, 55.0)):
        ridge = x0 + (ys - h) * rng.uniform(-0.6, 0.6)
        logits[slot] = 4.0 * np.exp(-((xs - ridge) ** 2) / 4.0)
    prob = np.exp(logits) / np.exp(logits).sum(axis=0)
    exist = np.array([0.9, 0.9, 0.2, 0.9])
    lanes = decode_prob_map(prob, exist)
    wide = np.stack([cv2.resize(c, (800, 300), interpolation=cv2.INTER_LINEAR) for c in prob])
    smooth = np.stack([cv2.blur(c, (9, 9), borderType=cv2.BORDER_REPLICATE) for c in wide])
    expected = decode_prob_map(smooth, exist, smooth_kernel=0)
    assert [s for s, _ in lanes] == [s for s, _ in expected] == [1, 2, 4]
    for (_, got), (_, want) in zip(lanes, expected, strict=True):
        assert np.array_equal(got[:, 1], want[:, 1])
        assert np.array_equal(got[:, 0], want[:, 0])
