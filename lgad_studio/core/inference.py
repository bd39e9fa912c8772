"""Running a trained student on images: probability maps, existence and decoded lanes.

Used by ``lgad-studio predict``, the studio's "Propose lanes" and its evaluation
view. An image ``uint8 [H0, W0, 3]`` RGB is resized to the checkpoint's input
size ``(W, H)``, normalised like in training, and the network's softmax
``[5, H, W]`` and sigmoid ``[4]`` are decoded to lanes in the image's own frame
(METHOD.md section 5).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from lgad_studio.core.checkpoint import Checkpoint, CheckpointError, load_checkpoint
from lgad_studio.core.decode import DECODE_WIDTH
from lgad_studio.core.events import Progress
from lgad_studio.core.formats.culane_lines import write_lines_txt
from lgad_studio.core.lanes import Lane, LaneSet
from lgad_studio.core.training.data import resize_image, to_tensor
from lgad_studio.core.training.device import select_device


def decode_map(prob: torch.Tensor, *, width: int = DECODE_WIDTH) -> torch.Tensor:
    """``[B, 5, h, w]`` probabilities resized bilinearly to ``width`` columns (same aspect).

    A 200-px map quantises x to 8 px of a 1640-px image, close to the 10 px
    that separate a 30-px match from a miss; interpolating the map first puts
    the per-row maximum between columns, and SCNN's 9x9 mean filter then sees
    lanes as wide as it was made for. Maps already that wide are returned as is.
    """
    h, w = prob.shape[-2:]
    if w >= width:
        return prob
    size = (max(1, round(h * width / w)), width)
    return torch.nn.functional.interpolate(prob, size=size, mode="bilinear", align_corners=False)


@dataclass(frozen=True)
class Prediction:
    lanes: LaneSet  # in the input image's frame, with the slots the network gave them
    prob_map: np.ndarray  # float32 [5, h, w] softmax at the network input size
    exist: np.ndarray  # float32 [4] existence probabilities of slots 1-4


class LanePredictor:
    """A student network ready to predict; build it with :meth:`from_checkpoint`."""

    def __init__(
        self, checkpoint: Checkpoint, *, device: torch.device | str = "auto", **decode_options
    ) -> None:
        if checkpoint.kind != "student":
            raise CheckpointError(
                f"{checkpoint.path}: field 'kind' is {checkpoint.kind!r}, expected a student "
                "checkpoint (a teacher needs the label map as input)"
            )
        self.checkpoint = checkpoint
        self.device = select_device(device) if isinstance(device, str) else device
        self.model = checkpoint.build_model(device=self.device)
        self.input_size = checkpoint.input_size
        self.decode_options = decode_options

    @classmethod
    def from_checkpoint(
        cls, path: str | Path, *, device: torch.device | str = "auto", **decode_options
    ) -> LanePredictor:
        """Load a student checkpoint; ``decode_options`` go to ``decode_prob_map``."""
        return cls(load_checkpoint(path, kind="student"), device=device, **decode_options)

    @torch.no_grad()
    def predict_batch(self, images: Sequence[np.ndarray]) -> list[Prediction]:
        """Predictions of several ``uint8 [H, W, 3]`` RGB images (sizes may differ)."""
        from lgad_studio.core.decode import decode_prob_map

        if not images:
            return []
        batch = torch.stack(
            [to_tensor(resize_image(_check_image(im), self.input_size)) for im in images]
        )
        out = self.model(batch.to(self.device))
        small = torch.softmax(out.seg.float(), dim=1)
        probs = small.cpu().numpy()
        wide = decode_map(small).cpu().numpy()
        exists = torch.sigmoid(out.exist.float()).cpu().numpy()
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


def _check_image(image: np.ndarray) -> np.ndarray:
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise ValueError(f"expected a uint8 [H, W, 3] RGB image, got {image.dtype} {image.shape}")
    return image


def detection_path(out_root: str | Path, entry: str) -> Path:
    """Where CULane tools look for an entry's detections: ``<out_root>/<entry>.lines.txt``."""
    return Path(out_root) / Path(entry.lstrip("/")).with_suffix(".lines.txt")


def predict_dataset(
    checkpoint: str | Path | LanePredictor,
    dataset,
    split: str | Sequence[str],
    out_root: str | Path,
    *,
    cancel: threading.Event | None = None,
    progress: Callable[[int, int], None] | None = None,
    batch_size: int = 8,
    device: torch.device | str = "auto",
) -> Iterator[Progress]:
    """Write ``<out_root>/<entry>.lines.txt`` for a split's (or the given) entries.

    Yields a :class:`Progress` after each batch; stops before the next batch when
    ``cancel`` is set (files already written stay).
    """
    predictor = (
        checkpoint
        if isinstance(checkpoint, LanePredictor)
        else LanePredictor.from_checkpoint(checkpoint, device=device)
    )
    entries = dataset.entries(split) if isinstance(split, str) else list(split)
    total = len(entries)
    for start in range(0, total, batch_size):
        if cancel is not None and cancel.is_set():
            return
        chunk = entries[start : start + batch_size]
        predictions = predictor.predict_batch([dataset.read_image(e) for e in chunk])
        for entry, pred in zip(chunk, predictions, strict=True):
            path = detection_path(out_root, entry)
            path.parent.mkdir(parents=True, exist_ok=True)
            write_lines_txt(path, pred.lanes)
        done = start + len(chunk)
        if progress is not None:
            progress(done, total)
        yield Progress(done, total, chunk[-1])
