"""Fixtures of the review tests: a tiny real student checkpoint (two steps, seconds on CPU)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch


@pytest.fixture(scope="session")
def student_checkpoint(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A baseline student trained for two steps at 64x24 on the tiny demo."""
    from lgad_studio.core.training import StudentConfig, distill

    torch.set_num_threads(1)
    out = tmp_path_factory.mktemp("review-student")
    config = StudentConfig(
        data=str(demo_template), out=str(out), mode="none", width=0.25, input_size=(64, 24),
        batch_size=2, epochs=1, steps_per_epoch=2, val_limit=0, threads=1, device="cpu",
        preview_interval_s=0.0,
    )  # fmt: skip
    finished = list(distill(config))[-1]
    return finished.last_checkpoint
