"""The evaluation job (no Qt): predict a split with several checkpoints and score every image.

``evaluate_checkpoints(...)`` is a generator of :class:`Progress` events whose
return value is an :class:`EvaluationResult`. Each image is read once and run
through every checkpoint's :class:`LanePredictor`; each (ground truth,
prediction) pair is scored by :func:`lgad_studio.core.metrics.culane.evaluate_image`
in the image's own frame, so pooling the per-image results with
:meth:`CulaneResult.pool` is exactly the metric's own output.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np

from lgad_studio.core.events import Progress
from lgad_studio.core.formats.culane_lists import TEST_CATEGORIES
from lgad_studio.core.metrics.culane import CulaneResult, ImageResult, evaluate_image
from lgad_studio.core.metrics.scores import precision_recall_f1
from lgad_studio.gui.train.runs import KIND_LABELS

TOTAL = "total"
UNCATEGORISED = "all"


class CancelFlag(Protocol):
    """A ``threading.Event`` as the job runner passes it (only ``is_set`` is used)."""

    def is_set(self) -> bool: ...


@dataclass(frozen=True, eq=False)
class ImageEvaluation:
    """One image under one checkpoint; ``lane_prob`` is ``uint8 [h, w]`` (max over slots 1-4)."""

    entry: str
    category: str
    result: ImageResult
    lane_prob: np.ndarray

    @property
    def f1(self) -> float:
        return precision_recall_f1(*self.result.counts)[2]


@dataclass(frozen=True, eq=False)
class CheckpointEvaluation:
    checkpoint: Path
    label: str  # "LGAD student · 20260101-120000-lgad"
    mode: str  # lgad | sad | none
    config: dict
    images: tuple[ImageEvaluation, ...]

    def by_category(self) -> dict[str, CulaneResult]:
        """Pooled scores per category, in CULane order, then ``total`` over all images."""
        groups: dict[str, list[ImageResult]] = {}
        for image in self.images:
            groups.setdefault(image.category, []).append(image.result)
        ordered = sorted(groups, key=category_order)
        table = {
            c: CulaneResult.pool(groups[c], iou_threshold=_threshold(groups[c])) for c in ordered
        }
        everything = [i.result for i in self.images]
        table[TOTAL] = CulaneResult.pool(everything, iou_threshold=_threshold(everything))
        return table

    def image(self, entry: str) -> ImageEvaluation | None:
        return next((i for i in self.images if i.entry == entry), None)


@dataclass(frozen=True, eq=False)
class EvaluationResult:
    dataset_root: Path
    split: str
    checkpoints: tuple[CheckpointEvaluation, ...]
    entries: tuple[str, ...] = field(default=())

    def categories(self) -> list[str]:
        names = {i.category for c in self.checkpoints for i in c.images}
        return sorted(names, key=category_order) + [TOTAL]


def category_order(name: str) -> tuple[int, str]:
    return (
        (TEST_CATEGORIES.index(name), name)
        if name in TEST_CATEGORIES
        else (len(TEST_CATEGORIES), name)
    )


def _threshold(results: Sequence[ImageResult]) -> float:
    return results[0].iou_threshold if results else 0.5


def checkpoint_label(path: Path, config: dict) -> tuple[str, str]:
    """``(label, mode)`` of a student checkpoint from its config."""
    mode = str(config.get("mode", "none"))
    return f"{KIND_LABELS.get(mode, mode)} · {path.parent.name}/{path.stem}", mode


def evaluate_checkpoints(
    dataset_root: str | Path,
    split: str,
    checkpoints: Sequence[str | Path],
    *,
    cancel: CancelFlag | None = None,
    batch_size: int = 8,
    device: str = "auto",
    limit: int | None = None,
) -> Iterator[Progress]:
    """Predict ``split`` with each student checkpoint and score it; returns an :class:`EvaluationResult`.

    Stops before the next batch when ``cancel`` is set (the result then holds the
    images done so far).
    """
    from lgad_studio.core.formats.dataset import open_dataset
    from lgad_studio.core.inference import LanePredictor

    if not checkpoints:
        raise ValueError("pick at least one checkpoint to evaluate")
    dataset = open_dataset(dataset_root)
    entries = list(dataset.entries(split))[: limit if limit else None]
    predictors = [LanePredictor.from_checkpoint(p, device=device) for p in checkpoints]
    per_checkpoint: list[list[ImageEvaluation]] = [[] for _ in predictors]
    total = len(entries)
    yield Progress(0, total, f"{split}: {total} images × {len(predictors)} checkpoints")
    for start in range(0, total, batch_size):
        if cancel is not None and cancel.is_set():
            break
        chunk = entries[start : start + batch_size]
        images = [dataset.read_image(e) for e in chunk]
        truths = [dataset.read_lanes(e) for e in chunk]
        for predictor, out in zip(predictors, per_checkpoint, strict=True):
            for entry, image, truth, pred in zip(
                chunk, images, truths, predictor.predict_batch(images), strict=True
            ):
                size = (image.shape[1], image.shape[0])
                result = evaluate_image(
                    [lane.points for lane in truth],
                    [lane.points for lane in pred.lanes],
                    image_size=size,
                    name=entry,
                )
                lane_prob = np.round(pred.prob_map[1:].max(axis=0) * 255.0).astype(np.uint8)
                category = dataset.category(entry) or UNCATEGORISED
                out.append(ImageEvaluation(entry, category, result, lane_prob))
        yield Progress(start + len(chunk), total, chunk[-1])
    evaluations = []
    for predictor, images in zip(predictors, per_checkpoint, strict=True):
        path = Path(predictor.checkpoint.path)
        label, mode = checkpoint_label(path, predictor.checkpoint.config)
        evaluations.append(
            CheckpointEvaluation(path, label, mode, predictor.checkpoint.config, tuple(images))
        )
    done = tuple(i.entry for i in per_checkpoint[0]) if per_checkpoint else ()
    return EvaluationResult(Path(dataset_root), split, tuple(evaluations), done)
