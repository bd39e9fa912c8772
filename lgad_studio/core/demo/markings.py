"""Longitudinal lane markings: their layout across the road, their paint, and the ground truth.

A :class:`LaneLine` is one painted line at a fixed lateral offset ``s`` in the
road frame (see :mod:`.camera`): solid, dashed, a double line, or ``none``
(paint worn away completely, the lane still annotated). The ground truth of a
line is its true centre (the middle of a double line) sampled on the CULane rows
``590, 580, ...`` bottom-up, whatever covers it in the picture.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from lgad_studio.core.demo.camera import IMAGE_H, IMAGE_W, View

SHIFT = 3  # fillPoly fixed-point bits: sub-pixel polygon edges
WHITE = (232, 236, 238)
YELLOW = (52, 182, 222)
STYLES = ("solid", "dashed", "double", "solid_dashed", "none")


@dataclass(frozen=True)
class LaneLine:
    """One line along the road at lateral offset ``s`` (metres, right positive)."""

    s: float
    style: str  # one of STYLES
    colour: tuple[int, int, int]  # BGR paint
    width: float = 0.15  # metres, of each stripe
    dash: float = 4.0  # metres painted ...
    gap: float = 6.0  # ... then metres bare, for dashed styles
    phase: float = 0.0  # metres: where the first dash starts
    annotated: bool = True


def stripe_polygons(
    view: View, stripes: list[tuple[float, float, float]], width: float, samples: int
) -> np.ndarray:
    """Outlines of ``(s, z0, z1)`` stripes, ``samples`` points per side: ``(K, 2*samples, 2)``.

    Samples are even in image rows (in ``1/z``), so curved stripes bend smoothly.
    """
    st = np.asarray(stripes, dtype=np.float64).reshape(-1, 3)
    t = np.linspace(0.0, 1.0, samples)
    inv = 1.0 / st[:, 1:2] * (1 - t) + 1.0 / st[:, 2:3] * t  # (K, samples)
    # Out along the left edge, back along the right one.
    z = np.concatenate([1.0 / inv, 1.0 / inv[:, ::-1]], axis=1)
    half = np.concatenate([np.full(samples, -width / 2), np.full(samples, width / 2)])
    s = st[:, 0:1] + half[None, :]
    return view.project(s, z).reshape(len(st), 2 * samples, 2)


def to_fixed(poly: np.ndarray) -> np.ndarray:
    """``xy_image`` floats -> int32 ``(N, 1, 2)`` for cv2 drawing with ``shift=SHIFT``."""
    pts = np.minimum(np.maximum(poly, -2e5), 2e5) * (1 << SHIFT)
    return pts.round().astype(np.int32).reshape(-1, 1, 2)


def fixed_polys(polys: np.ndarray) -> list[np.ndarray]:
    """``(K, N, 2)`` float polygons -> a list of K int32 ``(N, 1, 2)`` arrays for cv2 (one pass)."""
    fixed = to_fixed(polys.reshape(-1, 2)).reshape(len(polys), -1, 1, 2)
    return list(fixed)


def line_stripes(line: LaneLine, z_near: float, z_far: float) -> list[tuple[float, float, float]]:
    """``(s, z0, z1)`` of every painted stripe of ``line`` between ``z_near`` and ``z_far``."""
    if line.style == "none":
        return []
    offset = line.width / 2 + 0.08  # half the spacing of the two stripes of a double line
    parts = {
        "solid": [(line.s, False)],
        "dashed": [(line.s, True)],
        "double": [(line.s - offset, False), (line.s + offset, False)],
        "solid_dashed": [(line.s - offset, False), (line.s + offset, True)],
    }[line.style]
    stripes = []
    for s, dashed in parts:
        if not dashed:
            stripes.append((s, z_near, z_far))
            continue
        period = line.dash + line.gap
        start = z_near - ((z_near - line.phase) % period)
        for z0 in np.arange(start, z_far, period):
            a, b = max(z0, z_near), min(z0 + line.dash, z_far)
            if b > a:
                stripes.append((s, float(a), float(b)))
    return stripes


def draw_lines(
    img: np.ndarray, view: View, lines: tuple[LaneLine, ...], *, z_far: float, fade: float = 0.0
) -> None:
    """Paint every line on ``img`` (uint8 ``(H, W, 3)``); ``fade`` mixes the paint toward grey."""
    z_near = view.near_depth()
    for line in lines:
        stripes = line_stripes(line, z_near, z_far)
        if not stripes:
            continue
        long = [st for st in stripes if st[2] - st[1] > 12.0]
        short = [st for st in stripes if st[2] - st[1] <= 12.0]
        polys = fixed_polys(stripe_polygons(view, long, line.width, 40)) if long else []
        if short:
            polys += fixed_polys(stripe_polygons(view, short, line.width, 4))
        colour = tuple(int(c * (1 - fade) + 110 * fade) for c in line.colour)
        cv2.fillPoly(img, polys, colour, lineType=cv2.LINE_AA, shift=SHIFT)


def ground_truth(view: View, line: LaneLine, *, y_top: float) -> np.ndarray:
    """CULane points of ``line``: rows 590, 580, ... down to ``y_top``, inside the image.

    Returns float64 ``(N, 2)`` bottom-up, the longest run of rows whose x lies in
    ``[0, W - 1]`` (``N`` may be 0 or 1 for a line that barely shows).
    """
    ys = np.arange(IMAGE_H, y_top - 1e-9, -10.0)
    if len(ys) == 0:
        return np.zeros((0, 2))
    xs = np.round(view.x_at_rows(line.s, ys), 3)
    inside = (xs >= 0) & (xs <= IMAGE_W - 1)
    best, run_start, best_range = 0, None, (0, 0)
    for i, ok in enumerate(np.append(inside, False)):
        if ok and run_start is None:
            run_start = i
        elif not ok and run_start is not None:
            if i - run_start > best:
                best, best_range = i - run_start, (run_start, i)
            run_start = None
    a, b = best_range
    return np.stack([xs[a:b], ys[a:b]], axis=1)
