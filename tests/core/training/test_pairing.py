"""Paired runs: every mode of one seed starts from the same weights and sees the same batches.

With lambda = 0 an LGAD or SAD student is bit-identical to the baseline (losses at
every step and final weights); with lambda > 0 the first step is still identical
(same initial weights, batch, augmentation and dropout) and the runs then part.
"""

from __future__ import annotations

import pytest
import torch

from lgad_studio.core.checkpoint import load_checkpoint
from lgad_studio.core.events import Finished, StepMetrics
from lgad_studio.core.training import StudentConfig, distill
from lgad_studio.core.training import loop as loop_module


@pytest.fixture(autouse=True)
def every_step_emits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loop_module, "STEP_EVENT_INTERVAL_S", 0.0)


def _run(config: StudentConfig) -> tuple[list[dict[str, float]], dict[str, torch.Tensor]]:
    events = list(distill(config))
    losses = [e.losses for e in events if isinstance(e, StepMetrics)]
    finished = events[-1]
    assert isinstance(finished, Finished)
    return losses, load_checkpoint(finished.last_checkpoint).data["model"]


def _same_weights(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def test_lambda_zero_students_are_bit_identical_to_the_baseline(
    student_config: StudentConfig,
) -> None:
    common = {"epochs": 2, "at_start_epoch": 0.0, "at_ramp_epochs": 0.0, "seed": 5}
    base_losses, base_weights = _run(
        student_config.replace(mode="none", out=student_config.out + "-none", **common)
    )
    assert len(base_losses) == 4  # 2 epochs of 2 steps: every step was compared
    for mode in ("lgad", "sad"):
        losses, weights = _run(
            student_config.replace(
                mode=mode, at_weight=0.0, out=student_config.out + f"-{mode}", **common
            )
        )
        for step, (ours, theirs) in enumerate(zip(losses, base_losses, strict=True), start=1):
            for name in ("loss", "seg", "exist"):
                assert ours[name] == theirs[name], f"{mode} step {step} {name}"
        assert _same_weights(weights, base_weights), mode


def test_lambda_positive_starts_paired_then_parts(student_config: StudentConfig) -> None:
    common = {"epochs": 1, "at_start_epoch": 0.0, "at_ramp_epochs": 0.0, "seed": 5}
    base_losses, base_weights = _run(
        student_config.replace(mode="none", out=student_config.out + "-none", **common)
    )
    lgad_losses, lgad_weights = _run(
        student_config.replace(
            mode="lgad", at_weight=1.0, out=student_config.out + "-lgad", **common
        )
    )
    # same weights and batch at step 1: the task losses agree, the total adds lambda * at
    assert lgad_losses[0]["seg"] == base_losses[0]["seg"]
    assert lgad_losses[0]["exist"] == base_losses[0]["exist"]
    assert lgad_losses[0]["at"] > 0 and lgad_losses[0]["loss"] > base_losses[0]["loss"]
    assert lgad_losses[1]["seg"] != base_losses[1]["seg"]
    assert not _same_weights(lgad_weights, base_weights)


def test_seeds_change_initial_weights_and_order(student_config: StudentConfig) -> None:
    a, _ = _run(student_config.replace(mode="none", seed=1, out=student_config.out + "-a"))
    b, _ = _run(student_config.replace(mode="none", seed=2, out=student_config.out + "-b"))
    assert a[0]["seg"] != b[0]["seg"]
