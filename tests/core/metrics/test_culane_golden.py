"""Every row of the official CULane tool's per-image counts, and its totals."""

from __future__ import annotations

from pathlib import Path

from lgad_studio.core.metrics import evaluate_culane, evaluate_image, read_eval_lanes
from lgad_studio.core.metrics.culane_files import lines_path


def test_every_golden_row_matches_the_official_tool(golden_result, culane_expected) -> None:
    ours = golden_result.per_image_counts()
    expected = culane_expected["images"]
    assert len(ours) == len(expected) == 579
    wrong = {k: (ours.get(k), v) for k, v in expected.items() if ours.get(k) != v}
    assert wrong == {}


def test_golden_totals_and_scores(golden_result, culane_expected) -> None:
    tp, fp, fn = culane_expected["total"]
    assert (golden_result.tp, golden_result.fp, golden_result.fn) == (tp, fp, fn)
    assert golden_result.precision == tp / (tp + fp)
    assert golden_result.recall == tp / (tp + fn)
    p, r = golden_result.precision, golden_result.recall
    assert golden_result.f1 == 2 * p * r / (p + r)


def test_golden_parameters_are_the_defaults(culane_expected) -> None:
    params = culane_expected["params"]
    assert (params["width"], params["iou"], params["cols"], params["rows"]) == (30, 0.5, 1640, 590)


def test_in_memory_pairs_give_the_same_rows(culane_golden: Path, culane_expected) -> None:
    names = sorted(culane_expected["images"])[::25]  # a spread-out subset keeps this fast
    pairs = {
        n: (
            read_eval_lanes(lines_path(culane_golden / "anno", n)),
            read_eval_lanes(lines_path(culane_golden / "det", n), missing_ok=True),
        )
        for n in names
    }
    result = evaluate_culane(pairs, workers=1)
    assert result.per_image_counts() == {n: culane_expected["images"][n] for n in names}
    unnamed = evaluate_culane(list(pairs.values()), workers=2)
    assert [r.counts for r in unnamed.images] == [r.counts for r in result.images]
    assert all(r.name is None for r in unnamed.images)


def test_per_image_results_expose_the_matching(golden_result) -> None:
    image = next(r for r in golden_result.images if r.tp and r.fp and r.fn)
    assert len(image.tp_gt) == len(image.tp_det) == image.tp
    assert len(image.fn_gt) == image.fn and len(image.fp_det) == image.fp
    for g, d, iou in image.matches:
        assert iou == image.iou[g, d] > 0.5
    again = evaluate_image(image.gt, image.det)
    assert again.matches == image.matches
