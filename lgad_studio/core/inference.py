"""Running a trained network on images: probability maps, existence and decoded lanes.

:class:`LanePredictor` is a student (from a checkpoint, or an in-memory model
during training); :class:`TeacherPredictor` is a label-map teacher, fed the label
map of each image's ground truth (:mod:`lgad_studio.core.label_input`). Both follow
:class:`~lgad_studio.core.prediction.Predictor`: an image ``uint8 [H0, W0, 3]`` RGB
is resized to the input size ``(W, H)`` and normalised like in training
(:func:`~lgad_studio.core.training.data.resize_image`, then
:func:`~lgad_studio.core.training.data.normalize` of the batch on the model's
device), the network's softmax
``[5, H, W]`` and sigmoid ``[4]`` are computed under ``torch.inference_mode`` and
decoded to lanes in the image's own frame (:mod:`lgad_studio.core.decode`).

``predict_batch`` is ``decode_batch(infer_batch(...))``: the evaluation
generator runs the two halves on different threads so that decoding and
matching one batch overlap with the inference of the next.

``channels_last`` is off by default. For inference on this project's CPU it
measured between 0 and 12 % less CPU time (``benchmarks/inference_speed.py``,
interleaved runs on a shared machine),
but its kernels round differently (outputs differ by ~3e-8, enough to move an
argmax at a tie), and validation runs the model being trained in the layout
training keeps (contiguous: channels_last is slower for training here). So that
validation, ``predict`` and the Evaluate tab report identical counts, predictors
use the default layout unless asked (``LanePredictor(ckpt, channels_last=True)``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from lgad_studio.core.checkpoint import Checkpoint, CheckpointError, load_checkpoint
from lgad_studio.core.decode import DECODE_WIDTH
from lgad_studio.core.lanes import LaneSet
from lgad_studio.core.prediction import Prediction, check_image, decode_predictions
from lgad_studio.core.training.data import normalize, resize_image
from lgad_studio.core.training.device import select_device

__all__ = ["LanePredictor", "Prediction", "RawBatch", "TeacherPredictor", "decode_map"]


def decode_map(prob: torch.Tensor, *, width: int = DECODE_WIDTH) -> torch.Tensor:
    """``[B, 5, h, w]`` probabilities resized bilinearly to ``width`` columns (same aspect).

    For callers that decode whole maps themselves; :func:`decode_prob_map` does the
    same resize, for the slots that exist only, when given a narrower map.
    """
    h, w = prob.shape[-2:]
    if w >= width:
        return prob
    size = (max(1, round(h * width / w)), width)
    return torch.nn.functional.interpolate(prob, size=size, mode="bilinear", align_corners=False)


@dataclass(frozen=True, eq=False)
class RawBatch:
    """A batch's network outputs before decoding (CPU numpy, small)."""

    probs: np.ndarray  # float32 [B, 5, H, W] softmax at the input size
    exists: np.ndarray  # float32 [B, 4]
    image_sizes: tuple[tuple[int, int], ...]  # (W, H) of each image
    rows: tuple[Sequence[float] | None, ...] | None  # per image: rows to decode on


class _NetworkPredictor:
    """What both predictors share: the model on its device, forward, decoding."""

    def __init__(
        self,
        model: torch.nn.Module,
        *,
        input_size: tuple[int, int],
        device: torch.device | str = "cpu",
        channels_last: bool = False,
        checkpoint: Checkpoint | None = None,
        **decode_options: object,
    ) -> None:
        self.device = select_device(device) if isinstance(device, str) else device
        self.model = model.to(self.device)  # its train/eval mode is the owner's (see _forward)
        self.input_size = (int(input_size[0]), int(input_size[1]))
        self.channels_last = channels_last
        if channels_last:
            self.model.to(memory_format=torch.channels_last)
        self.checkpoint = checkpoint
        self.decode_options = decode_options

    def _forward(self, batch: torch.Tensor, images: Sequence[np.ndarray], rows) -> RawBatch:
        """``batch``: the model's input ``[B, C, H, W]`` (moved to the device if elsewhere)."""
        batch = batch.to(self.device, non_blocking=True)
        if self.channels_last:
            batch = batch.contiguous(memory_format=torch.channels_last)
        was_training = self.model.training
        self.model.eval()
        try:
            with torch.inference_mode():
                out = self.model(batch)
                probs = torch.softmax(out.seg.float(), dim=1).cpu().numpy()
                exists = torch.sigmoid(out.exist.float()).cpu().numpy()
        finally:
            self.model.train(was_training)
        sizes = tuple((int(im.shape[1]), int(im.shape[0])) for im in images)
        return RawBatch(probs, exists, sizes, None if rows is None else tuple(rows))

    def decode_batch(self, raw: RawBatch) -> list[Prediction]:
        """Lanes of each image of an :meth:`infer_batch` result."""
        return decode_predictions(
            raw.probs, raw.exists, raw.image_sizes, rows=raw.rows, **self.decode_options
        )

    def _images_tensor(self, images: Sequence[np.ndarray]) -> torch.Tensor:
        """The normalised input ``float32 [B, 3, H, W]``, normalised on the model's device."""
        resized = np.stack([resize_image(check_image(im), self.input_size) for im in images])
        return normalize(torch.from_numpy(resized).to(self.device, non_blocking=True))


