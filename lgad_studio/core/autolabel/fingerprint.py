"""Fingerprints that key the proposals sidecar: which model, with which settings.

A proposal is only reused (resume) or shown next to others when it came from the
same model with the same decode settings, so every stored run is keyed by
:func:`run_key` of the model's fingerprint and the settings. A checkpoint's
fingerprint hashes its **weights and architecture** (the tensors in
``checkpoint.data["model"]`` plus ``arch``, ``width``, ``in_channels``,
``num_classes`` and ``input_size``), not the file: re-saving the same weights
keeps it, one changed weight changes it. An ONNX model's fingerprint hashes its
file bytes (its graph and weights).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path

import torch

_ARCH_FIELDS = ("kind", "arch", "width", "in_channels", "num_classes", "input_size")


def weights_fingerprint(checkpoint_data: Mapping) -> str:
    """``sha256`` hex of a checkpoint dict's architecture fields and ``model`` state dict.

    Tensors are hashed by name, dtype, shape and raw bytes, in name order, so the
    value does not depend on the order a state dict was built in.
    """
    digest = hashlib.sha256()
    arch = {k: checkpoint_data.get(k) for k in _ARCH_FIELDS}
    digest.update(json.dumps(arch, sort_keys=True, default=list).encode())
    state = checkpoint_data["model"]
    for name in sorted(state):
        tensor = state[name].detach().cpu().contiguous()
        digest.update(f"\0{name}\0{tensor.dtype}\0{tuple(tensor.shape)}\0".encode())
        digest.update(tensor.reshape(-1).view(torch.uint8).numpy().tobytes())
    return digest.hexdigest()


def file_fingerprint(path: str | Path) -> str:
    """``sha256`` hex of a file's bytes (read in 1 MiB blocks)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def predictor_fingerprint(predictor: object) -> str:
    """The fingerprint of a loaded predictor's model.

    An :class:`~lgad_studio.core.onnx_predictor.OnnxLanePredictor` carries its own
    (``predictor.fingerprint``); a :class:`~lgad_studio.core.inference.LanePredictor`
    is hashed from the weights it was built from. Anything else must say what it
    is with a ``fingerprint`` attribute.
    """
    own = getattr(predictor, "fingerprint", None)
    if isinstance(own, str) and own:
        return own
    checkpoint = getattr(predictor, "checkpoint", None)
    data = getattr(checkpoint, "data", None)
    if isinstance(data, Mapping) and "model" in data:
        return weights_fingerprint(data)
    raise ValueError(
        f"{type(predictor).__name__}: cannot fingerprint this predictor; expected a "
        "'fingerprint' attribute or a 'checkpoint' with weights"
    )


def run_key(*, kind: str, model: str, settings: Mapping) -> str:
    """16 hex digits naming one run: its kind, model fingerprint and settings (canonical JSON)."""
    text = json.dumps({"kind": kind, "model": model, "settings": dict(settings)}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]
