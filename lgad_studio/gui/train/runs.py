"""Run folders on disk: what the Train tab's history lists (no Qt).

A run folder is what the engine writes for ``config.out``: ``config.json`` (with
``"type": "TeacherConfig" | "StudentConfig"``), ``metrics.jsonl`` and checkpoints
``*.pt`` (``last.pt``, ``best.pt``).
"""

from __future__ import annotations

import json
import math
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from lgad_studio.core.run_kinds import KIND_LABELS

# Folder names say what the window says: "baseline", not the config's mode "none".
KIND_FOLDERS = {"teacher": "teacher", "lgad": "lgad", "sad": "sad", "none": "baseline"}
CHECKPOINT_ORDER = ("best.pt", "last.pt")


@dataclass
class RunRecord:
    """One run of the history; ``state`` is updated by the tab while its job runs."""

    run_dir: Path
    kind: str  # teacher | lgad | sad | none
    config: dict = field(default_factory=dict)
    best_f1: float | None = None
    state: str = "on disk"  # queued | running | finished | cancelled | failed | on disk
    validated: bool = False  # an epoch ended with validation metrics
    step: tuple[int, int] = (0, 0)  # (done, total) of the last step reported
    finished: object | None = None  # the run's core ``Finished`` event, once it arrived
    labels_sha: str | None = None  # run_info.json's hash of the labels it trained on
    labelled_images: int | None = None

    @property
    def name(self) -> str:
        return self.run_dir.name

    @property
    def label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def is_teacher(self) -> bool:
        return self.kind == "teacher"

    def checkpoints(self) -> list[Path]:
        """``best.pt``, ``last.pt``, then any other ``*.pt`` of the folder."""
        if not self.run_dir.is_dir():
            return []
        found = sorted(self.run_dir.glob("*.pt"))
        ordered = [self.run_dir / n for n in CHECKPOINT_ORDER if (self.run_dir / n).is_file()]
        return ordered + [p for p in found if p not in ordered]

    def best_checkpoint(self) -> Path | None:
        checkpoints = self.checkpoints()
        return checkpoints[0] if checkpoints else None


def default_runs_root() -> Path:
    """Where the studio keeps its runs: ``<user data dir>/lgad-studio/runs``."""
    import platformdirs

    return platformdirs.user_data_path("lgad-studio", appauthor=False) / "runs"


def run_kind(config: dict) -> str:
    if config.get("type") == "TeacherConfig":
        return "teacher"
    return str(config.get("mode", "none"))


def shown_f1(metrics: dict) -> float | None:
    """The validation F1 to show: the metric's value, 0 where it is undefined (-1) only because
    nothing was detected although there was ground truth (recall defined), else ``None``."""
    f1 = metrics.get("f1")
    if not isinstance(f1, (int, float)) or not math.isfinite(f1):
        return None
    if f1 >= 0:
        return float(f1)
    recall = metrics.get("recall")
    return 0.0 if isinstance(recall, (int, float)) and recall >= 0 else None


def best_f1_of(metrics_jsonl: Path) -> float | None:
    """Highest validation ``f1`` in a metrics JSONL file (lines it cannot read are skipped);
    an epoch that detected nothing counts as F1 0 (:func:`shown_f1`)."""
    if not metrics_jsonl.is_file():
        return None
    best: float | None = None
    for line in metrics_jsonl.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if not isinstance(record, dict):
            continue
        for metrics in (record, record.get("metrics") or {}):
            value = shown_f1(metrics) if isinstance(metrics, dict) else None
            if value is not None:
                best = value if best is None else max(best, value)
    return best


def read_run(run_dir: Path) -> RunRecord | None:
    """The record of a run folder, or None if it has no readable ``config.json``."""
    try:
        config = json.loads((run_dir / "config.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None
    if not isinstance(config, dict):
        return None
    sha, labelled = labels_of(read_run_info(run_dir))
    return RunRecord(
        run_dir=run_dir,
        kind=run_kind(config),
        config=config,
        best_f1=best_f1_of(run_dir / "metrics.jsonl"),
        labels_sha=sha,
        labelled_images=labelled,
    )


def read_run_info(run_dir: Path) -> dict:
    """``run_info.json`` of a run folder (``{}`` when missing or unreadable)."""
    try:
        info = json.loads((run_dir / "run_info.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}
    return info if isinstance(info, dict) else {}


def labels_of(info: dict) -> tuple[str | None, int | None]:
    """The label hash and labelled-image count a run's ``run_info.json`` records."""
    sha, labelled = info.get("labels_sha256"), info.get("labelled_images")
    return (sha if isinstance(sha, str) else None, labelled if isinstance(labelled, int) else None)


def take_labels(record: RunRecord) -> None:
    """Fill ``record``'s label hash from its ``run_info.json`` once the engine wrote it."""
    if record.labels_sha is None:
        sha, labelled = labels_of(read_run_info(record.run_dir))
        if sha is not None:
            record.labels_sha, record.labelled_images = sha, labelled


def scan_runs(root: Path) -> list[RunRecord]:
    """Runs directly under ``root``, oldest first."""
    if not root.is_dir():
        return []
    records = [r for d in root.iterdir() if d.is_dir() and (r := read_run(d)) is not None]
    return sorted(records, key=lambda r: (r.run_dir.stat().st_mtime, r.name))


def run_name_slug(name: str) -> str:
    """A run name as a folder-name part: letters, digits, ``.``, ``_`` and ``-`` (spaces become ``-``)."""
    text = re.sub(r"\s+", "-", name.strip())
    return re.sub(r"[^A-Za-z0-9._-]", "", text).strip(".-")[:60]


def new_run_dir(
    root: Path, kind: str, *, name: str = "", reserved: set[Path] | frozenset[Path] = frozenset()
) -> Path:
    """A fresh folder ``<root>/<YYYYmmdd-HHMMSS>-<kind>[-<name>]`` (not created, not in
    ``reserved``); the kind as the window names it (``baseline`` for mode ``none``)."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    slug = run_name_slug(name)
    base = f"{stamp}-{KIND_FOLDERS.get(kind, kind)}" + (f"-{slug}" if slug else "")
    candidate = root / base
    n = 2
    while candidate.exists() or candidate in reserved:
        candidate = root / f"{base}-{n}"
        n += 1
    return candidate
