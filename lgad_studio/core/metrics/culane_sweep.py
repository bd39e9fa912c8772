"""CULane F1 over IoU thresholds 0.50:0.05:0.95 and their mean (mF1).

The official assignment does not depend on the threshold (only which assigned
pairs count as TP does), so one evaluation is rescored at every threshold.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from lgad_studio.core.metrics.culane import CulaneResult, Lanes, evaluate_culane
from lgad_studio.core.metrics.scores import Scores

DEFAULT_THRESHOLDS: tuple[float, ...] = tuple(round(0.5 + 0.05 * k, 2) for k in range(10))


@dataclass(frozen=True)
class ThresholdSweep:
    """``rows``: ``(threshold, Scores)`` in threshold order; ``mf1``: the mean F1."""

    rows: tuple[tuple[float, Scores], ...]

    @property
    def mf1(self) -> float:
        return sum(s.f1 for _, s in self.rows) / len(self.rows)

    def as_dict(self) -> dict[str, object]:
        """JSON-ready ``{"thresholds": [{"iou", "tp", ...}], "mF1"}``."""
        rows = [{"iou": t, **s.summary()} for t, s in self.rows]
        return {"thresholds": rows, "mF1": self.mf1}

    def format(self) -> str:
        lines = [f"{'IoU':>6}{'TP':>7}{'FP':>7}{'FN':>7}{'F1':>8}"]
        for t, s in self.rows:
            lines.append(f"{t:>6.2f}{s.tp:>7}{s.fp:>7}{s.fn:>7}{100 * s.f1:>8.2f}")
        lines.append(f"{'mF1':>6}{'':>21}{100 * self.mf1:>8.2f}")
        return "\n".join(lines)


def f1_over_thresholds(
    result_or_pairs: CulaneResult
    | Iterable[tuple[Lanes, Lanes]]
    | Mapping[str, tuple[Lanes, Lanes]],
    *,
    thresholds: Sequence[float] = DEFAULT_THRESHOLDS,
    **options: object,
) -> ThresholdSweep:
    """Scores at each IoU threshold; ``options`` go to ``evaluate_culane`` when given pairs."""
    if not thresholds:
        raise ValueError("at least one IoU threshold is needed")
    result = (
        result_or_pairs
        if isinstance(result_or_pairs, CulaneResult)
        else evaluate_culane(result_or_pairs, **options)  # type: ignore[arg-type]
    )
    rows = []
    for t in thresholds:
        r = result.at_threshold(float(t))
        rows.append((float(t), Scores(r.tp, r.fp, r.fn)))
    return ThresholdSweep(tuple(rows))
