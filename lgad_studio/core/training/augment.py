"""Label-preserving augmentation of one sample in the network-input frame.

Images are ``uint8 [H, W, 3]`` RGB and lanes a :class:`LaneSet` in the same
frame. A horizontal flip mirrors the image and the lanes, and swaps slots
1<->4 and 2<->3 (:meth:`LaneSet.mirrored`); the affine warp moves image and lane
points with the same matrix (both in the loader, in ``uint8``). Brightness and
contrast touch the image only: they are drawn here and applied on the device.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from lgad_studio.core.lanes import LaneSet


@dataclass(frozen=True)
class AugmentParams:
    flip_p: float = 0.5
    max_rotation_deg: float = 3.0
    max_shift: float = 0.04  # fraction of the width / height
    scale_range: tuple[float, float] = (0.95, 1.08)
    brightness: float = 0.25  # +- fraction of 255
    contrast: tuple[float, float] = (0.75, 1.3)


def flip(image: np.ndarray, lanes: LaneSet) -> tuple[np.ndarray, LaneSet]:
    """Mirror left-right; slots swap 1<->4, 2<->3."""
    return np.ascontiguousarray(image[:, ::-1]), lanes.mirrored()


def warp(image: np.ndarray, lanes: LaneSet, matrix: np.ndarray) -> tuple[np.ndarray, LaneSet]:
    """Apply the ``2x3`` affine ``matrix`` to the image (edges replicated) and to every lane."""
    h, w = image.shape[:2]
    out = cv2.warpAffine(
        image, matrix, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    moved = []
    for lane in lanes:
        pts = lane.points @ matrix[:, :2].T + matrix[:, 2]
        moved.append(lane.with_points(pts))
    return out, LaneSet(tuple(moved), image_size=lanes.image_size)


def random_affine(
    rng: np.random.Generator, size: tuple[int, int], params: AugmentParams
) -> np.ndarray:
    """A small rotation about the bottom centre, scale and shift: ``2x3`` float64."""
    w, h = size
    angle = rng.uniform(-params.max_rotation_deg, params.max_rotation_deg)
    scale = rng.uniform(*params.scale_range)
    matrix = cv2.getRotationMatrix2D((w / 2, h - 1), angle, scale)
    matrix[0, 2] += rng.uniform(-params.max_shift, params.max_shift) * w
    matrix[1, 2] += rng.uniform(-params.max_shift, params.max_shift) * h
    return matrix


def draw_jitter(rng: np.random.Generator, params: AugmentParams) -> tuple[float, float]:
    """A random (contrast, brightness) pair, applied on the device by ``data.normalize``.

    Contrast scales about the image's mean, brightness shifts by a fraction of 255;
    the photometric step runs on the device because it is float work (7 ms per
    800x288 image on one core, measured in issue 10).
    """
    return float(rng.uniform(*params.contrast)), float(
        rng.uniform(-params.brightness, params.brightness)
    )


def geometry(
    rng: np.random.Generator, size: tuple[int, int], params: AugmentParams = AugmentParams()
) -> tuple[bool, np.ndarray]:
    """``(flip, affine 2x3)`` drawn from ``rng`` in the order :func:`augment_geometry` draws them.

    The image transform is "flip, then the affine"; as one matrix (for a single
    ``warpAffine`` that also resizes) see :func:`flip_matrix` and ``compose``.
    """
    flipped = bool(rng.random() < params.flip_p)
    return flipped, random_affine(rng, size, params)


def flip_matrix(width: int) -> np.ndarray:
    """The ``2x3`` affine of a horizontal flip, ``x -> W - 1 - x`` (as ``image[:, ::-1]``)."""
    return np.array([[-1.0, 0.0, width - 1.0], [0.0, 1.0, 0.0]])


def compose(outer: np.ndarray, inner: np.ndarray) -> np.ndarray:
    """The ``2x3`` affine that applies ``inner`` first, then ``outer``."""
    a = np.concatenate((outer, _AFFINE_ROW))
    b = np.concatenate((inner, _AFFINE_ROW))
    return (a @ b)[:2]


_AFFINE_ROW = np.array([[0.0, 0.0, 1.0]])  # the last row of a 2D affine as a 3x3 matrix


def move_lanes(lanes: LaneSet, flipped: bool, matrix: np.ndarray) -> LaneSet:
    """Lanes under "flip (slots 1<->4, 2<->3), then ``matrix``"."""
    if flipped:
        lanes = lanes.mirrored()
    moved = [lane.with_points(lane.points @ matrix[:, :2].T + matrix[:, 2]) for lane in lanes]
    return LaneSet(tuple(moved), image_size=lanes.image_size)


def augment_geometry(
    rng: np.random.Generator,
    image: np.ndarray,
    lanes: LaneSet,
    params: AugmentParams = AugmentParams(),
) -> tuple[np.ndarray, LaneSet]:
    """The flip and the affine warp, each drawn from ``rng`` (``uint8`` in, ``uint8`` out)."""
    if rng.random() < params.flip_p:
        image, lanes = flip(image, lanes)
    return warp(image, lanes, random_affine(rng, lanes.image_size, params))
