"""Paired intervals and pooled F1 of the experiment report."""

from __future__ import annotations

import math

import pytest
from scipy import stats

from lgad_studio.core.experiment.stats import Counts, paired_interval, score


def test_interval_is_student_t_over_runs() -> None:
    diffs = [1.0, 2.5, -0.5, 3.0, 1.5]
    iv = paired_interval(diffs)
    mean = sum(diffs) / 5
    sd = math.sqrt(sum((d - mean) ** 2 for d in diffs) / 4)
    half = stats.t.ppf(0.975, 4) * sd / math.sqrt(5)
    assert iv.mean == pytest.approx(mean) and iv.sd == pytest.approx(sd)
    assert (iv.low, iv.high) == (pytest.approx(mean - half), pytest.approx(mean + half))
    assert (iv.wins, iv.losses, iv.n) == (4, 1, 5)
    assert not iv.excludes_zero  # the interval [-0.38, 3.38] holds 0
    assert paired_interval([2.0, 2.5, 3.0]).excludes_zero


def test_a_false_positive_difference_wins_when_lower() -> None:
    iv = paired_interval([-2.0, -1.0, 0.0], lower_is_better=True)
    assert (iv.wins, iv.losses) == (2, 0)


def test_one_run_has_no_interval() -> None:
    iv = paired_interval([1.5])
    assert iv.n == 1 and iv.mean == 1.5 and math.isnan(iv.low) and not iv.excludes_zero


def test_counts_use_the_official_convention_and_cells_show_zero() -> None:
    assert Counts(0, 0, 5).f1 == -1.0  # nothing detected: an empty precision denominator
    assert Counts(0, 3, 5).f1 == 0.0
    assert Counts(6, 2, 2).f1 == pytest.approx(75.0)
    assert score(Counts(0, 0, 5), cross=False) == 0.0
    assert score(Counts(0, 7, 0), cross=True) == 7.0
