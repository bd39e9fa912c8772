"""Typed events yielded by the training and evaluation generators.

The CLI prints them, the tests assert on them and the GUI's job runner forwards
them as Qt signals. They carry only plain Python values and small CPU numpy
arrays (never tensors), so they can cross threads safely.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class StepMetrics:
    """One optimisation step: named losses (``loss``, ``seg``, ``exist``, ``at``, ...)."""

    step: int  # global step, from 1
    epoch: int  # from 1
    total_steps: int
    losses: dict[str, float]
    lr: float
    images_per_s: float
    loader_share: float = 0.0  # share of the wall time since the last event spent waiting for data


@dataclass(frozen=True)
class EpochEnd:
    """End of an epoch with its validation metrics (``f1``, ``precision``, ``recall``, ...)."""

    epoch: int
    total_epochs: int
    metrics: dict[str, float]


@dataclass(frozen=True)
class CheckpointWritten:
    path: Path
    epoch: int
    is_best: bool = False


@dataclass(frozen=True)
class Preview:
    """Attention maps of one validation image for display, at most a couple per second.

    ``image`` is ``uint8 [H, W, 3]`` RGB at the network input size; ``attention``
    maps a row name (``"teacher"``, ``"student"``) to one ``float32 [h, w]`` map per
    stage, in ``stages`` order, each normalised to [0, 1] for display.
    """

    step: int
    image: np.ndarray
    stages: tuple[str, ...]
    attention: dict[str, list[np.ndarray]] = field(default_factory=dict)


@dataclass(frozen=True)
class Finished:
    """The run ended: normally (``cancelled=False``) or because the cancel flag was set."""

    run_dir: Path
    last_checkpoint: Path | None
    best_checkpoint: Path | None
    metrics: dict[str, float]
    cancelled: bool = False


@dataclass(frozen=True)
class Progress:
    """Progress of a non-training job (evaluation, prediction, data generation)."""

    done: int
    total: int
    message: str = ""


Event = StepMetrics | EpochEnd | CheckpointWritten | Preview | Finished | Progress
