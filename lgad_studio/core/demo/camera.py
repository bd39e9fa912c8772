"""Road geometry and the pinhole camera that looks at it.

Frames: the *road* frame ``(s, z)`` gives a ground point by its lateral offset
``s`` (metres, right positive) from the ego lane's centre line and its distance
``z`` (metres) ahead of the camera. The *world* frame puts the camera at
``X = 0`` with the road's centre line at ``X = offset + yaw*z + curvature*z**2``.
A ground point projects to ``xy_image`` as ``x = cx + f*X/z``,
``y = horizon + f*(height - Y)/z`` (Y = height above the ground), so straight
lines meet at the vanishing point on the horizon row.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

IMAGE_W, IMAGE_H = 1640, 590


@dataclass(frozen=True)
class Camera:
    """Pinhole camera at ``height`` metres, looking along the road; ``horizon`` is a row."""

    focal: float  # pixels
    cx: float  # column of the optical axis
    horizon: float  # row of the horizon (the camera's pitch)
    height: float  # metres above the ground

    def depth_at_row(self, y: np.ndarray | float) -> np.ndarray:
        """Distance ``z`` of the ground seen at row(s) ``y`` (rows below the horizon)."""
        return self.focal * self.height / (np.asarray(y, dtype=np.float64) - self.horizon)

    def row_at_depth(self, z: np.ndarray | float, up: np.ndarray | float = 0.0) -> np.ndarray:
        """Row of a point ``up`` metres above the ground at distance ``z``."""
        z = np.asarray(z, dtype=np.float64)
        return self.horizon + self.focal * (self.height - np.asarray(up)) / z


@dataclass(frozen=True)
class Road:
    """The ego lane's centre line in the world frame: ``X(z) = offset + yaw*z + curvature*z**2``."""

    offset: float  # metres; the camera sits -offset from the ego lane centre
    yaw: float  # tangent of the heading difference
    curvature: float  # half the path curvature, 1/m

    def centre_x(self, z: np.ndarray) -> np.ndarray:
        z = np.asarray(z, dtype=np.float64)
        return self.offset + self.yaw * z + self.curvature * z * z


@dataclass(frozen=True)
class View:
    """A camera on a road: projects road-frame points into the image."""

    camera: Camera
    road: Road

    def project(
        self, s: np.ndarray | float, z: np.ndarray | float, up: np.ndarray | float = 0.0
    ) -> np.ndarray:
        """``xy_image`` of road-frame points ``(s, z)`` at height ``up``: float64 ``(N, 2)``."""
        cam, road = self.camera, self.road
        z = np.asarray(z, dtype=np.float64)
        x = cam.cx + cam.focal * (road.offset + road.yaw * z + road.curvature * z * z + s) / z
        y = cam.horizon + cam.focal * (cam.height - np.asarray(up, dtype=np.float64)) / z
        x, y = np.ravel(x), np.ravel(y)
        out = np.empty((max(x.size, y.size), 2))
        out[:, 0] = x
        out[:, 1] = y
        return out

    def x_at_rows(self, s: float, ys: np.ndarray) -> np.ndarray:
        """Columns of the road line at lateral offset ``s`` on the ground rows ``ys``."""
        z = self.camera.depth_at_row(ys)
        return self.camera.cx + self.camera.focal * (self.road.centre_x(z) + s) / z

    def near_depth(self) -> float:
        """Distance of the ground a little below the bottom row (polygons start there)."""
        return float(self.camera.depth_at_row(IMAGE_H + 40))

    def depths(self, z0: float, z1: float, n: int) -> np.ndarray:
        """``n`` distances from ``z0`` to ``z1`` evenly spaced in image rows (in ``1/z``)."""
        return 1.0 / np.linspace(1.0 / z0, 1.0 / z1, n)


def sample_camera(rng: np.random.Generator) -> Camera:
    """A dash-cam pose like CULane's: horizon 225-310 px, 1.2-2.1 m high, ~80 degree FOV."""
    return Camera(
        focal=float(rng.uniform(950.0, 1150.0)),
        cx=float(IMAGE_W / 2 + rng.uniform(-40.0, 40.0)),
        horizon=float(rng.uniform(225.0, 310.0)),
        height=float(rng.uniform(1.2, 2.1)),
    )


def sample_road(rng: np.random.Generator, *, curve: bool) -> Road:
    """Gentle bends for most scenes; ``curve`` gives a clear left or right bend."""
    if curve:
        sign = float(rng.choice([-1.0, 1.0]))
        curvature = sign * float(rng.uniform(1.8e-3, 5.0e-3))
        yaw = sign * float(rng.uniform(0.0, 0.04))
    else:
        curvature = float(rng.uniform(-3e-4, 3e-4))
        yaw = float(rng.uniform(-0.02, 0.02))
    return Road(offset=float(rng.uniform(-0.35, 0.35)), yaw=yaw, curvature=curvature)
