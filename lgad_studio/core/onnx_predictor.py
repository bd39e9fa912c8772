"""Running an exported ONNX student with onnxruntime, as :class:`LanePredictor` runs a checkpoint.

Same duck-typed interface (``input_size``, ``predict_batch(images)``,
``predict(image)``, returning :class:`~lgad_studio.core.inference.Prediction`) and
same pipeline: the image ``uint8 [H0, W0, 3]`` RGB is resized with the training
pipeline's :func:`~lgad_studio.core.training.data.resize_image` to the model's
input size and normalised with :func:`~lgad_studio.core.training.data.to_tensor`
(or, for a file exported when those constants were different, with the mean and
std its metadata records); ``prob [B, 5, H, W]`` is widened with
:func:`~lgad_studio.core.inference.decode_map` and decoded by
:func:`~lgad_studio.core.decode.decode_prob_map`. Everything it needs is read
from the file's ``lgad_studio`` metadata (:mod:`lgad_studio.core.export`).
Needs the optional ``onnx`` extra (onnxruntime).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch

from lgad_studio.core.errors import StudioError
from lgad_studio.core.export import METADATA_FORMAT, METADATA_KEY, METADATA_VERSION
from lgad_studio.core.inference import Prediction, decode_map
from lgad_studio.core.lanes import Lane, LaneSet
from lgad_studio.core.training.data import MEAN, STD, resize_image, to_tensor


class OnnxModelError(StudioError, ValueError):
    """An ONNX file that is not an LGAD Studio export, or cannot be run."""


class OnnxLanePredictor:
    """An exported student ready to predict; ``fingerprint`` is the sha256 of the file."""

    def __init__(
        self,
        path: str | Path,
        *,
        device: str = "auto",
        threads: int | None = None,
        **decode_options,
    ) -> None:
        try:
            import onnxruntime as ort
        except ImportError:
            raise StudioError(
                "ONNX models need the onnx extra: pip install 'lgad-studio[onnx]'"
            ) from None
        self.path = Path(path)
        try:
            data = self.path.read_bytes()
        except OSError as exc:
            raise OnnxModelError(
                f"{self.path}: cannot read the ONNX model ({exc.strerror})"
            ) from None
        self.fingerprint = hashlib.sha256(data).hexdigest()
        options = ort.SessionOptions()
        # torch's thread count is the studio's CPU budget (1 while the window is open).
        options.intra_op_num_threads = threads or torch.get_num_threads()
        options.inter_op_num_threads = 1
        try:
            self.session = ort.InferenceSession(data, options, providers=_providers(ort, device))
        except Exception as exc:  # onnxruntime raises its own exception types for bad files
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise OnnxModelError(f"{self.path}: not a loadable ONNX model ({first})") from None
        self.metadata = _read_metadata(self.path, self.session)
        w, h = self.metadata["input"]["size"]
        self.input_size = (int(w), int(h))
        self.mean = np.asarray(self.metadata["input"]["mean"], dtype=np.float32)
        self.std = np.asarray(self.metadata["input"]["std"], dtype=np.float32)
        decode = dict(self.metadata["decode"])
        self.decode_width = int(decode.pop("decode_width"))
        self.decode_options = {**decode, **decode_options}

    def __repr__(self) -> str:
        return f"OnnxLanePredictor({str(self.path)!r})"

    def preprocess(self, image: np.ndarray) -> np.ndarray:
        """``uint8 [H0, W0, 3]`` RGB -> ``float32 [3, H, W]``, the training pipeline's input."""
        small = resize_image(_check_image(image), self.input_size)
        if np.array_equal(self.mean, MEAN) and np.array_equal(self.std, STD):
            return to_tensor(small).numpy()
        arr = (small.astype(np.float32) / 255.0 - self.mean) / self.std
        return np.ascontiguousarray(arr.transpose(2, 0, 1))

    def predict_batch(self, images: Sequence[np.ndarray]) -> list[Prediction]:
        """Predictions of several ``uint8 [H, W, 3]`` RGB images (sizes may differ)."""
        from lgad_studio.core.decode import decode_prob_map

        if not images:
            return []
        batch = np.stack([self.preprocess(im) for im in images])
        probs, exists = self.session.run(["prob", "exist"], {"input": batch})
        wide = decode_map(torch.from_numpy(probs), width=self.decode_width).numpy()
        results = []
        for image, prob, exist, for_decode in zip(images, probs, exists, wide, strict=True):
            size = (image.shape[1], image.shape[0])
            decoded = decode_prob_map(for_decode, exist, image_size=size, **self.decode_options)
            lanes = LaneSet(tuple(Lane(pts, slot) for slot, pts in decoded), image_size=size)
            results.append(Prediction(lanes, prob.astype(np.float32), exist.astype(np.float32)))
        return results

    def predict(self, image_rgb: np.ndarray) -> Prediction:
        """Lanes, probability map and existence of one ``uint8 [H, W, 3]`` RGB image."""
        return self.predict_batch([image_rgb])[0]


def _providers(ort, device: str) -> list[str]:
    available = ort.get_available_providers()
    if device == "cpu":
        return ["CPUExecutionProvider"]
    if device.startswith("cuda") or device == "auto":
        if "CUDAExecutionProvider" in available:
            return ["CUDAExecutionProvider", "CPUExecutionProvider"]
        if device != "auto":
            raise OnnxModelError(
                f"device {device!r}: onnxruntime here has no CUDA provider (it has {available})"
            )
        return ["CPUExecutionProvider"]
    raise OnnxModelError(f"device {device!r}: expected auto, cpu or cuda for an ONNX model")


def _read_metadata(path: Path, session) -> dict:
    raw = session.get_modelmeta().custom_metadata_map.get(METADATA_KEY)
    if raw is None:
        raise OnnxModelError(
            f"{path}: no '{METADATA_KEY}' metadata (input size, normalisation); "
            "export it again with `lgad-studio export`"
        )
    try:
        meta = json.loads(raw)
        problem = None
        if meta.get("format") != METADATA_FORMAT:
            problem = f"format is {meta.get('format')!r}, expected {METADATA_FORMAT!r}"
        elif int(meta.get("format_version", 0)) > METADATA_VERSION:
            problem = f"format_version {meta['format_version']} is newer than this studio's"
        else:
            needed = [("input", k) for k in ("size", "mean", "std")] + [("decode", "decode_width")]
            missing = [f"{a}.{b}" for a, b in needed if b not in meta.get(a, {})]
            problem = f"lacks {missing}" if missing else None
    except (ValueError, TypeError, AttributeError) as exc:
        problem = f"not JSON of the expected shape ({exc})"
    if problem:
        raise OnnxModelError(f"{path}: metadata '{METADATA_KEY}' is not usable: {problem}")
    return meta


def _check_image(image: np.ndarray) -> np.ndarray:
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise ValueError(f"expected a uint8 [H, W, 3] RGB image, got {image.dtype} {image.shape}")
    return image
