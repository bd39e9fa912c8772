"""Fixtures of the experiment tests: the engine tests' tiny synthetic CULane root."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import torch

sys.path.insert(0, str(Path(__file__).parents[1] / "training"))
from synthetic import write_synthetic_culane  # noqa: E402

torch.set_num_threads(1)


@pytest.fixture(scope="session")
def culane_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_synthetic_culane(tmp_path_factory.mktemp("syn") / "culane", train=8, val=4, test=4)
