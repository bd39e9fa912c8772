"""The approximate (shapely) IoU mode: close to the pixel IoU, and labelled approximate."""

from __future__ import annotations

import numpy as np
import pytest

from lgad_studio.core.metrics import evaluate_image, similarity_matrix

from .test_culane_semantics import vertical


def test_close_to_the_pixel_iou_on_curved_lanes() -> None:
    ys = np.arange(589.0, 250.0, -20.0)
    gt = [np.column_stack([300 + 0.002 * (589 - ys) ** 2, ys])]
    det = [np.column_stack([300 + 0.002 * (589 - ys) ** 2 + dx, ys]) for dx in (0, 4, 9, 15)]
    exact = similarity_matrix(gt, det)
    approx = similarity_matrix(gt, det, approximate=True)
    assert np.abs(approx - exact).max() < 0.01


def test_crossing_lanes_are_clipped_to_the_image() -> None:
    # A band of width w + 1 = 31 over the 590 rows, shifted by 10: IoU 21/41.
    approx = similarity_matrix([vertical(500)], [vertical(510)], approximate=True)
    assert approx[0, 0] == pytest.approx(21 / 41, abs=1e-9)


def test_results_are_flagged_and_short_lanes_score_zero() -> None:
    result = evaluate_image(
        [vertical(500), np.array([[1.0, 2.0]])], [vertical(502)], approximate=True
    )
    assert result.approximate
    assert result.iou[1, 0] == 0.0 and result.tp == 1
