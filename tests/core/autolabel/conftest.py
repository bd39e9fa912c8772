"""Fixtures of the auto-label tests: a tiny synthetic CULane root and tiny student models.

The students are not trained (tests must run in seconds): their weights are
random with the output biases raised, so that they propose image-dependent lanes
with varied existence, which is all the job, store and review mechanics need.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import torch

sys.path.insert(0, str(Path(__file__).parents[1] / "training"))
from synthetic import write_synthetic_culane  # noqa: E402

from lgad_studio.core.checkpoint import save_checkpoint  # noqa: E402
from lgad_studio.core.models import build_model  # noqa: E402

torch.set_num_threads(1)
INPUT_SIZE = (64, 24)


def make_student(path: Path, *, seed: int = 0, input_size: tuple[int, int] = INPUT_SIZE) -> Path:
    """An untrained ENet x0.25 student checkpoint that proposes lanes."""
    torch.manual_seed(seed)
    model = build_model("enet", width=0.25)
    state = model.state_dict()
    state["decoder.full_conv.weight"] *= 8.0  # spatial variation, so lanes have a position
    state["decoder.full_conv.bias"][:] = torch.tensor([0.0, 2.5, 2.0, 2.3, 1.5])
    state["exist_head.fc.2.weight"] *= 20.0  # existence near 0.5 that varies per image
    return save_checkpoint(
        path,
        {
            "kind": "student", "arch": "enet", "in_channels": 3, "width": 0.25,
            "num_classes": 5, "input_size": list(input_size), "model": state,
            "config": {"type": "StudentConfig"}, "epoch": 0, "metrics": {},
        },
    )  # fmt: skip


@pytest.fixture(scope="session")
def student(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_student(tmp_path_factory.mktemp("student") / "student.pt")


@pytest.fixture(scope="session")
def other_student(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_student(tmp_path_factory.mktemp("other") / "other.pt", seed=1)


@pytest.fixture
def culane(tmp_path: Path) -> Path:
    """A fresh synthetic CULane root per test (tests may delete labels in it)."""
    return write_synthetic_culane(tmp_path / "culane", train=6, val=3, test=4)
