"""Validation during training: the core evaluation path on exactly the entries given.

:func:`validate` wraps the network being trained in a predictor (a student is
fed the image; a teacher the label map of the image's ground truth, drawn by
:mod:`lgad_studio.core.label_input` like its training input) and runs
:func:`lgad_studio.core.evaluation.score_entries` over the ``entries``: the
official CULane rule, the same counts as ``lgad-studio predict`` and the
Evaluate tab. It returns raw :class:`ValidationCounts`, which add up (shards of
a DDP run are all-reduced via :meth:`ValidationCounts.as_dict`);
:meth:`ValidationCounts.metrics` turns pooled counts into scores with the one
convention of :func:`lgad_studio.core.metrics.scores.precision_recall_f1`
(-1 for an empty denominator; the display decides how to show it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import astuple, dataclass, fields

import numpy as np
import torch
from torch import Tensor

from lgad_studio.core.metrics.scores import precision_recall_f1


def collate(items: list[dict]) -> dict[str, Tensor]:
    """Stack :class:`LaneSamples` items into a CPU batch (what the DataLoader does)."""
    keys = ("image", "label", "exist", "jitter")
    return {k: torch.stack([it[k] for it in items]) for k in keys if k in items[0]}


@dataclass(frozen=True)
class ValidationCounts:
    """Raw validation counts of some images; ``a + b`` pools two shards."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    exist_correct: int = 0  # slot existence flags predicted right (exist > 0.5 vs ground truth)
    exist_total: int = 0
    images: int = 0

    def __add__(self, other: ValidationCounts) -> ValidationCounts:
        return ValidationCounts(
            *(a + b for a, b in zip(astuple(self), astuple(other), strict=True))
        )

    def as_dict(self) -> dict[str, float]:
        """``{field: count}`` (e.g. for ``distributed.all_reduce_sums``)."""
        return {f.name: float(getattr(self, f.name)) for f in fields(self)}

    @classmethod
    def from_dict(cls, values: Mapping[str, float]) -> ValidationCounts:
        """Counts back from :meth:`as_dict` (summed floats are rounded to integers)."""
        missing = [f.name for f in fields(cls) if f.name not in values]
        if missing:
            raise ValueError(f"counts lack {missing}")
        return cls(**{f.name: int(round(float(values[f.name]))) for f in fields(cls)})

    def metrics(self) -> dict[str, float]:
        """``{"f1", "precision", "recall", "tp", "fp", "fn", "exist_acc"}`` (-1: undefined)."""
        precision, recall, f1 = precision_recall_f1(self.tp, self.fp, self.fn)
        return {
            "f1": f1,
            "precision": precision,
            "recall": recall,
            "tp": float(self.tp),
            "fp": float(self.fp),
            "fn": float(self.fn),
            "exist_acc": self.exist_correct / self.exist_total if self.exist_total else -1.0,
        }


def validation_predictor(
    model: torch.nn.Module,
    *,
    input_size: tuple[int, int],
    teacher_encoding: str | None = None,
    line_width: float | None = None,
    device: torch.device | None = None,
):
    """The predictor validation runs: a student, or (``teacher_encoding``) a label-map teacher."""
    from lgad_studio.core.inference import LanePredictor, TeacherPredictor

    if teacher_encoding is None:
        return LanePredictor.from_model(model, input_size=tuple(input_size), device=device)
    return TeacherPredictor(
        model,
        input_size=tuple(input_size),
        encoding=teacher_encoding,
        line_width=line_width,
        device=device,
    )


def validate(
    model: torch.nn.Module,
    dataset,
    *,
    entries: Sequence[str],
    input_size: tuple[int, int],
    teacher_encoding: str | None = None,
    line_width: float | None = None,
    device: torch.device | None = None,
    batch_size: int = 16,
    threads: int | None = None,
) -> ValidationCounts:
    """Counts of ``model`` on exactly ``entries`` of ``dataset`` (in eval mode, mode restored).

    Args:
        model: the network being trained (``LaneNet``, not the DDP wrapper).
        input_size: the network input ``(W, H)``.
        teacher_encoding: the teacher's label encoding; ``None`` for a student.
        line_width: a teacher's label line width in original-image pixels (default
            :data:`lgad_studio.core.label_input.DEFAULT_LABEL_LINE_WIDTH`).
        threads: the thread budget (default: torch's setting, see :mod:`lgad_studio.core.cpu`).
    """
    from lgad_studio.core.evaluation import score_entries

    predictor = validation_predictor(
        model,
        input_size=input_size,
        teacher_encoding=teacher_encoding,
        line_width=line_width,
        device=device,
    )
    tp = fp = fn = correct = images = 0
    for image in score_entries(
        [predictor], dataset, entries, batch_size=batch_size, threads=threads
    ):
        a, b, c = image.counts()
        tp, fp, fn = tp + a, fp + b, fn + c
        truth = np.array(dataset.read_lanes(image.entry).existence(), dtype=bool)
        correct += int(((image.predictions[0].exist > 0.5) == truth).sum())
        images += 1
    return ValidationCounts(tp, fp, fn, correct, 4 * images, images)
