"""Export a student checkpoint to ONNX, with what a consumer needs in its metadata.

The graph takes ``input: float32 [B, 3, H, W]`` (RGB normalised by the ImageNet
mean and std, H x W the checkpoint's input size) and returns ``prob: [B, 5, H, W]``
(softmax over the classes) and ``exist: [B, 4]`` (sigmoid). The batch dimension
is dynamic. Needs the optional ``onnx`` extra (``pip install lgad-studio[onnx]``).

The model's ``metadata_props`` hold one key, ``lgad_studio``, whose value is JSON
(:func:`onnx_metadata`): the input size, layout and normalisation (the training
pipeline's constants, read from :mod:`lgad_studio.core.training.data`), the
class and slot layout of the outputs, the decode defaults, and the source
checkpoint's weights fingerprint, so that
:class:`~lgad_studio.core.onnx_predictor.OnnxLanePredictor` (or any other tool)
can run the file alone.
"""

from __future__ import annotations

import io
import json
import warnings
from pathlib import Path

import torch

from lgad_studio.core.atomic import atomic_write_bytes
from lgad_studio.core.checkpoint import Checkpoint, CheckpointError, load_checkpoint
from lgad_studio.core.errors import StudioError
from lgad_studio.core.models import ExportWrapper

OPSET = 17
METADATA_KEY = "lgad_studio"
METADATA_FORMAT = "lgad-studio-onnx"
METADATA_VERSION = 1
CLASSES = ("background", "lane 1", "lane 2", "lane 3", "lane 4")


def onnx_metadata(ckpt: Checkpoint) -> dict:
    """The ``lgad_studio`` metadata of the ONNX export of ``ckpt`` (plain JSON values)."""
    from lgad_studio.core.autolabel.fingerprint import weights_fingerprint
    from lgad_studio.core.decode import decode_defaults
    from lgad_studio.core.inference import DECODE_WIDTH
    from lgad_studio.core.training.data import MEAN, STD

    w, h = ckpt.input_size
    return {
        "format": METADATA_FORMAT,
        "format_version": METADATA_VERSION,
        "input": {
            "name": "input", "shape": ["B", 3, h, w], "size": [w, h], "dtype": "float32",
            "layout": "NCHW", "color": "RGB",
            "resize": "area filter to size, as lgad_studio.core.training.data.resize_image",
            "normalise": "(pixel / 255 - mean) / std", "mean": MEAN.tolist(), "std": STD.tolist(),
        },
        "outputs": {
            "prob": {"shape": ["B", len(CLASSES), h, w], "activation": "softmax over classes",
                     "classes": list(CLASSES)},
            "exist": {"shape": ["B", 4], "activation": "sigmoid", "slots": [1, 2, 3, 4]},
        },
        "slots": "CULane slots numbered left to right: 1 and 2 left of the ego vehicle "
                 "(2 the nearest), 3 and 4 right of it (3 the nearest)",
        "decode": {**decode_defaults(), "decode_width": DECODE_WIDTH},
        "source": {
            "checkpoint": ckpt.path.name, "weights_sha256": weights_fingerprint(ckpt.data),
            "kind": ckpt.kind, "arch": ckpt.arch, "width": float(ckpt.data["width"]),
            "epoch": ckpt.epoch, "metrics": {k: float(v) for k, v in ckpt.metrics.items()},
        },
    }  # fmt: skip


def export_onnx(checkpoint: str | Path, out_path: str | Path, *, opset: int = OPSET) -> Path:
    """Write the student of ``checkpoint`` as ONNX to ``out_path`` (atomically)."""
    ckpt = load_checkpoint(checkpoint)
    if ckpt.kind != "student":
        raise CheckpointError(
            f"{ckpt.path}: field 'kind' is {ckpt.kind!r}, expected a student checkpoint"
        )
    try:
        import onnx
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
    proto = onnx.load_from_string(buf.getvalue())
    onnx.helper.set_model_props(proto, {METADATA_KEY: json.dumps(onnx_metadata(ckpt))})
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(out_path, proto.SerializeToString())
    return out_path
