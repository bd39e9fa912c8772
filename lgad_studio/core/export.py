"""Export a student checkpoint to ONNX.

The graph takes ``input: float32 [B, 3, H, W]`` (RGB normalised by the ImageNet
mean and std, H x W the checkpoint's input size) and returns ``prob: [B, 5, H, W]``
(softmax over the classes) and ``exist: [B, 4]`` (sigmoid). The batch dimension
is dynamic. Needs the optional ``onnx`` extra (``pip install lgad-studio[onnx]``).
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import torch

from lgad_studio.core.atomic import atomic_write_bytes
from lgad_studio.core.checkpoint import CheckpointError, load_checkpoint
from lgad_studio.core.errors import StudioError
from lgad_studio.core.models import ExportWrapper

OPSET = 17


def export_onnx(checkpoint: str | Path, out_path: str | Path, *, opset: int = OPSET) -> Path:
    """Write the student of ``checkpoint`` as ONNX to ``out_path`` (atomically)."""
    ckpt = load_checkpoint(checkpoint)
    if ckpt.kind != "student":
        raise CheckpointError(
            f"{ckpt.path}: field 'kind' is {ckpt.kind!r}, expected a student checkpoint"
        )
    try:
        import onnx  # noqa: F401
    except ImportError:
        raise StudioError(
            "ONNX export needs the onnx extra: pip install 'lgad-studio[onnx]'"
        ) from None
    model = ExportWrapper(ckpt.build_model(device="cpu")).eval()
    w, h = ckpt.input_size
    example = torch.zeros(1, 3, h, w)
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer chatter about the unpooling output size
        torch.onnx.export(
            model,
            (example,),
            buf,
            input_names=["input"],
            output_names=["prob", "exist"],
            dynamic_axes={"input": {0: "batch"}, "prob": {0: "batch"}, "exist": {0: "batch"}},
            opset_version=opset,
            dynamo=False,
        )
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(out_path, buf.getvalue())
    return out_path
