"""A tiny demo dataset and tiny real checkpoints for the Train / Evaluate / attention tests.

The dataset (8 train, 2 val, 9 test images: one per CULane category) and the
checkpoints (teacher, LGAD, baseline and SAD students at 64x24, width 0.25, two
steps each) are made once per session under pytest's base folder, so every test
module reuses the same files. Tests only read them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

FAST = {
    "width": 0.25,
    "input_size": (64, 24),
    "batch_size": 4,
    "epochs": 1,
    "steps_per_epoch": 2,
    "val_limit": 0,
    "threads": 1,
    "device": "cpu",
    "preview_interval_s": 0.0,
}
MODES = ("lgad", "none", "sad")


def tiny_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo dataset in CULane layout (read-only for the tests)."""
    from lgad_studio.core.demo.dataset import generate_demo_dataset

    root = tmp_path_factory.getbasetemp() / "trainui_demo"
    if not (root / "list" / "test.txt").is_file():
        generate_demo_dataset(root, train=8, val=2, test=9, seed=5)
    return root


def tiny_checkpoints(tmp_path_factory: pytest.TempPathFactory, data_root: Path) -> dict[str, Path]:
    """``{"teacher" | "lgad" | "none" | "sad": last.pt}``, trained on first use."""
    from lgad_studio.core.training import StudentConfig, TeacherConfig, distill, train_teacher

    torch.set_num_threads(1)
    runs = tmp_path_factory.getbasetemp() / "trainui_runs"
    paths = {"teacher": runs / "teacher" / "last.pt"}
    paths.update({mode: runs / mode / "last.pt" for mode in MODES})
    if all(p.is_file() for p in paths.values()):
        return paths
    for _ in train_teacher(TeacherConfig(data=str(data_root), out=str(runs / "teacher"), **FAST)):
        pass
    for mode in MODES:
        teacher = str(paths["teacher"]) if mode == "lgad" else None
        config = StudentConfig(
            data=str(data_root), out=str(runs / mode), mode=mode, teacher=teacher, **FAST
        )
        for _ in distill(config):
            pass
    return paths


def click(qtbot, button) -> None:
    """A left click on an enabled button (a disabled one fails the test, naming it)."""
    from PySide6.QtCore import Qt

    assert button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
