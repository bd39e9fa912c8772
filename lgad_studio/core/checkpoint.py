"""Checkpoints: one dict per file, loaded with ``torch.load(weights_only=True)``.

Layout (torchvision-reference style plus what the studio needs to rebuild the model)::

    {"format": "lgad-studio-checkpoint", "format_version": 1,
     "kind": "teacher" | "student", "arch": "enet" | "erfnet",
     "in_channels": int, "width": float, "num_classes": int, "input_size": [W, H],
     "model": state_dict, "optimizer": state_dict, "scheduler": state_dict,
     "epoch": completed epochs, "step": global step,
     "config": the run's config as a dict (with "type"), "metrics": {name: float}}

A file without the format marker (another tool's checkpoint, a random file) is
refused with a :class:`CheckpointError` naming the file and what was expected.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

import torch

from lgad_studio.core.atomic import atomic_write_bytes
from lgad_studio.core.errors import StudioError
from lgad_studio.core.models import LaneNet, build_model

FORMAT = "lgad-studio-checkpoint"
FORMAT_VERSION = 1


class CheckpointError(StudioError, ValueError):
    """A file that is not an LGAD Studio checkpoint, or not the kind/architecture expected."""


@dataclass(frozen=True)
class Checkpoint:
    path: Path
    data: dict

    @property
    def kind(self) -> str:
        return self.data["kind"]

    @property
    def arch(self) -> str:
        return self.data["arch"]

    @property
    def config(self) -> dict:
        return self.data["config"]

    @property
    def metrics(self) -> dict:
        return self.data.get("metrics", {})

    @property
    def epoch(self) -> int:
        return int(self.data.get("epoch", 0))

    @property
    def input_size(self) -> tuple[int, int]:
        w, h = self.data["input_size"]
        return int(w), int(h)

    def build_model(self, *, device: torch.device | str = "cpu") -> LaneNet:
        """The network with the checkpoint's weights, in eval mode on ``device``."""
        model = build_model(
            self.arch,
            in_channels=int(self.data["in_channels"]),
            width=float(self.data["width"]),
            num_classes=int(self.data["num_classes"]),
        )
        try:
            model.load_state_dict(self.data["model"])
        except RuntimeError as exc:
            first = str(exc).splitlines()[0]
            raise CheckpointError(
                f"{self.path}: weights do not fit a {self.arch} network ({first})"
            ) from None
        return model.to(device).eval()


def save_checkpoint(path: str | Path, data: dict) -> Path:
    """Write ``data`` (plus the format marker) atomically; returns the path."""
    payload = {"format": FORMAT, "format_version": FORMAT_VERSION, **data}
    buf = io.BytesIO()
    torch.save(payload, buf)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(path, buf.getvalue())
    return path


def load_checkpoint(
    path: str | Path, *, kind: str | None = None, arch: str | None = None
) -> Checkpoint:
    """Load and check a checkpoint; ``kind``/``arch`` when given must match the file's."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"{path}: no such checkpoint file")
    if not zipfile.is_zipfile(path):
        raise CheckpointError(f"{path}: not an LGAD Studio checkpoint (not a PyTorch zip file)")
    try:
        data = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises many types for foreign files
        kind = type(exc).__name__
        raise CheckpointError(
            f"{path}: not an LGAD Studio checkpoint (torch.load(weights_only=True) failed with "
            f"{kind}: it holds Python objects other than tensors and plain values)"
        ) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise CheckpointError(f"{path}: not an LGAD Studio checkpoint (no {FORMAT!r} marker)")
    if int(data.get("format_version", 0)) > FORMAT_VERSION:
        raise CheckpointError(
            f"{path}: checkpoint format {data['format_version']} is newer than this studio's "
            f"{FORMAT_VERSION}; update LGAD Studio"
        )
    missing = [
        k for k in ("kind", "arch", "model", "config", "in_channels", "width") if k not in data
    ]
    if missing:
        raise CheckpointError(f"{path}: checkpoint lacks field(s) {missing}")
    ckpt = Checkpoint(path, data)
    if kind is not None and ckpt.kind != kind:
        raise CheckpointError(
            f"{path}: field 'kind' is {ckpt.kind!r}, expected a {kind} checkpoint"
        )
    if arch is not None and ckpt.arch != arch:
        raise CheckpointError(
            f"{path}: field 'arch' is {ckpt.arch!r}, expected a {arch} checkpoint (other architecture)"
        )
    return ckpt
