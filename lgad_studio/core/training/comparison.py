"""Baseline vs SAD vs LGAD on one dataset: the plan, per-category test scores and the table.

Used by ``lgad-studio demo``. Students are scored on every ``test<N>_<category>``
split of a CULane-layout dataset with the official F1 (IoU > 0.5, 30-px lines);
the total pools the counts of all categories (``cross`` contributes its false
positives only, as in the CULane paper). Over several seeds each cell is
``mean ± sample standard deviation`` (``cross``: false positives).
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

MODELS = (("none", "baseline"), ("sad", "SAD"), ("lgad", "LGAD"))


@dataclass(frozen=True)
class Counts:
    tp: int
    fp: int
    fn: int

    @property
    def f1(self) -> float:
        """F1 in percent; 0 with no true positives (the official tool prints -1 or NaN there)."""
        if self.tp == 0:
            return 0.0
        p, r = self.tp / (self.tp + self.fp), self.tp / (self.tp + self.fn)
        return 100.0 * 2 * p * r / (p + r)

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)


def category_splits(dataset) -> list[str]:
    """The dataset's ``test<N>_<category>`` splits, in order; ``["test"]`` when it has none."""
    splits = [s for s in dataset.split_names() if s.startswith("test") and "_" in s]
    return splits or (["test"] if "test" in dataset.split_names() else [])


def score_splits(
    predictor, dataset, splits: Sequence[str], *, batch_size: int = 16
) -> dict[str, Counts]:
    """TP/FP/FN of ``predictor`` on each split, plus ``"total"`` (the pooled counts)."""
    from lgad_studio.core.metrics import evaluate_culane

    scores: dict[str, Counts] = {}
    for split in splits:
        entries = dataset.entries(split)
        pairs = []
        size = None
        for start in range(0, len(entries), batch_size):
            chunk = entries[start : start + batch_size]
            images = [dataset.read_image(e) for e in chunk]
            for entry, image, pred in zip(
                chunk, images, predictor.predict_batch(images), strict=True
            ):
                size = size or (image.shape[1], image.shape[0])
                gt = [np.asarray(ln.points) for ln in dataset.read_lanes(entry)]
                pairs.append((gt, [np.asarray(ln.points) for ln in pred.lanes]))
        result = evaluate_culane(pairs, image_size=size or (1640, 590))
        scores[split] = Counts(int(result.tp), int(result.fp), int(result.fn))
    total = Counts(0, 0, 0)
    for counts in scores.values():
        total = total + counts
    scores["total"] = total
    return scores


def _cell(values: list[float], digits: int) -> str:
    mean = statistics.fmean(values)
    if len(values) < 2:
        return f"{mean:.{digits}f}"
    return f"{mean:.{digits}f} ± {statistics.stdev(values):.{digits}f}"


def format_table(results: dict[str, list[dict[str, Counts]]]) -> str:
    """A Markdown table: one row per category and the total, one column per model.

    ``results`` maps a model name to one ``{split: Counts}`` per seed.
    """
    names = list(results)
    splits = list(next(iter(results.values()))[0])
    header = "| category | " + " | ".join(names) + " |"
    lines = [header, "|" + "---|" * (len(names) + 1)]
    for split in splits:
        label = split.split("_", 1)[1] if "_" in split else split
        cross = label == "cross"
        cells = []
        for name in names:
            runs = [r[split] for r in results[name]]
            values = [float(c.fp) for c in runs] if cross else [c.f1 for c in runs]
            cells.append(_cell(values, 0 if cross else 1))
        label = "cross (FP)" if cross else ("**total**" if split == "total" else label)
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
