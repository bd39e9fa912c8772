"""Shadows cast across the road by trees, buildings, poles and overpasses.

Each shadow is a polygon on the ground in the road frame ``(s, z)`` (metres)
with a strength (fraction of light removed); tree crowns are clusters of
ellipses with sun flecks (strength 0) punched through. They are drawn into the
half-resolution shade layer of :mod:`.lighting`, so their edges come out soft.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from lgad_studio.core.demo.camera import View
from lgad_studio.core.demo.markings import SHIFT, to_fixed


@dataclass(frozen=True)
class Shadow:
    outline: tuple[tuple[float, float], ...]  # (s, z) vertices, metres
    strength: float  # 0 (a sun fleck) .. 1 (black)


def _ellipse(
    s: float, z: float, rs: float, rz: float, n: int = 14
) -> tuple[tuple[float, float], ...]:
    t = np.linspace(0.0, 2 * np.pi, n, endpoint=False)
    return tuple((float(s + rs * np.cos(a)), float(z + rz * np.sin(a))) for a in t)


def _quad(
    s0: float, s1: float, z0: float, z1: float, skew: float
) -> tuple[tuple[float, float], ...]:
    """A band ``[s0, s1] x [z0, z1]`` whose near and far edges slant by ``skew`` metres per metre."""
    return ((s0, z0), (s1, z0 + skew * (s1 - s0)), (s1, z1 + skew * (s1 - s0)), (s0, z1))


def sample_shadows(
    rng: np.random.Generator, *, left: float, right: float, count: int
) -> tuple[Shadow, ...]:
    """``count`` shadow casters over a road paved from ``left`` to ``right`` (metres)."""
    out: list[Shadow] = []
    strength = float(rng.uniform(0.45, 0.7))
    for _ in range(count):
        kind = str(rng.choice(["trees", "band", "side", "poles"], p=[0.45, 0.2, 0.2, 0.15]))
        z = float(rng.uniform(3.0, 28.0))
        skew = float(rng.uniform(-0.4, 0.4))
        if kind == "trees":  # a row of crowns beside the road, reaching over it
            edge, inward = (left, 1.0) if rng.random() < 0.5 else (right, -1.0)
            centre = edge + inward * float(rng.uniform(0.0, 4.0))
            for _ in range(int(rng.integers(3, 8))):
                s = centre + float(rng.normal(0.0, 2.5))
                zz = z + float(rng.uniform(-3.0, 12.0))
                rs, rz = float(rng.uniform(1.2, 3.5)), float(rng.uniform(1.5, 4.0))
                out.append(Shadow(_ellipse(s, zz, rs, rz), strength))
            for _ in range(int(rng.integers(2, 7))):  # sun flecks through the crowns
                s = centre + float(rng.normal(0.0, 2.0))
                zz = z + float(rng.uniform(-2.0, 10.0))
                rs, rz = float(rng.uniform(0.2, 0.6)), float(rng.uniform(0.3, 0.9))
                out.append(Shadow(_ellipse(s, zz, rs, rz, 8), 0.0))
        elif kind == "band":  # overpass or a building across the road
            depth = float(rng.uniform(3.0, 15.0))
            out.append(Shadow(_quad(left - 8, right + 8, z, z + depth, skew), strength))
        elif kind == "side":  # a building beside the road shades part of it
            cut = float(rng.uniform(left, right))
            s0, s1 = (left - 15, cut) if rng.random() < 0.5 else (cut, right + 15)
            out.append(Shadow(_quad(s0, s1, z, z + rng.uniform(10.0, 60.0), skew * 0.3), strength))
        else:  # lamp posts: thin slanted stripes
            gap = float(rng.uniform(8.0, 20.0))
            for k in range(int(rng.integers(2, 5))):
                zz = z + k * gap
                out.append(Shadow(_quad(left - 2, right + 2, zz, zz + 0.3, skew), strength))
    return tuple(out)


def draw_shadows(shade: np.ndarray, view: View, shadows: tuple[Shadow, ...]) -> None:
    """Fill the shadows into the half-resolution ``shade`` layer (in the given order)."""
    for sh in shadows:
        pts = np.asarray(sh.outline, dtype=np.float64)
        z = np.maximum(pts[:, 1], 2.0)  # nothing behind the camera
        poly = to_fixed(view.project(pts[:, 0], z) / 2.0)
        v = int(round(255 * sh.strength))
        cv2.fillPoly(shade, [poly], v, lineType=cv2.LINE_AA, shift=SHIFT)
