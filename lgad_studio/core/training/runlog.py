"""The run folder: ``config.json``, ``run_info.json``, ``metrics.jsonl`` (steps and epochs), ``metrics.csv`` (epochs).

Only the main process (rank 0) writes. Files are appended to, so a resumed run
keeps its history. With ``tensorboard=True`` (the ``tensorboard`` extra) the same
curves also go to TensorBoard event files in ``<run>/tensorboard``.
"""

from __future__ import annotations

import csv
import json
import time
from pathlib import Path

from lgad_studio.core.atomic import atomic_write_text
from lgad_studio.core.errors import StudioError

# Epoch rows: training means of the named losses (``train_<loss>``), then validation.
EPOCH_COLUMNS = (
    "epoch", "step", "time_s", "lr", "train_loss", "train_seg", "train_exist", "train_at",
    "f1", "precision", "recall", "exist_acc", "tp", "fp", "fn",
)  # fmt: skip


class RunLog:
    def __init__(self, run_dir: Path, *, enabled: bool = True, tensorboard: bool = False) -> None:
        self.run_dir = Path(run_dir)
        self.enabled = enabled
        self.started = time.monotonic()
        self._tb = None
        if enabled:
            self.run_dir.mkdir(parents=True, exist_ok=True)
            if tensorboard:
                self._tb = _summary_writer(self.run_dir / "tensorboard")

    def write_config(self, config_json: str) -> None:
        if self.enabled:
            atomic_write_text(self.run_dir / "config.json", config_json + "\n")

    def write_run_info(self, info: dict) -> None:
        """``run_info.json``: the code, packages, machine and data the run used."""
        if self.enabled:
            atomic_write_text(self.run_dir / "run_info.json", json.dumps(info, indent=2) + "\n")

    def _append_jsonl(self, record: dict) -> None:
        with open(self.run_dir / "metrics.jsonl", "a", encoding="utf-8") as fh:
            fh.write(json.dumps(record) + "\n")

    def step(self, *, step: int, epoch: int, losses: dict[str, float], lr: float) -> None:
        if not self.enabled:
            return
        self._append_jsonl({"type": "step", "step": step, "epoch": epoch, "lr": lr, **losses})
        if self._tb is not None:
            for name, value in losses.items():
                self._tb.add_scalar(f"train/{name}", value, step)
            self._tb.add_scalar("train/lr", lr, step)

    def epoch(self, row: dict[str, float]) -> None:
        """Append one epoch row to ``metrics.jsonl`` and ``metrics.csv``."""
        if not self.enabled:
            return
        row = {"time_s": round(time.monotonic() - self.started, 3), **row}
        self._append_jsonl({"type": "epoch", **row})
        path = self.run_dir / "metrics.csv"
        new = not path.exists()
        with open(path, "a", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=EPOCH_COLUMNS, extrasaction="ignore")
            if new:
                writer.writeheader()
            writer.writerow({k: row.get(k, "") for k in EPOCH_COLUMNS})
        if self._tb is not None:
            step = int(row.get("step", 0))
            for name, value in row.items():
                if name not in ("epoch", "step", "time_s") and isinstance(value, int | float):
                    group = "epoch" if name.startswith("train_") else "val"
                    self._tb.add_scalar(f"{group}/{name}", value, step)
            self._tb.flush()

    def close(self) -> None:
        if self._tb is not None:
            self._tb.close()
            self._tb = None


def _summary_writer(folder: Path):
    try:
        from torch.utils.tensorboard import SummaryWriter
    except ImportError:
        raise StudioError(
            "field 'tensorboard' is true but the tensorboard package is not installed: "
            "pip install 'lgad-studio[tensorboard]'"
        ) from None
    return SummaryWriter(log_dir=str(folder))
