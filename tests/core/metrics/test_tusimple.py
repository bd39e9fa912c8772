"""TuSimple accuracy/FP/FN identical to the official ``LaneEval`` (golden results to 1e-9)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from lgad_studio.core.errors import LabelFormatError
from lgad_studio.core.metrics import bench_image, evaluate_tusimple, tusimple_bench

H = list(range(160, 720, 10))  # 56 h_samples


def lane(x0: float, slope: float = 0.0, valid: slice = slice(None)) -> list[float]:
    xs = [x0 + slope * (y - 160) for y in H]
    keep = range(len(H))[valid]
    return [x if i in keep else -2 for i, x in enumerate(xs)]


@pytest.mark.parametrize("name", ["pred_good.json", "pred_mixed.json", "pred_bad.json"])
def test_golden_results(tusimple_golden: Path, name: str) -> None:
    expected = json.loads((tusimple_golden / "expected.json").read_text())[name]
    got = tusimple_bench(tusimple_golden / name, tusimple_golden / "test_label_sample.json")
    assert got["accuracy"] == pytest.approx(expected["Accuracy"], abs=1e-9)
    assert got["fp"] == pytest.approx(expected["FP"], abs=1e-9)
    assert got["fn"] == pytest.approx(expected["FN"], abs=1e-9)


def test_perfect_and_shifted_lanes() -> None:
    gt = [lane(300), lane(700)]
    assert bench_image(gt, gt, H, 10) == (1.0, 0.0, 0.0)
    # Vertical lane: tolerance exactly 20 px, strict: a 20-px shift misses every row.
    assert bench_image([lane(320), lane(719)], gt, H, 10) == (0.5, 0.5, 0.5)


def test_tolerance_grows_with_the_lane_angle() -> None:
    gt = [lane(300, slope=1.0)]  # 45 degrees: tolerance 20 / cos(45) = 28.28
    assert bench_image([lane(327, slope=1.0)], gt, H, 0)[0] == 1.0
    assert bench_image([lane(329, slope=1.0)], gt, H, 0)[0] == 0.0
    assert math.isclose(20 / math.cos(math.atan(1.0)), 28.2842712, rel_tol=1e-7)


def test_rows_missing_in_both_count_as_hits() -> None:
    gt = [lane(300, valid=slice(0, 28))]
    pred = [lane(300, valid=slice(0, 28))]
    assert bench_image(pred, gt, H, 0) == (1.0, 0.0, 0.0)
    half = [lane(300, valid=slice(0, 14))]  # 14 of 56 rows lost
    acc, fp, fn = bench_image(half, gt, H, 0)
    assert acc == 42 / 56 and (fp, fn) == (1.0, 1.0)  # 0.75 < 0.85: unmatched


def test_penalties() -> None:
    gt = [lane(300), lane(700)]
    assert bench_image(gt, gt, H, 201) == (0.0, 0.0, 1.0)  # too slow
    five = [lane(100 + 100 * k) for k in range(5)]
    assert bench_image(five, gt, H, 0) == (0.0, 0.0, 1.0)  # more than #GT + 2


def test_more_than_four_gt_lanes_drop_the_worst() -> None:
    gt = [lane(100 + 200 * k) for k in range(5)]
    acc, fp, fn = bench_image(gt[:4], gt, H, 0)
    assert (acc, fp, fn) == (1.0, 0.0, 0.0)  # the missed fifth lane is forgiven


def test_no_prediction() -> None:
    assert bench_image([], [lane(300)], H, 0) == (0.0, 0.0, 1.0)


def test_in_memory_means_over_gt_images() -> None:
    gts = [
        {"raw_file": "a.jpg", "lanes": [lane(300)], "h_samples": H},
        {"raw_file": "b.jpg", "lanes": [lane(300)], "h_samples": H},
    ]
    preds = [{"raw_file": "a.jpg", "lanes": [lane(300)]}, {"raw_file": "b.jpg", "lanes": []}]
    result = evaluate_tusimple(preds, gts)
    assert (result.accuracy, result.fp, result.fn) == (0.5, 0.0, 0.5)
    assert result.per_image["b.jpg"] == (0.0, 0.0, 1.0)


def _write(path: Path, records: list[object]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def test_file_errors_name_file_and_line(tmp_path: Path) -> None:
    gt = _write(tmp_path / "gt.json", [{"raw_file": "a.jpg", "lanes": [lane(300)], "h_samples": H}])
    bad_len = _write(
        tmp_path / "p1.json", [{"raw_file": "a.jpg", "lanes": [[1, 2]], "run_time": 1}]
    )
    with pytest.raises(LabelFormatError, match=r"p1\.json:1: lanes: .*one x per h_sample"):
        tusimple_bench(bad_len, gt)
    no_time = _write(tmp_path / "p2.json", [{"raw_file": "a.jpg", "lanes": []}])
    with pytest.raises(LabelFormatError, match=r"p2\.json:1: missing field\(s\) run_time"):
        tusimple_bench(no_time, gt)
    unknown = _write(tmp_path / "p3.json", [{"raw_file": "z.jpg", "lanes": [], "run_time": 1}])
    with pytest.raises(LabelFormatError, match=r"p3\.json:1: raw_file 'z.jpg'"):
        tusimple_bench(unknown, gt)
    (tmp_path / "p4.json").write_text("{not json\n")
    with pytest.raises(LabelFormatError, match=r"p4\.json:1: invalid JSON"):
        tusimple_bench(tmp_path / "p4.json", gt)
    two = _write(tmp_path / "p5.json", [{"raw_file": "a.jpg", "lanes": [], "run_time": 1}] * 2)
    with pytest.raises(LabelFormatError, match="2 predictions, expected one per GT image"):
        tusimple_bench(two, gt)
