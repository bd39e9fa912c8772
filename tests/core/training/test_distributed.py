"""DDP: the same train-teacher command under torchrun with 2 CPU processes (gloo)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lgad_studio.core.checkpoint import load_checkpoint


@pytest.mark.slow
def test_torchrun_two_cpu_processes(culane_root: Path, tmp_path: Path) -> None:
    out = tmp_path / "ddp"
    cmd = [
        sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
        "-m", "lgad_studio", "train-teacher", "--data", str(culane_root), "--out", str(out),
        "--epochs", "1", "--batch-size", "2", "--width", "0.25", "--input-size", "64x24",
        "--device", "cpu", "--threads", "1", "--val-limit", "0",
    ]  # fmt: skip
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=240, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    # 8 training images, 2 per batch, 2 ranks: each rank takes 2 steps (sharded, not 4).
    steps = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert max(r["step"] for r in steps if r["type"] == "step") == 2
    ckpt = load_checkpoint(out / "last.pt", kind="teacher")
    assert ckpt.epoch == 1 and not any(k.startswith("module.") for k in ckpt.data["model"])
    assert proc.stdout.count("teacher: ") == 1  # only rank 0 reports


@pytest.mark.slow
def test_sharded_validation_on_two_ranks_equals_one_process(
    culane_root: Path, tmp_path: Path
) -> None:
    sys.path.insert(0, str(Path(__file__).parent))
    import torch
    from ddp_validation_worker import model_for_validation

    from lgad_studio.core.formats.dataset import open_dataset
    from lgad_studio.core.training.validate import validate

    out = tmp_path / "counts.json"
    worker = Path(__file__).with_name("ddp_validation_worker.py")
    cmd = [
        sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
        str(worker), str(culane_root), str(out),
    ]  # fmt: skip
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=240, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    sharded = json.loads(out.read_text())
    dataset = open_dataset(culane_root)
    single = validate(
        model_for_validation(),
        dataset,
        entries=dataset.entries("val"),
        input_size=(64, 24),
        device=torch.device("cpu"),
    ).as_dict()
    assert sharded["shard"] == 2  # 4 validation images, 2 per rank
    assert sharded["counts"] == single
    assert single["fp"] + single["tp"] > 0 and single["exist_total"] == 16
