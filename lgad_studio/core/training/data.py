"""A torch ``Dataset`` of training samples on top of a :class:`LaneDataset` index.

Each item is a dict:

- ``image``: float32 ``[3, H, W]``, RGB normalised by the ImageNet mean and std
- ``label``: int64 ``[H, W]``, 0 background, 1-4 lane slots
- ``exist``: float32 ``[4]``, existence of slots 1-4
- ``index``: the entry's position

Images are resized once to the input size and cached in memory (a 200x72 image
is 43 KB). Labels are rendered from the entry's :class:`LaneSet` at the input
size on every access, never read from the ``laneseg_label_w16`` PNG, so lanes
edited in the studio train immediately and augmentation moves lanes, not pixels.
"""

from __future__ import annotations

import cv2
import numpy as np
import torch
from torch.utils.data import Dataset

from lgad_studio.core.formats.culane_lines import render_label_map
from lgad_studio.core.lanes import LaneSet
from lgad_studio.core.training.augment import AugmentParams, augment

MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)


def resize_image(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """``uint8 [H0, W0, 3]`` -> ``uint8 [H, W, 3]`` at ``size = (W, H)`` (area filter)."""
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA)


def to_tensor(image: np.ndarray) -> torch.Tensor:
    """``uint8 [H, W, 3]`` RGB -> normalised float32 ``[3, H, W]``."""
    arr = (image.astype(np.float32) / 255.0 - MEAN) / STD
    return torch.from_numpy(np.ascontiguousarray(arr.transpose(2, 0, 1)))


def label_line_px(line_width: float, source: tuple[int, int], size: tuple[int, int]) -> int:
    """A lane width given in ``source``-image pixels, in ``size`` pixels (at least 1)."""
    scale = (size[0] / source[0] + size[1] / source[1]) / 2
    return max(1, round(line_width * scale))


class LaneSamples(Dataset):
    """Samples of ``entries`` of ``dataset`` at ``size = (W, H)``; see the module docstring."""

    def __init__(
        self,
        dataset,
        entries: list[str],
        *,
        size: tuple[int, int],
        augment: bool = False,
        seed: int = 0,
        line_width: float = 30.0,
        params: AugmentParams | None = None,
    ) -> None:
        self.dataset = dataset
        self.entries = list(entries)
        self.size = tuple(size)
        self.augment = augment
        self.seed = seed
        self.line_width = line_width
        self.params = params or AugmentParams()
        self.epoch = 0
        self._cache: dict[int, tuple[np.ndarray, LaneSet]] = {}
        self._source_size: dict[int, tuple[int, int]] = {}

    def __len__(self) -> int:
        return len(self.entries)

    def set_epoch(self, epoch: int) -> None:
        """Augmentation is drawn from (seed, epoch, index): reproducible with any worker count."""
        self.epoch = epoch

    def raw(self, index: int) -> tuple[np.ndarray, LaneSet]:
        """The cached input-size image ``uint8 [H, W, 3]`` and its lanes in that frame."""
        cached = self._cache.get(index)
        if cached is None:
            entry = self.entries[index]
            image = self.dataset.read_image(entry)
            lanes = self.dataset.read_lanes(entry)
            h0, w0 = image.shape[:2]
            w, h = self.size
            lanes = LaneSet(lanes.lanes, image_size=(w0, h0)).scaled(w / w0, h / h0, (w, h))
            cached = (resize_image(image, self.size), lanes)
            self._cache[index] = cached
            self._source_size[index] = (w0, h0)
        return cached

    def original_size(self, index: int) -> tuple[int, int]:
        """``(W, H)`` of the entry's image as stored."""
        self.raw(index)
        return self._source_size[index]

    def sample(self, index: int) -> tuple[np.ndarray, np.ndarray, LaneSet]:
        """``(image uint8 [H, W, 3], label uint8 [H, W], lanes)`` after augmentation."""
        image, lanes = self.raw(index)
        if self.augment:
            rng = np.random.default_rng([self.seed, self.epoch, index])
            image, lanes = augment(rng, image, lanes, self.params)
        source = self.original_size(index)
        width = label_line_px(self.line_width, source, self.size)
        label = render_label_map(lanes, size=self.size, line_width=width)
        return image, label, lanes

    def __getitem__(self, index: int) -> dict[str, torch.Tensor | int]:
        image, label, lanes = self.sample(index)
        exist = [float(s in np.unique(label)) for s in range(1, 5)]
        return {
            "image": to_tensor(image),
            "label": torch.from_numpy(label.astype(np.int64)),
            "exist": torch.tensor(exist, dtype=torch.float32),
            "index": index,
        }
