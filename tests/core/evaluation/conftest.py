"""Fixtures of the evaluation tests: a small demo dataset, a constant and a trained student."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
import torch

sys.path.insert(0, str(Path(__file__).parent))
from models import constant_student  # noqa: E402

torch.set_num_threads(1)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo dataset in CULane layout: 4 train, 3 val and 9 test images (one per category)."""
    from lgad_studio.core.demo.dataset import generate_demo_dataset

    root = tmp_path_factory.mktemp("evaldemo") / "culane"
    generate_demo_dataset(root, train=4, val=3, test=9, seed=11)
    return root


@pytest.fixture
def demo_root(demo_template: Path, tmp_path: Path) -> Path:
    """This test's own writable copy of the demo dataset."""
    return Path(shutil.copytree(demo_template, tmp_path / "demo"))


@pytest.fixture(scope="session")
def constant_checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return constant_student(tmp_path_factory.mktemp("constant") / "student.pt")
