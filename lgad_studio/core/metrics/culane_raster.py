"""Lanes drawn exactly as the official CULane evaluator draws them, and their pixel IoU.

The official tool (SCNN ``tools/lane_evaluation``) interpolates each lane (2-point
lanes as they are, longer ones by the natural chord-length spline, 50 samples per
segment), converts every ``Point2f`` sample to an integer ``Point`` with
``cvRound`` (half to even; NaN or out-of-range values become ``INT_MIN`` on
x86-64), and joins consecutive samples with ``cv::line(thickness=width, value=1)``
on a zero ``uint8 (H, W)`` canvas. The similarity of two lanes is the IoU of
their canvases.

:func:`rasterize_lane` makes the same ``cv2`` drawing calls once per lane and
keeps only the lane's bounding box (:class:`LaneMask`), so a pair's IoU is an
AND over the overlap of two small crops instead of two fresh full canvases per
pair. OpenCV's ``polylines`` draws the same pixels as one ``line`` per segment
(each segment is a filled quadrilateral plus round caps, and shared caps
coincide), and :func:`drawing_vertices` drops the vertices that add no pixel,
about half of them. :func:`reference_lane_iou` is the straightforward per-pair
version, kept as the oracle for tests and the benchmark baseline.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import cv2
import numpy as np

from lgad_studio.core.geometry import spline_points
from lgad_studio.core.lanes import CULANE_SIZE

DEFAULT_WIDTH = 30
INT_MIN = -(2**31)
INT_MAX = 2**31 - 1
_SAFE_INT = 2.0**30  # below this every float32 rounds into int32 without overflow
_scratch = threading.local()  # per-thread blank canvases and buffers: no page faults per lane
Bounds = tuple[int, int, int, int]  # min x, min y, max x, max y of a lane's drawing vertices


def lane_pixels(points: object) -> np.ndarray:
    """The integer vertices the official tool draws for a lane: ``int32 (M, 2)``.

    ``points`` are ``(N, 2)`` image coordinates; they are stored as float32 (as
    the C++ ``Point2f``), interpolated, then rounded half to even. Non-finite or
    out-of-``int32`` samples become ``INT_MIN``, what ``cvRound`` gives on x86-64.
    """
    curve = spline_points(np.asarray(points, dtype=np.float32).reshape(-1, 2))
    rounded = np.rint(curve)  # float32 rint is exact: half to even, like cvRound
    if len(rounded) and np.all(np.abs(rounded) < _SAFE_INT):  # False for NaN too
        return rounded.astype(np.int32)
    with np.errstate(invalid="ignore"):
        wide = rounded.astype(np.float64)
        ok = np.isfinite(wide) & (wide >= INT_MIN) & (wide <= INT_MAX)
    return np.where(ok, wide, INT_MIN).astype(np.int32)


def drawing_vertices(pixels: np.ndarray) -> np.ndarray:
    """The vertices of ``pixels`` that change the drawn pixel set, ``int32 (K, 2)``.

    Dropped, with the same raster (checked against full drawings in the tests):
    consecutive duplicates (a zero-length segment only adds the cap its neighbour
    drew; two vertices are kept so that a dot still gets its caps), and the
    inner vertices of straight axis-aligned runs: there each segment is an
    integer rectangle ``width`` wide, the run's rectangles tile the run's long
    one, and an inner vertex's cap (a disk as wide as the rectangle) lies within
    the rectangle and the end caps.
    """
    packed = np.ascontiguousarray(pixels).view(np.int64).ravel()  # one (x, y) pair per item
    keep = np.empty(len(packed), dtype=bool)
    keep[0] = True
    np.not_equal(packed[1:], packed[:-1], out=keep[1:])
    out = pixels[keep]
    if len(out) == 1:
        return np.repeat(out, 2, axis=0)
    if len(out) < 3:
        return out
    sign = np.sign(np.diff(out.astype(np.int64), axis=0))
    way = 3 * sign[:, 0] + sign[:, 1]  # one code per step direction
    axis_aligned = (sign[:, 0] == 0) | (sign[:, 1] == 0)
    inner = (way[1:] == way[:-1]) & axis_aligned[1:]
    keep = np.ones(len(out), dtype=bool)
    keep[1:-1] = ~inner
    return out[keep]


@dataclass(frozen=True, eq=False)
class LaneMask:
    """A lane's pixels on the evaluation canvas, cropped to their bounding box.

    ``mask`` is ``uint8 (h, w)`` with values 0/1 covering canvas rows
    ``top:top+h`` and columns ``left:left+w``; ``area`` is its pixel count.
    """

    top: int
    left: int
    mask: np.ndarray
    area: int


def rasterize_lane(
    points: object,
    *,
    width: int = DEFAULT_WIDTH,
    image_size: tuple[int, int] = CULANE_SIZE,
    canvas: np.ndarray | None = None,
) -> LaneMask | None:
    """Draw one lane as the official tool does; ``None`` for a lane of fewer than 2 points.

    Args:
        points: ``(N, 2)`` lane vertices, ``xy_image``.
        width: line thickness in pixels (the tool's ``-w``).
        image_size: canvas ``(W, H)`` (the tool's ``-c``/``-r``).
        canvas: zeroed ``uint8 (H, W)`` scratch canvas to draw on, left zeroed
            again (default: one kept per thread and size).
    """
    pts = np.asarray(points).reshape(-1, 2)
    if len(pts) < 2:
        return None
    vertices = drawing_vertices(lane_pixels(pts))
    return rasterize_vertices(vertices, width=width, image_size=image_size, canvas=canvas)


def rasterize_vertices(
    vertices: np.ndarray,
    *,
    width: int = DEFAULT_WIDTH,
    image_size: tuple[int, int] = CULANE_SIZE,
    canvas: np.ndarray | None = None,
    bounds: Bounds | None = None,
) -> LaneMask:
    """Draw a lane given its ``int32 (K, 2)`` drawing vertices (see :func:`rasterize_lane`);
    ``bounds`` (min x, min y, max x, max y of the vertices) if already known."""
    w, h = image_size
    if canvas is None:
        canvas = _thread_canvas(w, h)
    top, left, window = _draw(vertices, bounds, width, canvas)
    try:
        mask = window.copy()
    finally:
        window[...] = 0  # the scratch canvas must stay blank
    return LaneMask(top, left, mask, int(cv2.countNonZero(mask)) if mask.size else 0)


def _draw(
    vertices: np.ndarray, bounds: Bounds | None, width: int, canvas: np.ndarray
) -> tuple[int, int, np.ndarray]:
    """Draw on a blank ``canvas``; ``(top, left, window)``: the lane's bounding-box view."""
    if not 1 <= int(width) <= 32767:
        raise ValueError(f"lane width must be 1..32767 pixels, got {width}")
    h, w = canvas.shape
    # Every drawn pixel lies within half the width (+1 for rounding) of a vertex.
    margin = int(width) // 2 + 3
    if bounds is None:
        (lx, ly), (hx, hy) = vertices.min(axis=0).tolist(), vertices.max(axis=0).tolist()
    else:
        lx, ly, hx, hy = bounds
    x0, x1 = min(max(lx - margin, 0), w), min(max(hx + margin + 1, 0), w)
    y0, y1 = min(max(ly - margin, 0), h), min(max(hy + margin + 1, 0), h)
    window = canvas[y0:y1, x0:x1]
    try:
        cv2.polylines(canvas, [vertices.reshape(-1, 1, 2)], False, 1, thickness=int(width))
    except BaseException:
        window[...] = 0
        raise
    return y0, x0, window


def _thread_canvas(w: int, h: int) -> np.ndarray:
    canvas = getattr(_scratch, "canvas", None)
    if canvas is None or canvas.shape != (h, w):
        canvas = _scratch.canvas = np.zeros((h, w), dtype=np.uint8)
    return canvas


def mask_intersection(a: LaneMask, b: LaneMask) -> int:
    """Number of canvas pixels that both lanes cover."""
    top, left = max(a.top, b.top), max(a.left, b.left)
    bottom = min(a.top + a.mask.shape[0], b.top + b.mask.shape[0])
    right = min(a.left + a.mask.shape[1], b.left + b.mask.shape[1])
    if bottom <= top or right <= left or not a.area or not b.area:
        return 0
    sa = a.mask[top - a.top : bottom - a.top, left - a.left : right - a.left]
    sb = b.mask[top - b.top : bottom - b.top, left - b.left : right - b.left]
    buffer = getattr(_scratch, "buffer", None)
    if buffer is None or buffer.size < sa.size:
        buffer = _scratch.buffer = np.empty(max(sa.size, 1 << 20), dtype=np.uint8)
    both = buffer[: sa.size].reshape(sa.shape)  # no fresh (page-faulting) temporary per pair
    cv2.bitwise_and(sa, sb, dst=both)
    return int(cv2.countNonZero(both))


def mask_iou(a: LaneMask | None, b: LaneMask | None) -> float:
    """Pixel IoU of two rasterised lanes, as the official tool computes it.

    0 when either lane has fewer than 2 points; NaN (0/0, as in the C++ code) when
    neither lane touches the canvas.
    """
    if a is None or b is None:
        return 0.0
    inter = mask_intersection(a, b)
    union = a.area + b.area - inter
    return inter / union if union else float("nan")


def reference_lane_iou(
    a: object,
    b: object,
    *,
    width: int = DEFAULT_WIDTH,
    image_size: tuple[int, int] = CULANE_SIZE,
) -> float:
    """The same IoU computed the way the official tool does: two fresh full canvases.

    Slow by design (one ``polylines`` call per lane, IoU over the whole canvas);
    the oracle for tests and the baseline of ``benchmarks/culane_eval.py``.
    """
    pa, pb = np.asarray(a).reshape(-1, 2), np.asarray(b).reshape(-1, 2)
    if len(pa) < 2 or len(pb) < 2:
        return 0.0
    w, h = image_size
    im1 = np.zeros((h, w), dtype=np.uint8)
    im2 = np.zeros((h, w), dtype=np.uint8)
    cv2.polylines(im1, [lane_pixels(pa).reshape(-1, 1, 2)], False, 1, thickness=int(width))
    cv2.polylines(im2, [lane_pixels(pb).reshape(-1, 1, 2)], False, 1, thickness=int(width))
    # cv::sum(im1), cv::sum(im2), cv::sum(im1.mul(im2)), as the C++ tool does.
    s1, s2 = cv2.sumElems(im1)[0], cv2.sumElems(im2)[0]
    inter = cv2.sumElems(cv2.multiply(im1, im2))[0]
    union = s1 + s2 - inter
    return inter / union if union else float("nan")
