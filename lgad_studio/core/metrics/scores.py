"""Precision, recall and F1 from pooled TP/FP/FN counts, with the official tool's -1 convention.

The official CULane tool reports precision ``-1`` when there are no detections
(TP + FP = 0) and recall ``-1`` when there is no ground truth (TP + FN = 0; the
``cross`` split). It then prints ``2PR/(P+R)`` regardless, which gives -1, -0
or NaN in those cases; **ours**: F1 is -1 whenever P or R is -1, and 0 when
TP = 0 otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

UNDEFINED = -1.0


def precision_recall_f1(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """``(precision, recall, f1)`` of pooled counts; -1 marks an empty denominator."""
    precision = tp / (tp + fp) if tp + fp else UNDEFINED
    recall = tp / (tp + fn) if tp + fn else UNDEFINED
    if precision == UNDEFINED or recall == UNDEFINED:
        return precision, recall, UNDEFINED
    if tp == 0:
        return precision, recall, 0.0
    return precision, recall, 2 * precision * recall / (precision + recall)


@dataclass(frozen=True, eq=False)
class Scores:
    """TP/FP/FN counts and the scores derived from them."""

    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return precision_recall_f1(self.tp, self.fp, self.fn)[0]

    @property
    def recall(self) -> float:
        return precision_recall_f1(self.tp, self.fp, self.fn)[1]

    @property
    def f1(self) -> float:
        return precision_recall_f1(self.tp, self.fp, self.fn)[2]

    def summary(self) -> dict[str, float | int]:
        """JSON-ready ``{tp, fp, fn, precision, recall, f1}``."""
        p, r, f = precision_recall_f1(self.tp, self.fp, self.fn)
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "precision": p, "recall": r, "f1": f}


def f1_per_row(counts: np.ndarray) -> np.ndarray:
    """``float64 (N,)``: :func:`precision_recall_f1`'s F1 of each ``(tp, fp, fn)`` row of ``counts``."""
    counts = np.asarray(counts, dtype=np.int64).reshape(-1, 3)
    tp, fp, fn = counts[:, 0], counts[:, 1], counts[:, 2]
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = tp / (tp + fp)
        recall = tp / (tp + fn)
        f1 = 2 * precision * recall / (precision + recall)
    f1 = np.where(tp == 0, 0.0, f1)
    return np.where((tp + fp == 0) | (tp + fn == 0), UNDEFINED, f1)


def percent(value: float, *, digits: int = 1, undefined: str = "–") -> str:
    """A score for display: ``0.7463 -> "74.6"``; -1 (undefined) as ``undefined``."""
    return undefined if value < 0 else f"{100.0 * value:.{digits}f}"
