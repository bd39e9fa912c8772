"""The Evaluate tab's job, headless: several checkpoints over a split, in bounded memory.

``evaluate_checkpoints(...)`` is a generator of :class:`Progress` events (at most
about ten a second, whatever the number of images) whose return value is an
:class:`~.result.EvaluationResult`. It drives :func:`~.scoring.score_entries`
and keeps only the per-image counts and lanes; lane probability maps go into a
byte-budgeted :class:`~.store.ProbMapStore` (the most recent ones stay).
``lgad-studio evaluate checkpoints`` runs the same job and saves the result.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from lgad_studio.core.evaluation.packed import PackedLanesBuilder
from lgad_studio.core.evaluation.result import (
    UNCATEGORISED,
    CheckpointInfo,
    EvaluationResult,
)
from lgad_studio.core.evaluation.scoring import score_entries
from lgad_studio.core.evaluation.store import DEFAULT_BUDGET_BYTES, ProbMapStore
from lgad_studio.core.events import Progress
from lgad_studio.core.run_kinds import checkpoint_label

PROGRESS_INTERVAL_S = 0.1


class CancelFlag(Protocol):
    """A ``threading.Event`` as the job runner passes it (only ``is_set`` is used)."""

    def is_set(self) -> bool: ...


def load_students(checkpoints: Sequence[str | Path], *, device: str = "auto") -> list:
    """Predictors of student checkpoints (``.pt``) or their ONNX exports (``.onnx``), in order."""
    from lgad_studio.core.predictors import load_predictor

    return [load_predictor(p, device=device) for p in checkpoints]


def checkpoint_info(predictor, path: str | Path) -> CheckpointInfo:
    ckpt = getattr(predictor, "checkpoint", None)
    config = dict(ckpt.config) if ckpt is not None else {}
    if ckpt is None and Path(path).suffix.lower() == ".onnx":
        config = {"mode": "onnx"}
    label, mode = checkpoint_label(Path(path), config)
    return CheckpointInfo(Path(path), label, mode, config, tuple(predictor.input_size))


def evaluate_checkpoints(
    dataset_root: str | Path,
    split: str,
    checkpoints: Sequence[str | Path],
    *,
    cancel: CancelFlag | None = None,
    batch_size: int = 8,
    device: str = "auto",
    limit: int | None = None,
    dataset=None,
    predictors: Sequence[object] | None = None,
    store: ProbMapStore | None = None,
    prob_budget_bytes: int = DEFAULT_BUDGET_BYTES,
    threads: int | None = None,
) -> Iterator[Progress]:
    """Predict ``split`` with each checkpoint and score it; returns an :class:`EvaluationResult`.

    ``predictors`` (one per checkpoint, already loaded) replace loading the files;
    ``dataset`` replaces opening ``dataset_root``. Stops before the next batch
    when ``cancel`` is set; the result then holds the images done so far.
    """
    if not checkpoints:
        raise ValueError("pick at least one checkpoint to evaluate")
    if dataset is None:
        from lgad_studio.core.formats.dataset import open_dataset

        dataset = open_dataset(dataset_root)
    entries = list(dataset.entries(split))[: limit if limit else None]
    if predictors is None:
        predictors = load_students(checkpoints, device=device)
    infos = [checkpoint_info(p, path) for p, path in zip(predictors, checkpoints, strict=True)]
    store = store if store is not None else ProbMapStore(prob_budget_bytes)
    total = len(entries)
    counts = [np.zeros((total, 3), np.int32) for _ in predictors]
    lanes = [PackedLanesBuilder() for _ in predictors]
    sizes = np.zeros((total, 2), np.int32)
    done: list[str] = []
    yield Progress(0, total, f"{split}: {total} images × {len(predictors)} checkpoints")
    last = time.monotonic()
    for image in score_entries(
        predictors, dataset, entries, batch_size=batch_size, cancel=cancel, threads=threads
    ):
        i = image.index
        sizes[i] = image.image_size
        for k, (prediction, result) in enumerate(
            zip(image.predictions, image.results, strict=True)
        ):
            counts[k][i] = result.counts
            lanes[k].append(prediction.lanes)
            store.put((k, image.entry), prediction.lane_probability())
        done.append(image.entry)
        now = time.monotonic()
        if now - last >= PROGRESS_INTERVAL_S or len(done) == total:
            last = now
            yield Progress(len(done), total, image.entry)
    n = len(done)
    result = EvaluationResult(
        dataset_root=dataset_root,
        split=split,
        entries=done,
        categories=[dataset.category(e) or UNCATEGORISED for e in done],
        image_sizes=sizes[:n],
        infos=infos,
        counts=[c[:n] for c in counts],
        lanes=[b.build() for b in lanes],
        store=store,
        dataset=dataset,
    )
    result.index_of("")  # build the entry index in the job's thread, not the window's
    return result
