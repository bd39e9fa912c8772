"""Hand-made checkpoints and labels for the evaluation tests: what is detected is known.

A *constant* student has zero weights in its last segmentation layer and its
existence head, so its probability map and existence do not depend on the
image: every image of one size gets the same lanes. :func:`plant_truths` then
writes ground truth around those lanes, so that each entry point has true
positives, false positives and misses to agree on (including a 1-point lane,
which the official rule counts as a miss).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from lgad_studio.core.checkpoint import save_checkpoint
from lgad_studio.core.formats.culane_lines import write_lines_txt
from lgad_studio.core.models import build_model
from lgad_studio.core.training.config import StudentConfig


def constant_student(
    path: Path,
    *,
    input_size: tuple[int, int] = (64, 24),
    seg_bias: tuple[float, ...] = (0.0, 6.0, 6.0, 0.0, 0.0),
    exist_bias: tuple[float, ...] = (8.0, 8.0, -8.0, -8.0),
    seed: int = 0,
) -> Path:
    """A student checkpoint whose outputs ignore the image (slots 1 and 2 always found)."""
    torch.manual_seed(seed)
    model = build_model("enet", in_channels=3, width=0.25)
    with torch.no_grad():
        model.decoder.full_conv.weight.zero_()
        model.decoder.full_conv.bias.copy_(torch.tensor(seg_bias))
        model.exist_head.fc[2].weight.zero_()
        model.exist_head.fc[2].bias.copy_(torch.tensor(exist_bias))
    config = StudentConfig(input_size=input_size, width=0.25, mode="none")
    return save_checkpoint(
        path,
        {
            "kind": "student", "arch": "enet", "in_channels": 3, "width": 0.25,
            "num_classes": 5, "input_size": list(input_size), "model": model.state_dict(),
            "optimizer": {}, "scheduler": {}, "epoch": 1, "step": 1,
            "config": config.to_dict(), "metrics": {},
        },
    )  # fmt: skip


def plant_truths(dataset, entries: list[str], predicted: list[np.ndarray]) -> None:
    """Rewrite the ground truth of ``entries`` (a CULane-layout dataset) around the lanes
    the constant student predicts (``predicted``, the same for every image):

    entry 0: one predicted lane exactly (TP), a lane 300 px away (FN), a 1-point lane (FN);
    entry 1: the predicted lanes moved 300 px (no TP: every prediction FP, every lane FN);
    entry 2: no lanes (the predictions are FPs); the others keep their demo labels.
    """
    far = [p + np.array([300.0, 0.0]) for p in predicted]
    plans = {
        0: [predicted[0], far[0], np.array([[820.0, 400.0]])],
        1: far,
        2: [],
    }
    for k, lanes in plans.items():
        write_lines_txt(dataset.lines_path(entries[k]), [np.asarray(p) for p in lanes])
