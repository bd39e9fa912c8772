"""Paint on the road that is not a lane line: arrows between the lines, crosswalks, stop lines.

Shapes are polygons in a local ground frame ``(u, v)`` in metres (``u``
lateral, ``v`` along the road from the tail of the mark) placed at a road-frame
point ``(s, z)`` and projected, so they foreshorten like the road does. None of
them is ever annotated as a lane.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from lgad_studio.core.demo.camera import View
from lgad_studio.core.demo.markings import SHIFT, to_fixed

# Arrow outlines (u, v) in metres, 6 m long as on Chinese urban roads.
_STRAIGHT = [(-0.1, 0), (0.1, 0), (0.1, 4.2), (0.45, 4.0), (0.0, 6.0), (-0.45, 4.0), (-0.1, 4.2)]
_LEFT = [
    (-0.1, 0),
    (0.1, 0),
    (0.1, 4.6),
    (-0.5, 4.6),
    (-0.5, 5.1),
    (-1.15, 4.2),
    (-0.5, 3.3),
    (-0.5, 3.8),
    (-0.1, 3.8),
]
ARROW_SHAPES: dict[str, list[list[tuple[float, float]]]] = {
    "straight": [_STRAIGHT],
    "left": [_LEFT],
    "right": [[(-u, v) for u, v in _LEFT]],
    "straight_left": [_STRAIGHT, _LEFT],
    "straight_right": [_STRAIGHT, [(-u, v) for u, v in _LEFT]],
}


@dataclass(frozen=True)
class Arrow:
    shape: str  # a key of ARROW_SHAPES
    s: float  # lane centre, metres
    z: float  # tail, metres ahead


@dataclass(frozen=True)
class Crosswalk:
    """Zebra stripes across ``[s0, s1]`` from ``z`` to ``z + depth``, and an optional stop line."""

    s0: float
    s1: float
    z: float
    depth: float
    stripe: float = 0.45  # metres wide, one every 2*stripe
    stop_line: bool = True


def _ground_poly(view: View, s: float, z: float, outline: list[tuple[float, float]]) -> np.ndarray:
    uv = np.asarray(outline, dtype=np.float64)
    return to_fixed(view.project(s + uv[:, 0], z + uv[:, 1]))


def draw_arrows(
    img: np.ndarray, view: View, arrows: tuple[Arrow, ...], colour: tuple[int, int, int]
) -> None:
    for a in arrows:
        for outline in ARROW_SHAPES[a.shape]:
            # One call per outline: overlapping outlines in one call would cancel out.
            poly = _ground_poly(view, a.s, a.z, outline)
            cv2.fillPoly(img, [poly], colour, lineType=cv2.LINE_AA, shift=SHIFT)


def draw_crosswalk(
    img: np.ndarray, view: View, walk: Crosswalk, colour: tuple[int, int, int]
) -> None:
    polys = []
    for s in np.arange(walk.s0, walk.s1 - walk.stripe, 2 * walk.stripe):
        rect = [(0, 0), (walk.stripe, 0), (walk.stripe, walk.depth), (0, walk.depth)]
        polys.append(_ground_poly(view, float(s), walk.z, rect))
    if walk.stop_line:
        width = walk.s1 - walk.s0
        polys.append(
            _ground_poly(view, walk.s0, walk.z - 2.5, [(0, 0), (width, 0), (width, 0.4), (0, 0.4)])
        )
    cv2.fillPoly(img, polys, colour, lineType=cv2.LINE_AA, shift=SHIFT)


def sample_arrows(
    rng: np.random.Generator, lane_centres: list[float], *, count: int
) -> tuple[Arrow, ...]:
    """``count`` arrows in the given lanes, 7-30 m ahead, not stacked on each other."""
    out: list[Arrow] = []
    for _ in range(count * 4):
        if len(out) == count:
            break
        s = lane_centres[int(rng.integers(len(lane_centres)))] + float(rng.normal(0.0, 0.1))
        z = float(rng.uniform(6.0, 30.0))
        if any(abs(a.s - s) < 1.0 and abs(a.z - z) < 9.0 for a in out):
            continue
        shape = str(rng.choice(list(ARROW_SHAPES)))
        out.append(Arrow(shape, s, z))
    return tuple(out)
