"""Human names of the kinds of runs and checkpoints (teacher, LGAD, SAD, baseline)."""

from __future__ import annotations

from pathlib import Path

KIND_LABELS = {
    "teacher": "teacher",
    "lgad": "LGAD student",
    "sad": "SAD student",
    "none": "baseline",
    "onnx": "ONNX model",
}


def checkpoint_label(path: Path, config: dict) -> tuple[str, str]:
    """``(label, mode)`` of a student checkpoint, e.g. ``("LGAD student · run/best", "lgad")``."""
    mode = str(config.get("mode", "none"))
    return f"{KIND_LABELS.get(mode, mode)} · {path.parent.name}/{path.stem}", mode
