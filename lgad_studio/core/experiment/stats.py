"""Paired differences between modes: mean, 95 % confidence interval, wins.

For each run r (one dataset and one training seed) and each category, the paired
difference is ``d_r = F1_mode(r) - F1_baseline(r)`` in F1 points; the two students
of a run share initial weights, batches and augmentation, so ``d_r`` removes
what the run's seed does to both. Over n runs the interval is Student's t:
``mean ± t(0.975, n - 1) · sd / sqrt(n)``. Over runs it treats every run as
independent, though runs on one dataset share its images and its difficulty, so
it says how sure the gain is on *these* datasets; the report also gives the
interval over datasets (each dataset's mean difference once), which is the one
that speaks for new data, with the datasets' median difference and a Wilcoxon
signed-rank test (:func:`signed_rank`): a t-interval over few datasets is pulled by
one large difference, a rank test is not. None says anything about other architectures.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass

from scipy import stats as scipy_stats


@dataclass(frozen=True)
class Counts:
    """Pooled TP/FP/FN; :attr:`f1` in percent with the official −1 for an empty denominator."""

    tp: int
    fp: int
    fn: int

    @property
    def f1(self) -> float:
        if self.tp + self.fp == 0 or self.tp + self.fn == 0:
            return -1.0
        p, r = self.tp / (self.tp + self.fp), self.tp / (self.tp + self.fn)
        return 100.0 * 2 * p * r / (p + r) if p + r else 0.0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)


def score(counts: Counts, *, cross: bool) -> float:
    """What a category's table cell compares: F1 (%; 0 when nothing matched) or, for cross, FP."""
    if cross:
        return float(counts.fp)
    return max(counts.f1, 0.0)


@dataclass(frozen=True)
class Interval:
    n: int
    mean: float
    sd: float
    low: float
    high: float
    wins: int  # runs where the difference favours the mode (> 0; < 0 for a FP count)
    losses: int

    @property
    def excludes_zero(self) -> bool:
        return self.n >= 2 and (self.low > 0 or self.high < 0)


def paired_interval(diffs: list[float], *, lower_is_better: bool = False) -> Interval:
    """Mean and 95 % t-interval of paired differences (a single run gives no interval)."""
    n = len(diffs)
    if n == 0:
        nan = float("nan")
        return Interval(0, nan, nan, nan, nan, 0, 0)
    mean = statistics.fmean(diffs)
    if n < 2:
        return Interval(
            1, mean, float("nan"), float("nan"), float("nan"), *_wins(diffs, lower_is_better)
        )
    sd = statistics.stdev(diffs)
    half = float(scipy_stats.t.ppf(0.975, n - 1)) * sd / math.sqrt(n)
    return Interval(n, mean, sd, mean - half, mean + half, *_wins(diffs, lower_is_better))


def _wins(diffs: list[float], lower_is_better: bool) -> tuple[int, int]:
    sign = -1.0 if lower_is_better else 1.0
    return sum(sign * d > 0 for d in diffs), sum(sign * d < 0 for d in diffs)


@dataclass(frozen=True)
class RankTest:
    """Median of paired differences and the two-sided Wilcoxon signed-rank p-value."""

    n: int
    median: float
    p: float  # nan with fewer than 2 non-zero differences


def signed_rank(diffs: list[float]) -> RankTest:
    """The median and the two-sided Wilcoxon signed-rank p of ``diffs`` (zeros dropped, as
    Wilcoxon did; exact distribution for small samples without ties, as scipy chooses)."""
    n = len(diffs)
    median = statistics.median(diffs) if diffs else float("nan")
    if sum(d != 0 for d in diffs) < 2:
        return RankTest(n, median, float("nan"))
    p = float(scipy_stats.wilcoxon(diffs, zero_method="wilcox", alternative="two-sided").pvalue)
    return RankTest(n, median, p)
