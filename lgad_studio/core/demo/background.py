"""Everything beside the road: sky, the skyline on the horizon, and roadside objects.

Roadside objects (curbs, guard rails, buildings, lamp posts, trees) stand on
the ground in the road frame of :mod:`.camera`, so they shrink toward the
vanishing point like the road does; the skyline is flat, in image coordinates
above the horizon row.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import cv2
import numpy as np

from lgad_studio.core.demo.camera import IMAGE_W, View
from lgad_studio.core.demo.markings import SHIFT, fixed_polys
from lgad_studio.core.demo.vehicles import Light

Colour = tuple[int, int, int]
AA = cv2.LINE_AA


@dataclass(frozen=True)
class Post:
    """A lamp post (or a tree when ``crown`` > 0) at road-frame ``(s, z)``."""

    s: float
    z: float
    height: float
    crown: float  # crown radius in metres; 0 for a lamp post
    colour: Colour


@dataclass(frozen=True)
class Building:
    """A block beside the road: its facade at offset ``s`` from ``z0`` to ``z1``, ``height`` m."""

    s: float
    z0: float
    z1: float
    height: float
    colour: Colour


@dataclass(frozen=True)
class Scenery:
    sky_top: Colour
    sky_horizon: Colour
    skyline: tuple[tuple[float, float, float, Colour], ...]  # (x0, x1, height_px, colour)
    rail_left: bool
    rail_right: bool
    buildings: tuple[Building, ...]  # far to near
    posts: tuple[Post, ...]  # far to near


def _mix(a: Colour, b: Colour, t: float) -> Colour:
    return tuple(int(x * (1 - t) + y * t) for x, y in zip(a, b, strict=True))  # type: ignore[return-value]


def sample_scenery(rng: np.random.Generator, *, left: float, right: float, night: bool) -> Scenery:
    if night:
        top, horizon = (18, 10, 6), (46, 48, 58)
    else:
        tone = float(rng.uniform(0.0, 1.0))  # 0 clear blue .. 1 hazy grey
        top = _mix((215, 160, 110), (200, 196, 192), tone)
        horizon = _mix((235, 215, 200), (222, 222, 220), tone)
    n = 16
    widths = rng.uniform(70.0, 260.0, n)
    xs = rng.uniform(-100.0, 0.0) + np.cumsum(widths * rng.uniform(0.6, 1.1, n)) - widths
    heights = rng.uniform(8.0, 110.0, n) * np.where(rng.random(n) < 0.7, 1.0, 0.3)
    greys = rng.uniform(12, 30, n) if night else rng.uniform(60, 170, n)
    skyline = tuple(
        (float(x), float(x + w), float(h), (int(g) + 10, int(g) + 5, int(g)))
        for x, w, h, g in zip(xs, widths, heights, greys, strict=True)
        if x < IMAGE_W
    )
    buildings: list[Building] = []
    posts: list[Post] = []
    lamp_gap = float(rng.uniform(20.0, 40.0))
    for edge, sign in ((left, -1.0), (right, 1.0)):
        if rng.random() < 0.4:
            buildings += _sample_buildings(rng, edge + sign * rng.uniform(3.0, 9.0), night=night)
        if rng.random() < 0.6:
            for z in np.arange(rng.uniform(3.0, lamp_gap), 160.0, lamp_gap):
                posts.append(
                    Post(
                        edge + sign * 0.8,
                        float(z),
                        float(rng.uniform(7.0, 10.0)),
                        0.0,
                        (90, 92, 95),
                    )
                )
        if rng.random() < 0.5:
            zs = np.arange(rng.uniform(2.0, 9.0), 80.0, rng.uniform(7.0, 14.0))
            for z, off, h, crown, g in zip(
                zs, rng.uniform(1.5, 3.5, len(zs)), rng.uniform(4.0, 8.0, len(zs)),
                rng.uniform(1.5, 3.0, len(zs)), rng.uniform(0.0, 1.0, len(zs)), strict=True,
            ):  # fmt: skip
                green = _mix((34, 96, 52), (52, 110, 92), float(g))
                posts.append(
                    Post(edge + sign * float(off), float(z), float(h), float(crown), green)
                )
    return Scenery(
        sky_top=top,
        sky_horizon=horizon,
        skyline=skyline,
        rail_left=bool(rng.random() < 0.35),
        rail_right=bool(rng.random() < 0.35),
        buildings=tuple(sorted(buildings, key=lambda b: -b.z0)),
        posts=tuple(sorted(posts, key=lambda p: -p.z)),
    )


def _sample_buildings(rng: np.random.Generator, s: float, *, night: bool) -> list[Building]:
    out, z = [], float(rng.uniform(0.0, 15.0))
    while z < 180.0:
        length = float(rng.uniform(12.0, 45.0))
        g = float(rng.uniform(25, 45)) if night else float(rng.uniform(95, 200))
        colour = (int(g), int(g + rng.uniform(-8, 8)), int(g - rng.uniform(0, 14)))
        out.append(Building(s, z, z + length, float(rng.uniform(6.0, 30.0)), colour))
        z += length + float(rng.uniform(0.0, 12.0))
    return out


def draw_sky(img: np.ndarray, view: View, sc: Scenery) -> None:
    """Gradient sky above the horizon row and the skyline standing on it."""
    hz = int(np.ceil(view.camera.horizon))
    t = np.linspace(0.0, 1.0, hz)[:, None] ** 1.5
    col = np.asarray(sc.sky_top, np.float64) * (1 - t) + np.asarray(sc.sky_horizon, np.float64) * t
    column = col.astype(np.uint8)[:, None, :]
    cv2.resize(column, (IMAGE_W, hz), dst=img[:hz], interpolation=cv2.INTER_NEAREST)
    if not sc.skyline:
        return
    sky = np.array([(x0, x1, h) for x0, x1, h, _ in sc.skyline])
    base, top = view.camera.horizon + 2, view.camera.horizon - sky[:, 2]
    quads = np.stack(
        [
            sky[:, 0],
            np.full(len(sky), base),
            sky[:, 1],
            np.full(len(sky), base),
            sky[:, 1],
            top,
            sky[:, 0],
            top,
        ],
        axis=1,
    ).reshape(-1, 4, 2)
    for quad, (*_, colour) in zip(fixed_polys(quads), sc.skyline, strict=True):
        cv2.fillPoly(img, [quad], colour, lineType=AA, shift=SHIFT)


def _vfaces(
    view: View,
    s: np.ndarray,
    z0: np.ndarray,
    z1: np.ndarray,
    up0: np.ndarray,
    up1: np.ndarray,
    n: int = 2,
) -> list[np.ndarray]:
    """Upright faces along the road: face k spans ``[z0, z1] x [up0, up1]`` at offset ``s``.

    All arguments broadcast to ``(K,)``; each edge gets ``n`` points (more bend with the road).
    """
    s, z0, z1, up0, up1 = np.broadcast_arrays(
        *(np.atleast_1d(np.asarray(a, float)) for a in (s, z0, z1, up0, up1))
    )
    t = np.linspace(0.0, 1.0, n)
    inv = (1.0 / z0)[:, None] * (1 - t) + (1.0 / z1)[:, None] * t
    z = 1.0 / np.concatenate([inv, inv[:, ::-1]], axis=1)
    up = np.concatenate([np.repeat(up0[:, None], n, 1), np.repeat(up1[:, None], n, 1)], axis=1)
    xy = view.project(s[:, None], z, up).reshape(len(z), 2 * n, 2)
    return fixed_polys(xy)


def draw_roadside(
    img: np.ndarray,
    view: View,
    sc: Scenery,
    *,
    left: float,
    right: float,
    z_far: float,
    gap: tuple[float, float] | None = None,
) -> list[Light]:
    """Buildings, curbs, guard rails, lamp posts and trees; returns the lamps' heads.

    ``gap = (z0, z1)`` interrupts them all where a road crosses ours.
    """
    z0 = view.near_depth()
    spans = [(z0, z_far)] if gap is None else [(z0, gap[0]), (gap[1], z_far)]
    spans = [(a, b) for a, b in spans if b > a]
    _draw_buildings(img, view, _outside(sc.buildings, spans), z_near=z0)
    sides = np.array([left, right])
    starts, ends = (np.array([sp[k] for sp in spans]) for k in (0, 1))
    curbs = _vfaces(
        view, np.tile(sides, len(spans)), np.repeat(starts, 2), np.repeat(ends, 2), 0.0, 0.15, 24
    )
    cv2.fillPoly(img, curbs, (150, 152, 150), lineType=AA, shift=SHIFT)
    rails = [s for flag, s in ((sc.rail_left, left - 0.3), (sc.rail_right, right + 0.3)) if flag]
    if rails:
        zs = np.arange(z0, 120.0, 4.0)
        zs = zs[np.any([(zs >= a) & (zs < b) for a, b in spans], axis=0)]
        rs = np.repeat(rails, len(zs))
        zz = np.tile(zs, len(rails))
        posts = _vfaces(view, rs, zz, zz + 0.12, 0.0, 0.75)
        cv2.fillPoly(img, posts, (70, 72, 74), lineType=AA, shift=SHIFT)
        n = len(spans)
        beams = _vfaces(
            view,
            np.repeat(rails, n),
            np.tile(starts, len(rails)),
            np.tile(ends, len(rails)),
            0.5,
            0.8,
            24,
        )
        cv2.fillPoly(img, beams, (176, 180, 182), lineType=AA, shift=SHIFT)
    posts = [p for p in sc.posts if p.z >= z0 * 0.9 and any(a <= p.z < b for a, b in spans)]
    return _draw_posts(img, view, posts)


def _outside(blocks: tuple[Building, ...], spans: list[tuple[float, float]]) -> list[Building]:
    """The parts of ``blocks`` that lie within ``spans`` (far to near order kept)."""
    out = []
    for b in blocks:
        for a, e in spans:
            z0, z1 = max(b.z0, a), min(b.z1, e)
            if z1 > z0:
                out.append(replace(b, z0=z0, z1=z1))
    return sorted(out, key=lambda b: -b.z0)


def _draw_buildings(img: np.ndarray, view: View, blocks: list[Building], *, z_near: float) -> None:
    """Facades, the end walls facing the camera, and rows of windows (far to near)."""
    if not blocks:
        return
    s = np.array([b.s for b in blocks])
    z0 = np.maximum([b.z0 for b in blocks], z_near)
    z1 = np.array([b.z1 for b in blocks])
    h = np.array([b.height for b in blocks])
    facades = _vfaces(view, s, z0, z1, 0.0, h)
    away = s + np.sign(s) * 12.0  # the blocks' far corners, away from the road
    ends = view.project(
        np.stack([s, away, away, s], 1), z0[:, None], np.stack([0 * h, 0 * h, h, h], 1)
    ).reshape(-1, 4, 2)
    ends = fixed_polys(ends)
    # Windows: 1.4 x 1.5 m every 2.6 m along and 3 m up each facade, projected in one go.
    # Beyond 70 m a window is a few pixels: far facades get none.
    grids = [
        np.meshgrid(
            np.arange(zs + 0.8, min(b.z1, 70.0) - 1.4, 2.6), np.arange(1.2, b.height - 1.0, 3.0)
        )
        for b, zs in zip(blocks, z0, strict=True)
    ]
    bounds = np.cumsum([0] + [fz.size for fz, _ in grids])
    windows: list[np.ndarray] = []
    if bounds[-1]:
        ws = np.repeat(s, np.diff(bounds))
        wz = np.concatenate([fz.ravel() for fz, _ in grids])
        wu = np.concatenate([fu.ravel() for _, fu in grids])
        windows = _vfaces(view, ws, wz, wz + 1.4, wu, wu + 1.5)
    for k, b in enumerate(blocks):
        if b.z0 >= z_near:
            dark = tuple(int(c * 0.75) for c in b.colour)
            cv2.fillPoly(img, [ends[k]], dark, lineType=AA, shift=SHIFT)
        cv2.fillPoly(img, [facades[k]], b.colour, lineType=AA, shift=SHIFT)
        mine = windows[bounds[k] : bounds[k + 1]]
        if not mine:
            continue
        if b.colour[0] > 60:  # daytime: dark glass
            cv2.fillPoly(img, mine, (60, 58, 52), lineType=cv2.LINE_8, shift=SHIFT)
        else:  # night: some rooms lit (a fixed scatter), the rest dark
            lit = [w for i, w in enumerate(mine) if (i * 7919 + k * 104729) % 7 < 3]
            cv2.fillPoly(img, mine, (30, 32, 34), lineType=cv2.LINE_8, shift=SHIFT)
            if lit:
                cv2.fillPoly(img, lit, (90, 170, 210), lineType=cv2.LINE_8, shift=SHIFT)


def _draw_posts(img: np.ndarray, view: View, posts: list[Post]) -> list[Light]:
    """Lamp posts and trees, far to near; returns the lamps' heads."""
    if not posts:
        return []
    s = np.array([p.s for p in posts])
    z = np.array([p.z for p in posts])
    h = np.array([p.height for p in posts])
    arm_s = s - np.sign(s) * 1.5
    xy = view.project(
        np.stack([s, s, arm_s], 1), np.stack([z, z, z], 1), np.stack([0 * h, h, h], 1)
    )
    base, top, arm = (np.round(xy.reshape(-1, 3, 2)[:, k]).astype(int) for k in range(3))
    lights = []
    for i, p in enumerate(posts):
        px_per_m = view.camera.focal / p.z
        thick = max(1, int(round(0.18 * px_per_m)))
        trunk = p.colour if not p.crown else (40, 52, 60)
        cv2.line(img, tuple(base[i]), tuple(top[i]), trunk, thick, AA)
        if p.crown:
            axes = (max(1, int(p.crown * px_per_m)), max(1, int(p.crown * 1.2 * px_per_m)))
            cv2.ellipse(img, tuple(top[i]), axes, 0, 0, 360, p.colour, -1, AA)
            dark = tuple(int(c * 0.7) for c in p.colour)
            lower = (int(top[i][0]), int(top[i][1] + axes[1] * 0.35))
            cv2.ellipse(img, lower, (axes[0] * 4 // 5, axes[1] * 3 // 5), 0, 0, 180, dark, -1, AA)
        else:
            cv2.line(img, tuple(top[i]), tuple(arm[i]), p.colour, thick, AA)
            radius = max(2.0, 0.35 * px_per_m)
            lights.append(
                Light(float(arm[i][0]), float(arm[i][1] + thick), radius, (170, 225, 250), 0.9)
            )
    return lights
