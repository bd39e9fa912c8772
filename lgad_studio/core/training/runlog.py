"""The run folder: ``config.json``, ``metrics.jsonl`` (steps and epochs), ``metrics.csv`` (epochs).

Only the main process (rank 0) writes. Files are appended to, so a resumed run
keeps its history.
"""

from __future__ import annotations

import csv
import json
import time
from pathlib import Path

from lgad_studio.core.atomic import atomic_write_text

EPOCH_COLUMNS = (
    "epoch", "step", "time_s", "lr", "loss", "seg", "exist", "at",
    "f1", "precision", "recall", "exist_acc", "tp", "fp", "fn",
)  # fmt: skip


class RunLog:
    def __init__(self, run_dir: Path, *, enabled: bool = True) -> None:
        self.run_dir = Path(run_dir)
        self.enabled = enabled
        self.started = time.monotonic()
        if enabled:
            self.run_dir.mkdir(parents=True, exist_ok=True)

    def write_config(self, config_json: str) -> None:
        if self.enabled:
            atomic_write_text(self.run_dir / "config.json", config_json + "\n")

    def _append_jsonl(self, record: dict) -> None:
        with open(self.run_dir / "metrics.jsonl", "a", encoding="utf-8") as fh:
            fh.write(json.dumps(record) + "\n")

    def step(self, *, step: int, epoch: int, losses: dict[str, float], lr: float) -> None:
        if self.enabled:
            self._append_jsonl({"type": "step", "step": step, "epoch": epoch, "lr": lr, **losses})

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
