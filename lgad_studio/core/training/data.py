"""Training samples on top of a :class:`LaneDataset` index, with no float work and no memory cache.

Each item is a dict of CPU tensors, collated into batches by the DataLoader:

- ``image``: ``uint8 [H, W, 3]`` RGB at the network input size (augmented);
- ``label``: ``uint8 [H, W]``, 0 background, 1-4 lane slots, rendered from the lanes;
- ``exist``: ``float32 [4]``, existence of slots 1-4, derived from the (augmented) lanes;
- ``jitter``: ``float32 [2]``, the photometric (contrast, brightness) to apply on the device;
- ``index``: the entry's position.

Why this shape (``docs/adr/data-pipeline.md``): at CULane scale a per-process cache
of resized images grows without bound (0.77 MB per image at 800x288, 68 GB for the
training set in every worker), so images are decoded on the fly, at reduced scale
when the input size allows (OpenCV's ``IMREAD_REDUCED_*_2/4/8``: a 1640x590
JPEG decodes straight to 820x295 for an 800x288 input, or 205x74 for 200x72), and
straight to RGB (``IMREAD_COLOR_RGB``: the same pixels as BGR then ``cvtColor``);
the small resize left, the flip and the affine are then one ``warpAffine``.
Workers never convert to float: batches travel as ``uint8`` (4x less to copy and
pin), and :func:`prepare_batch` normalises and jitters them on the device inside
the step.

Items are addressed by ``(index, epoch)`` keys (:class:`EpochSampler` yields them),
so augmentation is drawn from ``(seed, epoch, index)`` and differs from epoch to
epoch with any number of (persistent) workers, and stays reproducible. Labels are
rendered from each entry's :class:`LaneSet`, never read from ``laneseg_label_w16``,
so lanes edited in the studio train immediately and augmentation moves lanes, not pixels.
Per item the lanes travel as plain arrays (:class:`.sample_lanes.SampleLanes`: the
same operations as ``LaneSet.scaled``/``mirrored`` and ``augment.move_lanes``) and
all lanes' splines are solved in one pass (``core/label_render.py``), so an item is
bit-identical to the earlier lane-by-lane path at about 10 % less time
(``benchmarks/data_pipeline.py``; the decode and the warp are two thirds of it).
With a prepared cache on disk (``cache``, :mod:`.image_cache`) the decoded image is
read from one file instead, with the same pixels; an image changed since the cache
was built is decoded as before.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import cv2
import numpy as np
import torch
from torch import Tensor
from torch.utils.data import Dataset, Sampler

from lgad_studio.core.lanes import LaneSet
from lgad_studio.core.training.augment import (
    AugmentParams,
    compose,
    draw_jitter,
    flip_matrix,
    geometry,
)
from lgad_studio.core.training.sample_lanes import SampleLanes
from lgad_studio.core.training.streams import stream_rng

MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)
REDUCTIONS = (8, 4, 2)  # the factors JPEG decoders can scale by while decoding
# OpenCV decodes straight to RGB (the same pixels as BGR then cvtColor, one copy less)
_RGB_FLAGS = {
    1: cv2.IMREAD_COLOR_RGB,
    2: cv2.IMREAD_REDUCED_GRAYSCALE_2 | cv2.IMREAD_COLOR_RGB,
    4: cv2.IMREAD_REDUCED_GRAYSCALE_4 | cv2.IMREAD_COLOR_RGB,
    8: cv2.IMREAD_REDUCED_GRAYSCALE_8 | cv2.IMREAD_COLOR_RGB,
}
NO_JITTER = (1.0, 0.0)
# what an affine warp shows beyond the image's edges: the ImageNet mean (0 once normalised)
FILL_RGB = tuple(float(v) for v in MEAN * 255)


def reduction_factor(source: tuple[int, int], size: tuple[int, int]) -> int:
    """The largest of 8, 4, 2 that keeps a ``source`` ``(W, H)`` image at least ``size``; else 1."""
    for f in REDUCTIONS:
        if source[0] // f >= size[0] and source[1] // f >= size[1]:
            return f
    return 1


def _fit(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Resize to ``size``: bilinear for the small step left after a reduced decode, area below."""
    if (image.shape[1], image.shape[0]) == tuple(size):
        return np.ascontiguousarray(image)
    linear = _near(image.shape[1::-1], size)
    interpolation = cv2.INTER_LINEAR if linear else cv2.INTER_AREA
    return cv2.resize(image, tuple(size), interpolation=interpolation)


