"""F1 over IoU thresholds 0.50:0.05:0.95 and mF1."""

from __future__ import annotations

import pytest

from lgad_studio.core.metrics import DEFAULT_THRESHOLDS, evaluate_culane, f1_over_thresholds

from .test_culane_semantics import vertical


def test_default_thresholds() -> None:
    assert DEFAULT_THRESHOLDS == (0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95)


def test_sweep_on_hand_cases() -> None:
    # IoUs 31/31, 21/41 (0.512) and 26/36 (0.722) on three images.
    pairs = [
        ([vertical(500)], [vertical(500)]),
        ([vertical(500)], [vertical(510)]),
        ([vertical(500)], [vertical(505)]),
    ]
    sweep = f1_over_thresholds(pairs, thresholds=(0.5, 0.7, 0.75))
    assert [s.tp for _, s in sweep.rows] == [3, 2, 1]
    assert [s.f1 for _, s in sweep.rows] == pytest.approx([1.0, 2 / 3, 1 / 3])
    assert sweep.mf1 == pytest.approx((1 + 2 / 3 + 1 / 3) / 3)
    assert sweep.as_dict()["mF1"] == sweep.mf1
    assert "mF1" in sweep.format()


def test_rescoring_equals_evaluating_at_each_threshold() -> None:
    pairs = [
        ([vertical(500), vertical(900)], [vertical(500 + k), vertical(905 - k)]) for k in range(12)
    ]
    sweep = f1_over_thresholds(evaluate_culane(pairs, workers=1))
    for t, scores in sweep.rows:
        direct = evaluate_culane(pairs, iou_threshold=t, workers=1)
        assert (scores.tp, scores.fp, scores.fn) == (direct.tp, direct.fp, direct.fn)


def test_golden_sweep_starts_at_the_official_f1(golden_result) -> None:
    sweep = f1_over_thresholds(golden_result)
    assert sweep.rows[0][1].f1 == golden_result.f1
    tps = [s.tp for _, s in sweep.rows]
    assert tps == sorted(tps, reverse=True)


def test_no_thresholds_is_an_error() -> None:
    with pytest.raises(ValueError, match="threshold"):
        f1_over_thresholds([], thresholds=())
