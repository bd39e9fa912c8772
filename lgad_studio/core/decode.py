"""From a lane probability map to CULane lanes (the SCNN convention, METHOD.md section 5).

``prob`` is the network's softmax output ``[5, h, w]`` (channel 0 background,
1-4 the lane slots) for an input covering image rows ``crop_top..H-1`` of an
image of ``image_size = (W, H)`` (the whole image by default, as CULane models
see it). A slot is decoded only if its existence probability exceeds
``exist_threshold``; each lane channel is optionally smoothed with a
``smooth_kernel x smooth_kernel`` mean filter; for ``i = 0 .. num_rows-1`` the
image row ``y = H - 1 - row_step * i`` is mapped to the map's row and the
column of the row's maximum is kept if its probability exceeds
``prob_threshold``; the column is mapped back to image x. Gaps are allowed; a
lane needs ``min_points`` points.

**Ours** where SCNN's ports disagree by a pixel: map rows and columns are mapped
through pixel centres (``map = floor((y - crop_top + 0.5) * h / (H - crop_top))``
and ``x = (col + 0.5) * W / w - 0.5``), and x stays a float.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass

import cv2
import numpy as np

from lgad_studio.core.lanes import CULANE_SIZE, NUM_SLOTS

DECODE_WIDTH = 800  # SCNN decodes 800x288 maps; its 9x9 filter and thresholds assume that size


@dataclass(frozen=True, eq=False)
class RowProfile:
    """Per-row maxima of lane channels: what the decoder picks on each sampled row.

    ``ys`` are the sampled image rows ``float64 [R]`` (bottom-up, ``H - 1 - row_step * i``,
    those below ``crop_top`` dropped); for each slot in ``slots``, ``x[k]`` is the image x of
    the row's maximum of its (smoothed) channel and ``p[k]`` that maximum,
    both ``float64 [R]``.
    """

    slots: tuple[int, ...]
    ys: np.ndarray
    x: np.ndarray  # [len(slots), R]
    p: np.ndarray  # [len(slots), R]


def row_profile(
    prob: np.ndarray,
    *,
    slots: tuple[int, ...] = tuple(range(1, NUM_SLOTS + 1)),
    image_size: tuple[int, int] = CULANE_SIZE,
    crop_top: int = 0,
    smooth_kernel: int = 9,
    row_step: int = 20,
    num_rows: int = 18,
) -> RowProfile:
    """The per-row argmax and maximum of each slot's channel of ``prob [5, h, w]``.

    The rows, the smoothing and the column-to-x mapping are those of
    :func:`decode_prob_map` (which keeps a row when its maximum exceeds the
    probability threshold); see the module docstring.
    """
    prob = np.asarray(prob, dtype=np.float32)
    if prob.ndim != 3 or prob.shape[0] != NUM_SLOTS + 1:
        raise ValueError(f"prob must be [5, h, w] probabilities, got shape {prob.shape}")
    width, height = image_size
    if not 0 <= crop_top < height:
        raise ValueError(f"crop_top must be in 0..{height - 1}, got {crop_top}")
    _, h, w = prob.shape
    ys = height - 1 - row_step * np.arange(num_rows)
    ys = ys[ys >= crop_top]
    rows = np.floor((ys - crop_top + 0.5) * h / (height - crop_top)).astype(np.int64)
    rows = np.clip(rows, 0, h - 1)
    xs = np.empty((len(slots), len(ys)), dtype=np.float64)
    ps = np.empty((len(slots), len(ys)), dtype=np.float64)
    for k, slot in enumerate(slots):
        channel = np.ascontiguousarray(prob[slot])
        if smooth_kernel > 1:
            channel = cv2.blur(
                channel, (smooth_kernel, smooth_kernel), borderType=cv2.BORDER_REPLICATE
            )
        picked = channel[rows]  # (len(ys), w)
        cols = picked.argmax(axis=1)
        ps[k] = picked[np.arange(len(rows)), cols]
        xs[k] = (cols + 0.5) * width / w - 0.5
    return RowProfile(tuple(slots), ys.astype(np.float64), xs, ps)


def decode_prob_map(
    prob: np.ndarray,
    exist: np.ndarray,
    *,
    image_size: tuple[int, int] = CULANE_SIZE,
    crop_top: int = 0,
    exist_threshold: float = 0.5,
    prob_threshold: float = 0.3,
    smooth_kernel: int = 9,
    row_step: int = 20,
    num_rows: int = 18,
    min_points: int = 2,
) -> list[tuple[int, np.ndarray]]:
    """Lanes as ``(slot, float64 (N, 2) xy_image points bottom-up)``, slots ascending.

    Args:
        prob: ``[5, h, w]`` softmax probabilities (any float dtype, or a torch tensor on CPU).
        exist: ``[4]`` existence probabilities of slots 1-4.
        image_size: ``(W, H)`` of the image the lanes are reported in.
        crop_top: first image row the network input covers (a top ROI cut off).
        smooth_kernel: mean-filter size; 0 or 1 disables smoothing.
    """
    exist = np.asarray(exist, dtype=np.float64).reshape(-1)
    if exist.shape != (NUM_SLOTS,):
        raise ValueError(f"exist must hold 4 probabilities, got shape {exist.shape}")
    slots = tuple(s for s in range(1, NUM_SLOTS + 1) if exist[s - 1] > exist_threshold)
    profile = row_profile(
        prob, slots=slots, image_size=image_size, crop_top=crop_top,
        smooth_kernel=smooth_kernel, row_step=row_step, num_rows=num_rows,
    )  # fmt: skip
    return lanes_from_profile(profile, prob_threshold=prob_threshold, min_points=min_points)


def lanes_from_profile(
    profile: RowProfile, *, prob_threshold: float = 0.3, min_points: int = 2
) -> list[tuple[int, np.ndarray]]:
    """The rows of each slot whose maximum exceeds ``prob_threshold``, slots with ``min_points``."""
    lanes = []
    for k, slot in enumerate(profile.slots):
        keep = profile.p[k] > prob_threshold
        if int(keep.sum()) < min_points:
            continue
        lanes.append((slot, np.column_stack([profile.x[k][keep], profile.ys[keep]])))
    return lanes


def decode_defaults() -> dict[str, float | int]:
    """The settings defaults of :func:`decode_prob_map` (``exist_threshold``, ``prob_threshold``,
    ...); ``image_size`` is the image's, not a setting, and is left out."""
    return {
        name: p.default
        for name, p in inspect.signature(decode_prob_map).parameters.items()
        if p.default is not inspect.Parameter.empty and name != "image_size"
    }
