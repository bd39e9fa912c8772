"""What a lane predictor gives back, and the protocol every predictor follows (no torch).

A predictor has an ``input_size = (W, H)`` and ``predict_batch(images)`` that
turns ``uint8 [H0, W0, 3]`` RGB images (sizes may differ) into one
:class:`Prediction` each: the network's softmax map at its input size, the slot
existence probabilities, and the lanes decoded in the image's own frame.
:class:`~lgad_studio.core.inference.LanePredictor` (a student checkpoint or an
in-memory model) and the ONNX predictor both follow it, so the evaluation
generator (:mod:`lgad_studio.core.evaluation`) runs either unchanged.

Optional, duck-typed extras the evaluation uses when a predictor has them:

- ``needs_lanes = True``: ``predict_batch(images, lanes=[LaneSet, ...])`` -- the
  label-map teacher, fed the label map of each image's ground truth;
- ``predict_batch(images, rows=[rows or None, ...])``: decode on given image rows
  (TuSimple's ``h_samples``) instead of the SCNN rows; asked for only on datasets
  that have such rows;
- ``infer_batch(images, ...) -> raw`` and ``decode_batch(raw) -> list[Prediction]``:
  the two halves of ``predict_batch``, so that decoding and matching one batch can
  overlap with the inference of the next.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from lgad_studio.core.decode import decode_prob_map
from lgad_studio.core.lanes import Lane, LaneSet


@dataclass(frozen=True)
class Prediction:
    lanes: LaneSet  # in the input image's frame, with the slots the network gave them
    prob_map: np.ndarray  # float32 [5, h, w] softmax at the network input size
    exist: np.ndarray  # float32 [4] existence probabilities of slots 1-4

    def lane_probability(self) -> np.ndarray:
        """``uint8 [h, w]``: the largest lane-slot probability per pixel, times 255."""
        return np.round(self.prob_map[1:].max(axis=0) * 255.0).astype(np.uint8)


@runtime_checkable
class Predictor(Protocol):
    """Anything that predicts lanes of RGB images (see the module docstring)."""

    input_size: tuple[int, int]

    def predict_batch(self, images: Sequence[np.ndarray]) -> list[Prediction]: ...


def decode_predictions(
    probs: np.ndarray,
    exists: np.ndarray,
    image_sizes: Sequence[tuple[int, int]],
    *,
    rows: Sequence[Sequence[float] | None] | None = None,
    **decode_options: object,
) -> list[Prediction]:
    """Predictions from a batch of network outputs.

    Args:
        probs: ``float32 [B, 5, h, w]`` softmax maps at the network input size.
        exists: ``float32 [B, 4]`` existence probabilities.
        image_sizes: ``(W, H)`` of each image, the frame its lanes are reported in.
        rows: per image, the image rows to decode on (``None``: the SCNN rows).
        decode_options: passed to :func:`~lgad_studio.core.decode.decode_prob_map`.
    """
    results = []
    for k, (prob, exist, size) in enumerate(zip(probs, exists, image_sizes, strict=True)):
        image_rows = rows[k] if rows is not None else None
        decoded = decode_prob_map(prob, exist, image_size=size, rows=image_rows, **decode_options)
        lanes = LaneSet(tuple(Lane(pts, slot) for slot, pts in decoded), image_size=size)
        results.append(
            Prediction(lanes, np.asarray(prob, np.float32), np.asarray(exist, np.float32))
        )
    return results


def check_image(image: np.ndarray) -> np.ndarray:
    """``image`` if it is a ``uint8 [H, W, 3]`` RGB array; a ValueError naming its shape otherwise."""
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise ValueError(f"expected a uint8 [H, W, 3] RGB image, got {image.dtype} {image.shape}")
    return image
