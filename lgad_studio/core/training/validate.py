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
    return {
        "image": torch.stack([it["image"] for it in items]),
        "label": torch.stack([it["label"] for it in items]),
        "exist": torch.stack([it["exist"] for it in items]),
    }


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

    was_training = model.training
    model.eval()
    try:
        for start in range(0, len(samples), batch_size):
            idx = list(range(start, min(start + batch_size, len(samples))))
            batch = {k: v.to(device) for k, v in collate([samples[i] for i in idx]).items()}
            out = model(model_input(batch))
            prob = decode_map(torch.softmax(out.seg.float(), dim=1)).cpu().numpy()
            exist = torch.sigmoid(out.exist.float()).cpu().numpy()
            for j, i in enumerate(idx):
                yield i, prob[j], exist[j]
    finally:
        model.train(was_training)


def validate(
    model: torch.nn.Module,
    samples: LaneSamples,
    model_input: Callable[[dict[str, Tensor]], Tensor],
    *,
    device: torch.device,
    batch_size: int = 16,
) -> dict[str, float]:
    """``{"f1", "precision", "recall", "tp", "fp", "fn", "exist_acc"}`` over ``samples``."""
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
        entry = samples.entries[i]
        gt = [np.asarray(ln.points) for ln in samples.dataset.read_lanes(entry) if len(ln) >= 2]
        det = [pts for _slot, pts in decode_prob_map(prob, exist, image_size=size)]
        pairs.append((gt, det))
        truth = np.array(samples.dataset.read_lanes(entry).existence(), dtype=bool)
        exist_hits += int(((exist > 0.5) == truth).sum())
        exist_total += 4
    result = evaluate_culane(pairs, image_size=image_size or (1640, 590))
    # The official tool reports -1 when nothing is detected; for training curves that is 0.
    return {
        "f1": max(float(result.f1), 0.0),
        "precision": max(float(result.precision), 0.0),
        "recall": max(float(result.recall), 0.0),
        "tp": float(result.tp),
        "fp": float(result.fp),
        "fn": float(result.fn),
        "exist_acc": exist_hits / max(exist_total, 1),
    }
