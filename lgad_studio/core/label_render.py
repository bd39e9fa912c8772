"""The segmentation label of lanes: each slotted lane a thick polyline through its evaluator spline.

One function draws the labels the teacher trains on (``core/training/data.py``),
the ``laneseg_label_w16`` masks written next to a CULane dataset and the editor's
label-map overlay (through ``formats.culane_lines.render_label_map``). The splines
of all lanes of an image are computed in one vectorised pass
(:func:`~lgad_studio.core.spline_batch.batch_curve_xy`, bit-identical to
``geometry.spline_points`` lane by lane), so the label is the same pixels as
drawing the lanes one by one.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from lgad_studio.core.spline_batch import batch_curve_xy

# Spline samples per segment of a drawn label: a few pixels apart, the chords stay
# within a hundredth of a pixel of the curve (drawing thousands of sub-pixel thick
# segments cost 5x more).
MASK_SAMPLES_PER_SEGMENT = 5


def draw_lane_labels(
    lanes: Sequence[np.ndarray],
    slots: Sequence[int],
    *,
    size: tuple[int, int],
    thickness: int,
    scale: tuple[float, float] = (1.0, 1.0),
) -> np.ndarray:
    """``uint8 (H, W)`` at ``size = (W, H)``: 0 background, lane ``i`` drawn with value ``slots[i]``.

    ``lanes`` are ``(N >= 2, 2)`` vertex arrays in drawing order (later lanes paint
    over earlier ones); each is drawn as an 8-connected polyline ``thickness`` pixels
    wide through its spline's finite samples, multiplied by ``scale`` and rounded
    half to even.
    """
    width, height = size
    canvas = np.zeros((height, width), dtype=np.uint8)
    if not lanes:
        return canvas
    pts = [np.asarray(p, dtype=np.float32).reshape(-1, 2) for p in lanes]
    curve, sizes = batch_curve_xy(pts, samples_per_segment=MASK_SAMPLES_PER_SEGMENT)
    finite = np.isfinite(curve).all(axis=1)
    if finite.all():  # the common case: no repeated vertices
        kept = sizes
    else:
        kept = np.add.reduceat(finite.astype(np.intp), np.cumsum(sizes) - sizes)
        curve = curve[finite]
    pixels = np.round(curve.astype(np.float64) * scale).astype(np.int32)
    ends = np.cumsum(kept).tolist()
    start = 0
    for end, slot in zip(ends, slots, strict=True):
        line = pixels[start:end].reshape(-1, 1, 2)
        cv2.polylines(canvas, [line], False, int(slot), thickness=thickness, lineType=cv2.LINE_8)
        start = end
    return canvas
