"""From a lane probability map to CULane lanes (the SCNN convention, METHOD.md section 5).

``prob`` is the network's softmax output ``[5, h, w]`` (channel 0 background,
1-4 the lane slots) for an input covering image rows ``crop_top..H-1`` of an
image of ``image_size = (W, H)`` (the whole image by default, as CULane models
see it). A slot is decoded only if its existence probability exceeds
``exist_threshold``. Its channel is first resized bilinearly to ``decode_width``
columns (same aspect; maps already that wide are used as they are): a 200-px map
quantises x to 8 px of a 1640-px image, close to the 10 px that separate a 30-px
match from a miss, and SCNN's 9x9 mean filter and thresholds were made for
800x288 maps. The channel is then optionally smoothed with a
``smooth_kernel x smooth_kernel`` mean filter (edges replicated). For each image
row to sample -- ``y = H - 1 - row_step * i`` for ``i = 0 .. num_rows-1`` (SCNN),
or the given ``rows`` (TuSimple's ``h_samples``) -- the column of the map row's
maximum is kept if its probability exceeds ``prob_threshold``, and mapped back to
image x. Gaps are allowed; a lane needs ``min_points`` points.

**Ours** where SCNN's ports disagree by a pixel: map rows and columns are mapped
through pixel centres (``map = floor((y - crop_top + 0.5) * h / (H - crop_top))``
and ``x = (col + 0.5) * W / w - 0.5``), and x stays a float. The mean filter is
evaluated only on the map rows that are sampled (it is separable), which is what
makes decoding cheap next to inference. :func:`row_profile` exposes the per-row
maxima the decoder picks from (auto-labelling scores proposals with them), and
:func:`lanes_from_profile` keeps the rows above the threshold: ``decode_prob_map``
is exactly the two.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from lgad_studio.core.lanes import CULANE_SIZE, NUM_SLOTS

DECODE_WIDTH = 800  # SCNN decodes 800x288 maps; its 9x9 filter and thresholds assume that size


@dataclass(frozen=True, eq=False)
class RowProfile:
    """Per-row maxima of lane channels: what the decoder picks on each sampled row.

    ``ys`` are the sampled image rows ``float64 [R]`` (the SCNN rows bottom-up, or
    the given ``rows`` in their order; rows outside ``crop_top..H-1`` dropped); for
    each slot in ``slots``, ``x[k]`` is the image x of the row's maximum of its
    (resized, smoothed) channel and ``p[k]`` that maximum, both ``float64 [R]``.
    """

    slots: tuple[int, ...]
    ys: np.ndarray
    x: np.ndarray  # [len(slots), R]
    p: np.ndarray  # [len(slots), R]


def row_profile(
    prob: np.ndarray,
    *,
    slots: Sequence[int] = tuple(range(1, NUM_SLOTS + 1)),
    image_size: tuple[int, int] = CULANE_SIZE,
    crop_top: int = 0,
    smooth_kernel: int = 9,
    row_step: int = 20,
    num_rows: int = 18,
    rows: Sequence[float] | None = None,
    decode_width: int = DECODE_WIDTH,
) -> RowProfile:
    """The per-row argmax and maximum of each slot's channel of ``prob [5, h, w]``.

    Rows, resizing, smoothing and the column-to-x mapping are those of
    :func:`decode_prob_map` (see the module docstring).
    """
    prob = np.asarray(prob, dtype=np.float32)
    if prob.ndim != 3 or prob.shape[0] != NUM_SLOTS + 1:
        raise ValueError(f"prob must be [5, h, w] probabilities, got shape {prob.shape}")
    width, height = image_size
    if not 0 <= crop_top < height:
        raise ValueError(f"crop_top must be in 0..{height - 1}, got {crop_top}")
    if rows is None:
        ys = (height - 1 - row_step * np.arange(num_rows)).astype(np.float64)
    else:
        ys = np.asarray(rows, dtype=np.float64).reshape(-1)
    ys = ys[(ys >= crop_top) & (ys <= height - 1)]
    slots = tuple(int(s) for s in slots)
    xs = np.empty((len(slots), len(ys)), dtype=np.float64)
    ps = np.empty((len(slots), len(ys)), dtype=np.float64)
    if not slots or len(ys) == 0:
        return RowProfile(slots, ys, xs, ps)
    h, w = _decode_shape(prob.shape[1:], decode_width)
    map_rows = np.floor((ys - crop_top + 0.5) * h / (height - crop_top)).astype(np.int64)
    map_rows = np.clip(map_rows, 0, h - 1)
    for k, slot in enumerate(slots):
        picked = _sampled_rows(prob[slot], (h, w), map_rows, smooth_kernel)  # (R, w)
        cols = picked.argmax(axis=1)
        ps[k] = picked[np.arange(len(map_rows)), cols]
        xs[k] = (cols + 0.5) * width / w - 0.5
    return RowProfile(slots, ys, xs, ps)


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
    rows: Sequence[float] | None = None,
    min_points: int = 2,
    decode_width: int = DECODE_WIDTH,
) -> list[tuple[int, np.ndarray]]:
    """Lanes as ``(slot, float64 (N, 2) xy_image points)``, slots ascending.

    Points follow the sampled rows: bottom-up for the SCNN rows, the order of
    ``rows`` when given.

    Args:
        prob: ``[5, h, w]`` softmax probabilities (any float dtype, or a torch tensor on CPU).
        exist: ``[4]`` existence probabilities of slots 1-4.
        image_size: ``(W, H)`` of the image the lanes are reported in.
        crop_top: first image row the network input covers (a top ROI cut off).
        smooth_kernel: mean-filter size; 0 or 1 disables smoothing.
        rows: image rows to sample instead of the SCNN rows (e.g. TuSimple ``h_samples``).
        decode_width: maps narrower than this are resized to it before decoding.
    """
    exist = np.asarray(exist, dtype=np.float64).reshape(-1)
    if exist.shape != (NUM_SLOTS,):
        raise ValueError(f"exist must hold 4 probabilities, got shape {exist.shape}")
    slots = tuple(s for s in range(1, NUM_SLOTS + 1) if exist[s - 1] > exist_threshold)
    profile = row_profile(
        prob, slots=slots, image_size=image_size, crop_top=crop_top,
        smooth_kernel=smooth_kernel, row_step=row_step, num_rows=num_rows, rows=rows,
        decode_width=decode_width,
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
    ...). Left out: ``image_size`` (the image's), ``rows`` (a dataset's, per image) and
    ``decode_width`` (stored next to them by the ONNX export)."""
    return {
        name: p.default
        for name, p in inspect.signature(decode_prob_map).parameters.items()
        if p.default is not inspect.Parameter.empty
        and name not in ("image_size", "rows", "decode_width")
    }


def _decode_shape(shape: tuple[int, int], decode_width: int) -> tuple[int, int]:
    h, w = shape
    if w >= decode_width:
        return h, w
    return max(1, round(h * decode_width / w)), decode_width


def _sampled_rows(
    channel: np.ndarray, shape: tuple[int, int], map_rows: np.ndarray, smooth_kernel: int
) -> np.ndarray:
    """Rows ``map_rows`` of ``channel`` resized to ``shape`` and mean-filtered: ``(R, w)``."""
    h, w = shape
    if channel.shape != (h, w):
        channel = cv2.resize(channel, (w, h), interpolation=cv2.INTER_LINEAR)
    if smooth_kernel <= 1:
        return channel[map_rows]
    half = smooth_kernel // 2
    offsets = np.arange(smooth_kernel) - half
    window = np.clip(map_rows[:, None] + offsets[None, :], 0, h - 1)  # (R, k), edges replicated
    vertical = channel[window].mean(axis=1, dtype=np.float32)  # (R, w)
    return cv2.blur(vertical, (smooth_kernel, 1), borderType=cv2.BORDER_REPLICATE)
