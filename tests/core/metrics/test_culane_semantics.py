"""Hand-computed CULane cases that document the metric's semantics."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from lgad_studio.core.metrics import evaluate_entries, evaluate_image, precision_recall_f1
from lgad_studio.core.metrics.culane_raster import mask_iou, rasterize_lane


def vertical(x: float, y0: float = -100.0, y1: float = 700.0) -> np.ndarray:
    """A 2-point vertical lane; by default it crosses the whole 590-row canvas, caps outside."""
    return np.array([[x, y1], [x, y0]])


@pytest.mark.parametrize("offset", [0, 1, 5, 10, 11, 20, 30, 31, 40])
def test_parallel_lanes_crossing_the_image(offset: int) -> None:
    # A 30-px line covers 31 columns on each of the 590 rows; shifted by d
    # columns, the two share 31 - d of them: IoU = (31 - d) / (31 + d).
    iou = mask_iou(rasterize_lane(vertical(500)), rasterize_lane(vertical(500 + offset)))
    expected = max(31 - offset, 0) / (31 + min(offset, 31))
    assert iou == pytest.approx(expected, abs=1e-12)


def test_threshold_is_strict_between_offsets_10_and_11() -> None:
    gt = [vertical(500), vertical(900)]
    det = [vertical(510), vertical(911)]  # IoU 21/41 = 0.512 and 20/42 = 0.476
    result = evaluate_image(gt, det)
    assert result.counts == (1, 1, 1)
    assert result.matches == ((0, 0, pytest.approx(21 / 41)),)
    assert result.tp_gt == (0,) and result.fn_gt == (1,) and result.fp_det == (1,)
    assert result.at_threshold(21 / 41).tp == 0  # equal is not above
    assert evaluate_image(gt, gt, iou_threshold=1.0).tp == 0  # IoU 1 is not > 1


def test_rows_outside_the_canvas_are_not_counted() -> None:
    # Cut at the canvas edge: identical inside, different outside -> IoU 1.
    inside = rasterize_lane(vertical(800, -400, 900))
    assert inside is not None and inside.area == 31 * 590
    assert mask_iou(inside, rasterize_lane(vertical(800))) == 1.0


def test_a_lane_wholly_outside_the_image_is_a_false_positive() -> None:
    result = evaluate_image([vertical(500)], [vertical(2500)])
    assert result.iou[0, 0] == 0.0
    assert result.counts == (0, 1, 1)


def test_lanes_that_both_miss_the_canvas_have_nan_iou_and_do_not_match() -> None:
    result = evaluate_image([vertical(-500)], [vertical(-500)])
    assert np.isnan(result.iou[0, 0])  # 0 / 0, as in the C++ tool
    assert result.counts == (0, 1, 1)


def test_one_point_and_empty_lanes_count_but_never_match() -> None:
    point = np.array([[500.0, 300.0]])
    result = evaluate_image([point, np.zeros((0, 2))], [point])
    assert np.array_equal(result.iou, [[0.0], [0.0]])
    assert result.counts == (0, 1, 2)


def test_image_without_ground_truth_makes_every_detection_a_false_positive() -> None:
    result = evaluate_image([], [vertical(100), vertical(300)])
    assert result.counts == (0, 2, 0) and result.assignment == ()


def test_missing_detection_file_means_no_detections(tmp_path: Path) -> None:
    anno, det = tmp_path / "anno", tmp_path / "det"
    (anno / "d").mkdir(parents=True)
    det.mkdir()
    (anno / "d" / "1.lines.txt").write_text("500 700 500 -100\n900 700 900 -100\n")
    result = evaluate_entries(anno, det, ["/d/1.jpg"])
    assert result.per_image_counts() == {"/d/1.jpg": [0, 0, 2]}
    assert (result.tp, result.fp, result.fn) == (0, 0, 2)


def test_counts_are_pooled_before_scores() -> None:
    a = evaluate_image([vertical(500)], [vertical(500)])
    b = evaluate_image([vertical(500), vertical(900)], [])
    from lgad_studio.core.metrics import CulaneResult

    pooled = CulaneResult.pool([a, b], iou_threshold=0.5)
    assert (pooled.tp, pooled.fp, pooled.fn) == (1, 0, 2)
    assert pooled.precision == 1.0 and pooled.recall == 1 / 3
    assert pooled.f1 == pytest.approx(0.5)


def test_empty_denominators_are_minus_one() -> None:
    assert precision_recall_f1(0, 5, 0) == (0.0, -1.0, -1.0)  # the cross split
    assert precision_recall_f1(0, 0, 3) == (-1.0, 0.0, -1.0)  # no detections
    assert precision_recall_f1(0, 0, 0) == (-1.0, -1.0, -1.0)
    assert precision_recall_f1(0, 2, 3) == (0.0, 0.0, 0.0)
    assert precision_recall_f1(3, 1, 1) == (0.75, 0.75, 0.75)


def test_width_and_canvas_size_are_parameters() -> None:
    narrow = evaluate_image([vertical(500)], [vertical(510)], width=10)
    assert narrow.iou[0, 0] == pytest.approx(1 / 21)  # 11 columns each, 1 shared
    small = rasterize_lane(vertical(50), image_size=(100, 60))
    assert small is not None and small.area == 31 * 60
    with pytest.raises(ValueError, match="width"):
        rasterize_lane(vertical(50), width=0)
