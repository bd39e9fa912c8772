"""Validation during training: decode the network's output to lanes and score CULane F1.

For each validation sample the network's ``[5, H, W]`` softmax map and ``[4]``
existence probabilities are decoded to lanes in the original image frame
(METHOD.md section 5, :func:`lgad_studio.core.decode.decode_prob_map`) and
compared with the entry's ground-truth lanes by the official CULane protocol
(:func:`lgad_studio.core.metrics.evaluate_culane`, 30-px lines, IoU > 0.5).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from torch import Tensor

from lgad_studio.core.training.data import LaneSamples


def collate(items: list[dict]) -> dict[str, Tensor]:
    """Stack :class:`LaneSamples` items into a CPU batch (what the DataLoader does)."""
    keys = ("image", "label", "exist", "jitter")
    return {k: torch.stack([it[k] for it in items]) for k in keys if k in items[0]}


@torch.no_grad()
def predict_batches(
    model: torch.nn.Module,
    samples: LaneSamples,
    model_input: Callable[[dict[str, Tensor]], Tensor],
    *,
    device: torch.device,
    batch_size: int = 16,
):
    """Yield ``(index, prob float32 [5, H', W'], exist float32 [4])`` for every sample.

    ``prob`` is resized for decoding (:func:`~lgad_studio.core.inference.decode_map`).
    """
    from lgad_studio.core.inference import decode_map
    from lgad_studio.core.training.data import prepare_batch

    was_training = model.training
    model.eval()
    try:
        for start in range(0, len(samples), batch_size):
            idx = list(range(start, min(start + batch_size, len(samples))))
            batch = prepare_batch(collate([samples[i] for i in idx]), device)
            out = model(model_input(batch))
            prob = decode_map(torch.softmax(out.seg.float(), dim=1)).cpu().numpy()
            exist = torch.sigmoid(out.exist.float()).cpu().numpy()
            for j, i in enumerate(idx):
                yield i, prob[j], exist[j]
    finally:
        model.train(was_training)


def validation_counts(
    model: torch.nn.Module,
    samples: LaneSamples,
    model_input: Callable[[dict[str, Tensor]], Tensor],
    *,
    device: torch.device,
    batch_size: int = 16,
) -> dict[str, float]:
    """Summable counts over ``samples``: ``tp``, ``fp``, ``fn``, ``exist_hits``, ``exist_total``.

    Sums of these over disjoint shards equal the counts of the whole set, so DDP
    ranks can each score a shard and all-reduce.
    """
    from lgad_studio.core.decode import decode_prob_map
    from lgad_studio.core.metrics import evaluate_culane

    pairs = []
    exist_hits = exist_total = 0
    image_size = None
    for i, prob, exist in predict_batches(
        model, samples, model_input, device=device, batch_size=batch_size
    ):
        size = samples.original_size(i)
        image_size = image_size or size
        lanes = samples.dataset.read_lanes(samples.entries[i])
        gt = [np.asarray(ln.points) for ln in lanes]
        det = [pts for _slot, pts in decode_prob_map(prob, exist, image_size=size)]
        pairs.append((gt, det))
        truth = np.array(lanes.existence(), dtype=bool)
        exist_hits += int(((exist > 0.5) == truth).sum())
        exist_total += 4
    counts = {"tp": 0.0, "fp": 0.0, "fn": 0.0}
    if pairs:
        result = evaluate_culane(pairs, image_size=image_size or (1640, 590))
        counts = {"tp": float(result.tp), "fp": float(result.fp), "fn": float(result.fn)}
    return {**counts, "exist_hits": float(exist_hits), "exist_total": float(exist_total)}


def scores_from_counts(counts: dict[str, float]) -> dict[str, float]:
    """``{"f1", "precision", "recall", "tp", "fp", "fn", "exist_acc"}`` from pooled counts.

    For training curves a score with an empty denominator (nothing detected) is 0.
    """
    tp, fp, fn = counts["tp"], counts["fp"], counts["fn"]
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "f1": f1, "precision": precision, "recall": recall, "tp": tp, "fp": fp, "fn": fn,
        "exist_acc": counts["exist_hits"] / max(counts["exist_total"], 1.0),
    }  # fmt: skip


def validate(
    model: torch.nn.Module,
    samples: LaneSamples,
    model_input: Callable[[dict[str, Tensor]], Tensor],
    *,
    device: torch.device,
    batch_size: int = 16,
) -> dict[str, float]:
    """``{"f1", "precision", "recall", "tp", "fp", "fn", "exist_acc"}`` over ``samples``."""
    counts = validation_counts(model, samples, model_input, device=device, batch_size=batch_size)
    return scores_from_counts(counts)
