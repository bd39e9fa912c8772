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
