"""One entry point for "a model that proposes lanes": a student checkpoint or its ONNX export.

``load_predictor(path)`` gives a :class:`~lgad_studio.core.inference.LanePredictor`
for a ``.pt``/``.pth`` checkpoint and an
:class:`~lgad_studio.core.onnx_predictor.OnnxLanePredictor` for an ``.onnx`` file;
both have ``input_size``, ``predict_batch(images)`` and ``predict(image)``
returning the same ``Prediction``.
"""

from __future__ import annotations

from pathlib import Path


def load_predictor(path: str | Path, *, device: str = "auto", **decode_options):
    """The predictor of a student checkpoint or ONNX model; errors name the file."""
    path = Path(path)
    if path.suffix.lower() == ".onnx":
        from lgad_studio.core.onnx_predictor import OnnxLanePredictor

        return OnnxLanePredictor(path, device=device, **decode_options)
    from lgad_studio.core.inference import LanePredictor

    return LanePredictor.from_checkpoint(path, device=device, **decode_options)
