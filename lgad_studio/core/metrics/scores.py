"""Precision, recall and F1 from pooled TP/FP/FN counts, with the official tool's -1 convention.

The official CULane tool reports precision ``-1`` when there are no detections
(TP + FP = 0) and recall ``-1`` when there is no ground truth (TP + FN = 0; the
``cross`` split). It then prints ``2PR/(P+R)`` regardless, which gives -1, -0
or NaN in those cases; **ours**: F1 is -1 whenever P or R is -1, and 0 when
TP = 0 otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

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
