"""Baseline vs SAD vs LGAD on one dataset: per-category test counts and the Markdown table.

Used by ``lgad-studio demo``. Students are scored on every ``test<N>_<category>``
split of a CULane-layout dataset by the core evaluation path
(:func:`lgad_studio.core.evaluation.score_entries`: official F1, IoU > 0.5,
30-px lines, every annotated lane counted), each image once; the total pools
the counts of all categories (``cross`` contributes its false positives only,
as in the CULane paper). Scores follow the one convention of
:func:`lgad_studio.core.metrics.scores.precision_recall_f1` (fractions, -1 for an
empty denominator); the table shows percentages and a dash for -1. Over several
seeds each cell is ``mean ± sample standard deviation`` (``cross``: false positives).
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from lgad_studio.core.metrics.scores import Scores

MODELS = (("none", "baseline"), ("sad", "SAD"), ("lgad", "LGAD"))


@dataclass(frozen=True)
class Counts(Scores):
    """Pooled TP/FP/FN of a split; ``precision``/``recall``/``f1`` as fractions, -1 undefined."""

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)


def category_splits(dataset) -> list[str]:
    """The dataset's ``test<N>_<category>`` splits, in order; ``["test"]`` when it has none."""
    splits = [s for s in dataset.split_names() if s.startswith("test") and "_" in s]
    return splits or (["test"] if "test" in dataset.split_names() else [])


def score_splits(
    predictor, dataset, splits: Sequence[str], *, batch_size: int = 16, threads: int | None = None
) -> dict[str, Counts]:
    """TP/FP/FN of ``predictor`` on each split, plus ``"total"`` (the pooled counts)."""
    from lgad_studio.core.evaluation import score_entries

    members = {split: dataset.entries(split) for split in splits}
    unique = list(dict.fromkeys(e for entries in members.values() for e in entries))
    per_image = {
        image.entry: image.counts()
        for image in score_entries(
            [predictor], dataset, unique, batch_size=batch_size, threads=threads
        )
    }
    scores: dict[str, Counts] = {}
    for split, entries in members.items():
        tp, fp, fn = (sum(per_image[e][k] for e in entries) for k in range(3))
        scores[split] = Counts(tp, fp, fn)
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
            if cross:
                cells.append(_cell([float(c.fp) for c in runs], 0))
            elif any(c.f1 < 0 for c in runs):
                cells.append("–")  # a run with an undefined F1 (no detections or no lanes)
            else:
                cells.append(_cell([100.0 * c.f1 for c in runs], 1))
        label = "cross (FP)" if cross else ("**total**" if split == "total" else label)
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
