"""The one evaluation path: predictors over dataset entries, one scored image at a time.

:func:`score_entries` reads each image once, runs every predictor on it (any
object with ``input_size`` and ``predict_batch(images)``, see
:mod:`lgad_studio.core.prediction`), and matches each prediction with the
image's ground truth by the official CULane rule
(:func:`lgad_studio.core.metrics.culane.evaluate_images`: 30-px lines on the
image's own canvas, IoU > 0.5; every annotated lane counts, fewer than 2 points
included, see :mod:`.truth`). Validation during training, the experiment
tables, ``lgad-studio predict`` and the studio's Evaluate tab all consume it, so
they report the same TP/FP/FN on the same images.

It is a plain generator of :class:`ScoredImage` (not events): consumers keep
what they need (counts, lanes, files) and drop the rest, so memory does not
grow with the number of images. With a thread budget of 2 or more
(:mod:`lgad_studio.core.cpu`), reading and inference of the next batch run on a
background thread (with one thread fewer for torch) while this thread decodes
and matches the current one.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import nullcontext
from dataclasses import dataclass

import numpy as np

from lgad_studio.core.cpu import resolve_threads, torch_threads
from lgad_studio.core.evaluation.pipeline import prefetched
from lgad_studio.core.evaluation.truth import ground_truth, sample_rows
from lgad_studio.core.metrics.culane import DEFAULT_IOU, ImageResult, evaluate_images
from lgad_studio.core.metrics.culane_raster import DEFAULT_WIDTH
from lgad_studio.core.prediction import Prediction


@dataclass(frozen=True, eq=False)
class ScoredImage:
    """One image under every predictor, in predictor order.

    ``results`` are the official matches (empty when scoring was off); lanes in
    them are ``xy_image`` arrays of the image of ``image_size = (W, H)``.
    """

    index: int  # position in the entries given
    entry: str
    image_size: tuple[int, int]
    predictions: tuple[Prediction, ...]
    results: tuple[ImageResult, ...] = ()

    def counts(self, predictor: int = 0) -> tuple[int, int, int]:
        """``(tp, fp, fn)`` of one predictor on this image."""
        return self.results[predictor].counts


def score_entries(
    predictors: Sequence[object],
    dataset,
    entries: Sequence[str],
    *,
    batch_size: int = 8,
    score: bool = True,
    cancel: threading.Event | None = None,
    threads: int | None = None,
    iou_threshold: float = DEFAULT_IOU,
    width: int = DEFAULT_WIDTH,
) -> Iterator[ScoredImage]:
    """Predict (and with ``score``, match) ``entries`` of ``dataset``, in order.

    Args:
        predictors: objects with ``input_size`` and ``predict_batch`` (checkpoint,
            in-memory or ONNX students; a teacher with ``needs_lanes``).
        dataset: a :class:`~lgad_studio.core.formats.dataset.LaneDataset`.
        entries: the entries to evaluate, exactly these, in this order.
        score: read the ground truth and match (off for unlabelled images).
        cancel: checked before each batch; the generator stops when it is set.
        threads: the thread budget (default :func:`lgad_studio.core.cpu.thread_budget`).
    """
    if not predictors:
        raise ValueError("at least one predictor is needed")
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    entries = list(entries)
    budget = resolve_threads(threads)
    ahead = budget >= 2 and len(entries) > batch_size
    needs_lanes = any(getattr(p, "needs_lanes", False) for p in predictors)

    def batches():
        for start in range(0, len(entries), batch_size):
            if cancel is not None and cancel.is_set():
                return
            chunk = entries[start : start + batch_size]
            images = [dataset.read_image(e) for e in chunk]
            lanes = [dataset.read_lanes(e) for e in chunk] if needs_lanes else None
            rows = [sample_rows(dataset, e) for e in chunk]
            rows = rows if any(r is not None for r in rows) else None
            yield start, chunk, images, [_infer(p, images, lanes, rows) for p in predictors]

    uses_torch = ahead and "torch" in sys.modules
    with torch_threads(budget - 1) if uses_torch else nullcontext():
        for start, chunk, images, outputs in prefetched(batches(), ahead=ahead):
            if cancel is not None and cancel.is_set():
                return
            per_predictor = [_finish(p, out) for p, out in zip(predictors, outputs, strict=True)]
            sizes = [(int(im.shape[1]), int(im.shape[0])) for im in images]
            del images
            matched: list[list[ImageResult]] = [[] for _ in chunk]
            if score:
                truths = [ground_truth(dataset, e) for e in chunk]
                for predictions in per_predictor:
                    scored = _match(chunk, sizes, truths, predictions, iou_threshold, width)
                    for k, result in enumerate(scored):
                        matched[k].append(result)
            for k, entry in enumerate(chunk):
                yield ScoredImage(
                    start + k,
                    entry,
                    sizes[k],
                    tuple(predictions[k] for predictions in per_predictor),
                    tuple(matched[k]),
                )


def _infer(predictor, images, lanes, rows):
    """The first half of prediction: ``("raw", RawBatch)`` when it can be split, else done."""
    kwargs = {}
    if getattr(predictor, "needs_lanes", False):
        kwargs["lanes"] = lanes
    if rows is not None:
        kwargs["rows"] = rows
    if hasattr(predictor, "infer_batch") and hasattr(predictor, "decode_batch"):
        return "raw", predictor.infer_batch(images, **kwargs)
    return "done", predictor.predict_batch(images, **kwargs)


def _finish(predictor, output) -> list[Prediction]:
    kind, value = output
    return list(predictor.decode_batch(value) if kind == "raw" else value)


def _match(
    chunk: Sequence[str],
    sizes: Sequence[tuple[int, int]],
    truths: Sequence[tuple[np.ndarray, ...]],
    predictions: Sequence[Prediction],
    iou_threshold: float,
    width: int,
) -> list[ImageResult]:
    """Official per-image matches; images of one size are prepared in one batch."""
    out: list[ImageResult | None] = [None] * len(chunk)
    for size in dict.fromkeys(sizes):
        which = [k for k, s in enumerate(sizes) if s == size]
        images = [
            (chunk[k], truths[k], [lane.points for lane in predictions[k].lanes]) for k in which
        ]
        results = evaluate_images(images, width=width, iou_threshold=iou_threshold, image_size=size)
        for k, result in zip(which, results, strict=True):
            out[k] = result
    return out  # type: ignore[return-value]
