"""Vehicles on the road: boxes in the road frame drawn as rear (or front) faces, sides and roofs.

Vehicles are drawn far to near so nearer ones hide farther ones and the lane
markings beneath them; the ground truth ignores them (CULane annotates a lane's
true course under the traffic). Each vehicle also reports its lamps as
:class:`Light` sources so that night and dazzle scenes can make them glow.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from lgad_studio.core.demo.camera import View
from lgad_studio.core.demo.layout import RoadLayout
from lgad_studio.core.demo.markings import SHIFT, fixed_polys

BODY_COLOURS = (
    (235, 235, 232),
    (178, 180, 182),
    (40, 40, 42),
    (88, 90, 94),
    (40, 40, 150),
    (120, 70, 40),
    (60, 95, 70),
)


@dataclass(frozen=True)
class Light:
    """A lamp in the picture: ``xy_image`` centre, radius in pixels, BGR colour, strength 0-1."""

    x: float
    y: float
    radius: float
    colour: tuple[int, int, int]
    strength: float
    facing: bool = False  # shines into the camera (headlights of oncoming traffic)


@dataclass(frozen=True)
class Vehicle:
    s: float  # lateral centre, metres
    z: float  # distance of the face towards the camera, metres
    width: float
    height: float
    length: float
    colour: tuple[int, int, int]
    kind: str  # "car", "van" or "truck"
    oncoming: bool  # facing the camera (headlights) instead of away (tail lights)


def sample_vehicles(
    rng: np.random.Generator,
    layout: RoadLayout,
    *,
    count: int,
    z_min: float,
    z_max: float,
    dense: bool = False,
) -> tuple[Vehicle, ...]:
    """Up to ``count`` vehicles in the layout's lanes without overlapping each other.

    ``dense`` (crowded traffic) favours near distances and the lanes beside the
    ego lane, where vehicles hide the lane lines.
    """
    taken: list[tuple[float, float, float]] = []  # (s, z0, z1)
    out = []
    lanes = layout.lanes
    weights = np.array([1.0 / (1.0 + abs(ln.s) / 3.5) ** (3 if dense else 0) for ln in lanes])
    weights /= weights.sum()
    for _ in range(count * 4):
        if len(out) == count:
            break
        lane = lanes[int(rng.choice(len(lanes), p=weights))]
        kind = str(rng.choice(["car", "van", "truck"], p=[0.65, 0.2, 0.15]))
        width, height, length = {
            "car": (1.8, 1.45, 4.5),
            "van": (1.95, 2.1, 5.0),
            "truck": (2.45, 3.4, 9.0),
        }[kind]
        near = max(z_min, 9.0 if lane.s == 0 else z_min)
        u = float(rng.random()) ** (2.0 if dense else 1.0)
        z = near + (z_max - near) * u
        # Dense traffic drifts across the lines (lane changes); otherwise vehicles keep lane.
        s = lane.s + float(rng.normal(0.0, 0.6 if dense else 0.25))
        if any(
            abs(s - ts) < 2.6 and z < t1 + 4.0 and z + length + 4.0 > t0 for ts, t0, t1 in taken
        ):
            continue
        taken.append((s, z, z + length))
        colour = BODY_COLOURS[int(rng.integers(len(BODY_COLOURS)))]
        jitter = rng.integers(-10, 10, 3)
        out.append(
            Vehicle(
                s=s,
                z=z,
                width=width * float(rng.uniform(0.95, 1.05)),
                height=height * float(rng.uniform(0.93, 1.08)),
                length=length,
                colour=tuple(
                    min(255, max(0, c + int(j))) for c, j in zip(colour, jitter, strict=True)
                ),
                kind=kind,
                oncoming=lane.direction < 0,
            )
        )
    return tuple(sorted(out, key=lambda v: -v.z))


def _shade(colour: tuple[int, int, int], k: float) -> tuple[int, int, int]:
    return tuple(min(255, int(c * k)) for c in colour)  # type: ignore[return-value]


def draw_vehicles(img: np.ndarray, view: View, vehicles: tuple[Vehicle, ...]) -> list[Light]:
    """Draw ``vehicles`` (far to near) on ``img``; returns their lamps."""
    lights: list[Light] = []
    for v in vehicles:
        faces = _faces(view, v)
        corners = np.array([c for _, quad in faces for c in quad], dtype=np.float64)
        xy = view.project(corners[:, 0], corners[:, 1], corners[:, 2]).reshape(-1, 4, 2)
        for (colour, _), quad in zip(faces, fixed_polys(xy), strict=True):
            cv2.fillPoly(img, [quad], colour, lineType=cv2.LINE_AA, shift=SHIFT)
        for lamp in xy[-2:]:  # the last two faces are the lamps
            centre = lamp.mean(axis=0)
            radius = float(abs(lamp[1, 0] - lamp[0, 0]))
            colour = faces[-1][0]
            strength = 1.0 if v.oncoming else 0.8
            x, y = float(centre[0]), float(centre[1])
            lights.append(Light(x, y, radius, colour, strength, facing=v.oncoming))
    return lights


Quad = list[tuple[float, float, float]]  # four (s, z, up) corners


def _faces(view: View, v: Vehicle) -> list[tuple[tuple[int, int, int], Quad]]:
    """The vehicle's visible faces, back to front, as ``(colour, corners)``; lamps last."""
    l, r, z0, z1, top = v.s - v.width / 2, v.s + v.width / 2, v.z, v.z + v.length, v.height
    faces: list[tuple[tuple[int, int, int], Quad]] = [
        (
            (22, 22, 24),
            [(l - 0.2, z0 - 0.3, 0), (r + 0.2, z0 - 0.3, 0), (r + 0.1, z1, 0), (l - 0.1, z1, 0)],
        )
    ]
    cam_x = -float(view.road.centre_x(np.array(z0)))  # the camera's offset in the road frame
    side = l if cam_x < l else r if cam_x > r else None
    if side is not None:
        faces.append(
            (
                _shade(v.colour, 0.62),
                [(side, z0, 0.3), (side, z1, 0.3), (side, z1, top), (side, z0, top)],
            )
        )
    if view.camera.height > top:
        faces.append(
            (_shade(v.colour, 1.08), [(l, z0, top), (r, z0, top), (r, z1, top), (l, z1, top)])
        )
    zw = z0 + 0.4
    for ws in (l + 0.35, r - 0.35):
        faces.append(
            (
                (18, 18, 18),
                [(ws - 0.3, zw, 0), (ws + 0.3, zw, 0), (ws + 0.3, zw, 0.55), (ws - 0.3, zw, 0.55)],
            )
        )
    faces.append((v.colour, _rect(l, r, z0, 0.3, top)))
    if v.kind == "truck":
        lo, hi, inset = top * 0.92, top * 0.96, 0.1
    else:
        lo, hi, inset = top * 0.62, top * 0.92, 0.18
    glass = [
        (l + inset, z0, lo),
        (r - inset, z0, lo),
        (r - inset - 0.1, z0, hi),
        (l + inset + 0.1, z0, hi),
    ]
    faces.append(((44, 40, 38) if not v.oncoming else (70, 62, 58), glass))
    faces.append((_shade(v.colour, 0.45), _rect(l, r, z0, 0.3, 0.48)))
    faces.append(
        (
            (150, 90, 30) if not v.oncoming else (40, 200, 220),
            _rect(v.s - 0.25, v.s + 0.25, z0, 0.5, 0.62),
        )
    )
    lamp_lo = 0.62 if v.kind != "truck" else 0.5
    lamp = (40, 40, 210) if not v.oncoming else (225, 240, 245)
    faces.append((lamp, _rect(l + 0.06, l + 0.36, z0, lamp_lo, lamp_lo + 0.14)))
    faces.append((lamp, _rect(r - 0.36, r - 0.06, z0, lamp_lo, lamp_lo + 0.14)))
    return faces


def _rect(s0: float, s1: float, z: float, up0: float, up1: float) -> Quad:
    """An upright rectangle facing the camera at distance ``z``."""
    return [(s0, z, up0), (s1, z, up0), (s1, z, up1), (s0, z, up1)]
