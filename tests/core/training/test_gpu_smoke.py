"""Smoke runs on CUDA: 800x288 with bf16 and fp16 autocast, DDP over NCCL (skipped without a GPU).

Run on a GPU machine: ``pytest -m gpu -s tests/core/training/test_gpu_smoke.py``; the
runs print their images/s and the share of wall time spent waiting for data.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from lgad_studio.core.events import Finished, StepMetrics
from lgad_studio.core.training import StudentConfig, distill

pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device"),
]


@pytest.fixture(scope="module")
def big_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    sys.path.insert(0, str(Path(__file__).parent))
    from synthetic import write_synthetic_culane

    return write_synthetic_culane(tmp_path_factory.mktemp("gpu") / "culane", train=64, val=16)


@pytest.mark.parametrize("dtype", ["bf16", "fp16"])
def test_distill_at_paper_size_with_amp(big_root: Path, tmp_path: Path, dtype: str) -> None:
    config = StudentConfig(
        data=str(big_root), out=str(tmp_path / dtype), mode="none", width=1.0,
        input_size=(800, 288), batch_size=16, epochs=2, device="cuda", amp_dtype=dtype,
        num_workers=4, val_limit=16, preview_interval_s=0.0,
    )  # fmt: skip
    events = list(distill(config))
    steps = [e for e in events if isinstance(e, StepMetrics)]
    assert isinstance(events[-1], Finished) and not events[-1].cancelled
    assert all(torch.isfinite(torch.tensor(e.losses["loss"])) for e in steps)
    later = steps[len(steps) // 2 :]
    rate = sum(e.images_per_s for e in later) / len(later)
    share = sum(e.loader_share for e in later) / len(later)
    print(f"\n{dtype}: {rate:.0f} img/s, loader share of wall time {100 * share:.0f} %")
    ckpt = torch.load(tmp_path / dtype / "last.pt", weights_only=True)
    assert (ckpt["scaler"] != {}) == (dtype == "fp16")


@pytest.mark.skipif(torch.cuda.device_count() < 2, reason="DDP over NCCL needs two GPUs")
def test_ddp_over_nccl(big_root: Path, tmp_path: Path) -> None:
    out = tmp_path / "ddp"
    cmd = [
        sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
        "-m", "lgad_studio", "distill", "--mode", "none", "--data", str(big_root),
        "--out", str(out), "--epochs", "1", "--input-size", "800x288", "--device", "cuda",
        "--val-limit", "16",
    ]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=dict(os.environ))
    assert proc.returncode == 0, proc.stderr[-3000:]
    records = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert any(r["type"] == "epoch" for r in records)