class LanePredictor(_NetworkPredictor):
    """A student network ready to predict; build it with :meth:`from_checkpoint` or :meth:`from_model`."""

    def __init__(
        self,
        checkpoint: Checkpoint,
        *,
        device: torch.device | str = "auto",
        channels_last: bool = False,
        **decode_options: object,
    ) -> None:
        if checkpoint.kind != "student":
            raise CheckpointError(
                f"{checkpoint.path}: field 'kind' is {checkpoint.kind!r}, expected a student "
                "checkpoint (a teacher needs the label map as input)"
            )
        device = select_device(device) if isinstance(device, str) else device
        super().__init__(
            checkpoint.build_model(device=device),
            input_size=checkpoint.input_size,
            device=device,
            channels_last=channels_last,
            checkpoint=checkpoint,
            **decode_options,
        )

    @classmethod
    def from_checkpoint(
        cls, path: str | Path, *, device: torch.device | str = "auto", **decode_options: object
    ) -> LanePredictor:
        """Load a student checkpoint; ``decode_options`` go to ``decode_prob_map``."""
        return cls(load_checkpoint(path, kind="student"), device=device, **decode_options)

    @classmethod
    def from_model(
        cls,
        model: torch.nn.Module,
        *,
        input_size: tuple[int, int],
        device: torch.device | str | None = None,
        **decode_options: object,
    ) -> LanePredictor:
        """A predictor around an in-memory student (validation during training).

        The model stays where it is (``device`` defaults to its parameters' device)
        and its train/eval mode is restored after each batch.
        """
        device = device or next(model.parameters()).device
        predictor = cls.__new__(cls)
        _NetworkPredictor.__init__(
            predictor, model, input_size=input_size, device=device, **decode_options
        )
        return predictor

    def infer_batch(
        self, images: Sequence[np.ndarray], *, rows: Sequence[Sequence[float] | None] | None = None
    ) -> RawBatch:
        """The network's outputs for ``uint8 [H, W, 3]`` RGB images (sizes may differ)."""
        images = list(images)
        return self._forward(self._images_tensor(images), images, rows)

    def predict_batch(
        self, images: Sequence[np.ndarray], *, rows: Sequence[Sequence[float] | None] | None = None
    ) -> list[Prediction]:
        """Predictions of several ``uint8 [H, W, 3]`` RGB images (sizes may differ).

        ``rows``: per image, the image rows to decode on (default the SCNN rows).
        """
        if len(images) == 0:
            return []
        return self.decode_batch(self.infer_batch(images, rows=rows))

    def predict(self, image_rgb: np.ndarray) -> Prediction:
        """Lanes, probability map and existence of one ``uint8 [H, W, 3]`` RGB image."""
        return self.predict_batch([image_rgb])[0]


class TeacherPredictor(_NetworkPredictor):
    """A label-map teacher: its input is the label map of the image's ground-truth lanes."""

    needs_lanes = True

    def __init__(
        self,
        model: torch.nn.Module,
        *,
        input_size: tuple[int, int],
        encoding: str = "onehot",
        line_width: float | None = None,
        device: torch.device | str | None = None,
        checkpoint: Checkpoint | None = None,
        **decode_options: object,
    ) -> None:
        from lgad_studio.core.label_input import DEFAULT_LABEL_LINE_WIDTH

        device = device or next(model.parameters()).device
        super().__init__(
            model, input_size=input_size, device=device, checkpoint=checkpoint, **decode_options
        )
        self.encoding = encoding
        self.line_width = DEFAULT_LABEL_LINE_WIDTH if line_width is None else float(line_width)

    @classmethod
    def from_checkpoint(
        cls, path: str | Path, *, device: torch.device | str = "auto", **decode_options: object
    ) -> TeacherPredictor:
        """Load a teacher checkpoint; its encoding and label width come from its config."""
        from lgad_studio.core.label_input import checkpoint_line_width

        ckpt = load_checkpoint(path, kind="teacher")
        device = select_device(device) if isinstance(device, str) else device
        return cls(
            ckpt.build_model(device=device),
            input_size=ckpt.input_size,
            encoding=str(ckpt.config.get("encoding", "onehot")),
            line_width=checkpoint_line_width(ckpt.config),
            device=device,
            checkpoint=ckpt,
            **decode_options,
        )

    def infer_batch(
        self,
        images: Sequence[np.ndarray],
        *,
        lanes: Sequence[LaneSet],
        rows: Sequence[Sequence[float] | None] | None = None,
    ) -> RawBatch:
        """Outputs for the images' ground truth ``lanes`` (the images give only their sizes)."""
        from lgad_studio.core.label_input import teacher_input

        images = list(images)
        lane_sets = [
            LaneSet(ls.lanes, image_size=(im.shape[1], im.shape[0]))
            for ls, im in zip(lanes, images, strict=True)
        ]
        batch = teacher_input(
            lane_sets,
            input_size=self.input_size,
            encoding=self.encoding,
            line_width=self.line_width,
        )
        return self._forward(batch, images, rows)

    def predict_batch(
        self,
        images: Sequence[np.ndarray],
        *,
        lanes: Sequence[LaneSet],
        rows: Sequence[Sequence[float] | None] | None = None,
    ) -> list[Prediction]:
        if len(images) == 0:
            return []
        return self.decode_batch(self.infer_batch(images, lanes=lanes, rows=rows))