def _near(source: tuple[int, int], size: tuple[int, int]) -> bool:
    """True when ``size`` is at least 0.7 of ``source`` both ways (bilinear does not alias)."""
    return size[0] >= 0.7 * source[0] and size[1] >= 0.7 * source[1]


def resize_matrix(source: tuple[int, int], size: tuple[int, int]) -> np.ndarray:
    """The ``2x3`` affine of a resize from ``source`` to ``size`` (pixel centres aligned, as ``cv2.resize``)."""
    sx, sy = size[0] / source[0], size[1] / source[1]
    return np.array([[sx, 0.0, 0.5 * sx - 0.5], [0.0, sy, 0.5 * sy - 0.5]])


def resize_image(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """``uint8 [H0, W0, 3]`` -> ``uint8 [H, W, 3]`` at ``size = (W, H)``.

    An in-memory image is first area-shrunk by the :func:`reduction_factor` that
    training's reduced decoding uses, then resized like a decoded file, so that a
    model sees the same kind of input from a file (:func:`read_input_image`) and
    from an array (the studio, tests).
    """
    h0, w0 = image.shape[:2]
    f = reduction_factor((w0, h0), size)
    if f > 1:
        image = cv2.resize(image, (w0 // f, h0 // f), interpolation=cv2.INTER_AREA)
    return _fit(image, size)


def decode_reduced(dataset, entry: str, size: tuple[int, int]) -> tuple[np.ndarray, tuple]:
    """The entry's image decoded at the largest reduction that stays >= ``size``, RGB, and its
    stored ``(W, H)``. Errors name the file (:class:`~lgad_studio.core.errors.LabelFormatError`)."""
    from lgad_studio.core.formats.images import read_image

    source = tuple(dataset.image_size(entry))
    f = reduction_factor(source, size)
    path = dataset.image_path(entry)
    if f > 1:
        image = read_image(path, flags=_RGB_FLAGS[f])
        h, w = image.shape[:2]
        fits = w >= size[0] and h >= size[1]
        if fits and abs(w * f - source[0]) < f and abs(h * f - source[1]) < f:
            return image, source
    # no reduction possible, or the file is not the size its header (or the index) said
    image = read_image(path, flags=_RGB_FLAGS[1])
    return image, (image.shape[1], image.shape[0])


def read_input_image(dataset, entry: str, size: tuple[int, int]) -> tuple[np.ndarray, tuple]:
    """The entry's image at the input ``size`` (``uint8 [H, W, 3]`` RGB) and its stored ``(W, H)``.

    JPEGs decode at reduced scale where the size allows.
    """
    image, source = decode_reduced(dataset, entry, size)
    return _fit(image, size), source


def normalize(images: Tensor, jitter: Tensor | None = None) -> Tensor:
    """``uint8 [B, H, W, 3]`` RGB -> float32 ``[B, 3, H, W]`` (ImageNet mean/std), on their device.

    ``jitter`` ``[B, 2]`` holds each image's (contrast, brightness): contrast scales
    about the image's mean, brightness shifts by a fraction of 255, then values are
    clipped to [0, 255], as a photometric augmentation in uint8 would.
    """
    x = images.permute(0, 3, 1, 2).float()
    if jitter is not None:
        jitter = jitter.to(x.device, torch.float32)
        contrast = jitter[:, 0].view(-1, 1, 1, 1)
        brightness = jitter[:, 1].view(-1, 1, 1, 1)
        mean = x.mean(dim=(1, 2, 3), keepdim=True)
        x = ((x - mean) * contrast + mean + brightness * 255.0).clamp_(0.0, 255.0)
    mean = torch.as_tensor(MEAN * 255.0, device=x.device).view(1, 3, 1, 1)
    std = torch.as_tensor(STD * 255.0, device=x.device).view(1, 3, 1, 1)
    return ((x - mean) / std).contiguous()


def to_tensor(image: np.ndarray) -> Tensor:
    """``uint8 [H, W, 3]`` RGB -> normalised float32 ``[3, H, W]`` (the training normalisation)."""
    return normalize(torch.from_numpy(np.ascontiguousarray(image))[None])[0]


def prepare_batch(batch: dict, device: torch.device) -> dict[str, Tensor]:
    """A collated batch of :class:`LaneSamples` items, ready for the network on ``device``.

    ``image`` becomes normalised float32 ``[B, 3, H, W]`` (jitter applied), ``label``
    int64 ``[B, H, W]``, ``exist`` float32 ``[B, 4]``; copies are non-blocking (the
    loader pins memory on CUDA).
    """
    images = batch["image"].to(device, non_blocking=True)
    jitter = batch.get("jitter")
    return {
        "image": normalize(images, jitter),
        "label": batch["label"].to(device, non_blocking=True).long(),
        "exist": batch["exist"].to(device, non_blocking=True).float(),
    }


def label_line_px(line_width: float, source: tuple[int, int], size: tuple[int, int]) -> int:
    """A lane width given in ``source``-image pixels, in ``size`` pixels (at least 1)."""
    scale = (size[0] / source[0] + size[1] / source[1]) / 2
    return max(1, round(line_width * scale))


def lane_existence(lanes: LaneSet, size: tuple[int, int], *, margin: float = 0.0) -> list[float]:
    """1.0 for each slot 1-4 whose lane has a vertex inside the ``size`` frame (+ ``margin``)."""
    arrays = SampleLanes(tuple(ln.points for ln in lanes), tuple(ln.slot for ln in lanes), size)
    return arrays.existence(margin=margin).tolist()


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
        cache=None,
    ) -> None:
        self.dataset = dataset
        self.entries = list(entries)
        self.size = tuple(size)
        self.augment = augment
        self.seed = seed
        self.line_width = line_width
        self.params = params or AugmentParams()
        self.epoch = 0
        # a CacheView aligned with entries (core/training/image_cache.py), or None: decode
        self.cache = cache
        if cache is not None and len(cache) != len(self.entries):
            raise ValueError(f"cache rows {len(cache)} != entries {len(self.entries)}")

    def __len__(self) -> int:
        return len(self.entries)

    def shard(self, rank: int, world_size: int) -> LaneSamples:
        """The samples of every ``world_size``-th entry from ``rank`` (validation under DDP)."""
        if world_size <= 1:
            return self
        cache = None if self.cache is None else self.cache.subset(slice(rank, None, world_size))
        return LaneSamples(
            self.dataset, self.entries[rank::world_size], size=self.size, augment=self.augment,
            seed=self.seed, line_width=self.line_width, params=self.params, cache=cache,
        )  # fmt: skip

    def set_epoch(self, epoch: int) -> None:
        """The epoch of items addressed by a bare index (keys from :class:`EpochSampler` carry theirs)."""
        self.epoch = epoch

    def original_size(self, index: int) -> tuple[int, int]:
        """``(W, H)`` of the entry's image as stored (from the file header)."""
        return tuple(self.dataset.image_size(self.entries[index]))

    def _decoded(self, index: int) -> tuple[np.ndarray, SampleLanes, tuple[int, int]]:
        """The reduced-decoded RGB image, the lanes in the input frame, and the stored size."""
        entry = self.entries[index]
        hit = None
        if self.cache is not None:  # the same pixels, read instead of decoded
            hit = self.cache.read(index, self.dataset.image_path(entry))
        image, source = hit if hit is not None else decode_reduced(self.dataset, entry, self.size)
        lanes = SampleLanes.scaled(self.dataset.read_lanes(entry), source, self.size)
        return image, lanes, source

    def load(self, index: int) -> tuple[np.ndarray, LaneSet, tuple[int, int]]:
        """The input-size image ``uint8 [H, W, 3]`` RGB, its lanes in that frame, and the stored size."""
        image, lanes, source = self._decoded(index)
        return _fit(image, self.size), lanes.lane_set(), source

    def sample(
        self, index: int, epoch: int | None = None
    ) -> tuple[np.ndarray, np.ndarray, LaneSet, tuple[float, float]]:
        """``(image uint8 [H, W, 3], label uint8 [H, W], lanes, jitter)`` after augmentation.

        The resize, the flip and the affine are one ``warpAffine`` of the decoded
        image (bilinear; beyond the edges the ImageNet mean, which a replicated border
        would cost twice as much time) when the decode left only a small
        resize to do; otherwise the image is area-resized first.
        """
        image, lanes, jitter, width = self._sample(index, epoch)
        return image, lanes.label(width), lanes.lane_set(), jitter

    def _sample(
        self, index: int, epoch: int | None
    ) -> tuple[np.ndarray, SampleLanes, tuple[float, float], int]:
        """The augmented RGB image, its lanes, the jitter and the label's line width in pixels."""
        image, lanes, source = self._decoded(index)
        jitter = NO_JITTER
        if self.augment:
            epoch = self.epoch if epoch is None else epoch
            rng = stream_rng(self.seed, "augment", epoch, index)
            flipped, affine = geometry(rng, self.size, self.params)
            jitter = draw_jitter(rng, self.params)
            matrix = compose(affine, flip_matrix(self.size[0])) if flipped else affine
            decoded = (image.shape[1], image.shape[0])
            if _near(decoded, self.size):
                matrix = compose(matrix, resize_matrix(decoded, self.size))
            else:
                image = _fit(image, self.size)
            image = cv2.warpAffine(
                image, matrix, self.size, flags=cv2.INTER_LINEAR,
                borderMode=cv2.BORDER_CONSTANT, borderValue=FILL_RGB,
            )  # fmt: skip
            lanes = lanes.moved(flipped, affine)
        else:
            image = _fit(image, self.size)
        return image, lanes, jitter, label_line_px(self.line_width, source, self.size)

    def __getitem__(self, key) -> dict[str, Tensor | int]:
        index, epoch = key if isinstance(key, tuple) else (key, None)
        image, lanes, jitter, width = self._sample(int(index), epoch)
        return {
            "image": torch.from_numpy(image),
            "label": torch.from_numpy(lanes.label(width)),
            "exist": torch.from_numpy(lanes.existence(margin=width / 2)),
            "jitter": torch.from_numpy(np.array(jitter, dtype=np.float32)),
            "index": int(index),
        }


class EpochSampler(Sampler):
    """Yields ``(index, epoch)`` keys: a shuffled order per epoch, sharded over ranks.

    The order of epoch ``e`` is a permutation drawn from the run's ``order``
    stream at ``e`` (the same in every mode of a paired run). With
    ``world_size > 1`` it is padded to a multiple of the world size and rank
    ``r`` takes every ``world_size``-th key from position ``r``
    (like :class:`torch.utils.data.DistributedSampler`). :meth:`set_start` skips the
    first keys of this rank's order, to resume in mid-epoch without loading them.
    """

    def __init__(
        self, length: int, *, seed: int, rank: int = 0, world_size: int = 1, shuffle: bool = True
    ) -> None:
        self.length = length
        self.seed = seed
        self.rank = rank
        self.world_size = world_size
        self.shuffle = shuffle
        self.epoch = 1
        self.start = 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch
        self.start = 0

    def set_start(self, start: int) -> None:
        """Skip the first ``start`` keys of the current epoch (set after :meth:`set_epoch`)."""
        self.start = start

    def order(self, epoch: int) -> list[int]:
        """This rank's indices of ``epoch``, in order."""
        if self.shuffle:
            order = stream_rng(self.seed, "order", epoch).permutation(self.length).tolist()
        else:
            order = list(range(self.length))
        per_rank = math.ceil(self.length / self.world_size)
        total = per_rank * self.world_size
        if total > len(order) and order:
            order += (order * math.ceil(total / len(order)))[: total - len(order)]
        return order[self.rank : total : self.world_size]

    def __len__(self) -> int:
        return math.ceil(self.length / self.world_size)

    def __iter__(self) -> Iterator[tuple[int, int]]:
        epoch = self.epoch
        for index in self.order(epoch)[self.start :]:
            yield index, epoch
