"""Fixtures of the engine tests: a tiny synthetic CULane root and fast configs."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import torch

sys.path.insert(0, str(Path(__file__).parent))
from synthetic import write_synthetic_culane  # noqa: E402

from lgad_studio.core.training import StudentConfig, TeacherConfig  # noqa: E402

torch.set_num_threads(1)

FAST = {
    "width": 0.25,
    "input_size": (64, 24),
    "batch_size": 4,
    "threads": 1,
    "device": "cpu",
    "preview_interval_s": 0.0,
}


@pytest.fixture(scope="session")
def culane_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_synthetic_culane(tmp_path_factory.mktemp("syn") / "culane", train=8, val=4, test=4)


@pytest.fixture
def teacher_config(culane_root: Path, tmp_path: Path) -> TeacherConfig:
    return TeacherConfig(
        data=str(culane_root), out=str(tmp_path / "teacher"), epochs=1, val_limit=0, **FAST
    )


@pytest.fixture(scope="session")
def teacher_checkpoint(culane_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from lgad_studio.core.training import train_teacher

    out = tmp_path_factory.mktemp("teacher")
    config = TeacherConfig(data=str(culane_root), out=str(out), epochs=1, val_limit=0, **FAST)
    for _ in train_teacher(config):
        pass
    return out / "last.pt"


@pytest.fixture
def student_config(culane_root: Path, tmp_path: Path, teacher_checkpoint: Path) -> StudentConfig:
    return StudentConfig(
        data=str(culane_root), out=str(tmp_path / "student"), epochs=1, val_limit=0,
        teacher=str(teacher_checkpoint), **FAST,
    )  # fmt: skip


@pytest.fixture(scope="session")
def student_checkpoint(culane_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from lgad_studio.core.training import distill

    out = tmp_path_factory.mktemp("student")
    config = StudentConfig(
        data=str(culane_root), out=str(out), mode="none", epochs=1, val_limit=0, **FAST
    )
    for _ in distill(config):
        pass
    return out / "last.pt"
