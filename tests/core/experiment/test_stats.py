"""Paired intervals and pooled F1 of the experiment report."""

from __future__ import annotations

import math

import pytest
from scipy import stats

from lgad_studio.core.experiment.stats import Counts, paired_interval, score, signed_rank


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


def test_the_signed_rank_test_is_exact_and_one_large_difference_counts_by_its_rank() -> None:
    # all five positive: the exact two-sided p is 2 / 2**5
    test = signed_rank([1.0, 2.0, 3.0, 4.0, 5.0])
    assert (test.n, test.median) == (5, 3.0) and test.p == pytest.approx(2 / 32)
    # W- = 1 of n = 4: P(W- <= 1) = 2/16, two-sided 0.25, whatever the largest value is
    small, large = signed_rank([-1.0, 2.0, 3.0, 4.0]), signed_rank([-1.0, 2.0, 3.0, 100.0])
    assert small.p == pytest.approx(0.25) and large.p == pytest.approx(0.25)
    assert (
        paired_interval([-1.0, 2.0, 3.0, 100.0]).mean
        > 5 * paired_interval([-1.0, 2.0, 3.0, 4.0]).mean
    )
    assert math.isnan(signed_rank([0.0, 0.0, 1.0]).p) and math.isnan(signed_rank([]).median)
