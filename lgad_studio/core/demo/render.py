"""Render a :class:`~lgad_studio.core.demo.scene.Scene` into a 1640x590 BGR frame.

Order: ground plates (roadside, then asphalt through the road mask), sky and
skyline, paint (lines, arrows, crosswalk) and its wear, roadside objects,
vehicles far to near, then light (shade and glow layers), grading and noise.
All drawing is OpenCV at full resolution; textures come precomputed from
:mod:`.textures`, so a frame costs a few milliseconds on one core.
"""

from __future__ import annotations

import cv2
import numpy as np

from lgad_studio.core.demo.background import draw_roadside, draw_sky
from lgad_studio.core.demo.camera import IMAGE_H, IMAGE_W, View
from lgad_studio.core.demo.lighting import (
    add_glow,
    add_lights,
    compose,
    finish,
    new_layers,
    night_shade,
)
from lgad_studio.core.demo.markings import SHIFT, draw_lines, to_fixed
from lgad_studio.core.demo.roadmarks import draw_arrows, draw_crosswalk
from lgad_studio.core.demo.scene import Scene
from lgad_studio.core.demo.shadows import draw_shadows
from lgad_studio.core.demo.textures import PLATE_HORIZON, textures
from lgad_studio.core.demo.vehicles import Light, draw_vehicles

PAINT = (228, 232, 234)


def render_scene(scene: Scene) -> np.ndarray:
    """The scene's frame: ``uint8 (590, 1640, 3)`` BGR, before JPEG compression."""
    view = scene.view
    tex = textures()
    top = PLATE_HORIZON - int(round(view.camera.horizon))
    window = (slice(top, top + IMAGE_H), slice(scene.plate_x, scene.plate_x + IMAGE_W))
    asphalt = tex.asphalt[scene.asphalt][window]
    img = tex.roadside[scene.roadside][window].copy()
    road = _road_mask(scene)
    cv2.copyTo(asphalt, road, img)
    draw_sky(img, view, scene.scenery)
    fade = scene.fade
    draw_lines(img, view, scene.lines, z_far=scene.z_far, fade=fade)
    paint = tuple(int(c * (1 - fade) + 110 * fade) for c in PAINT)
    draw_arrows(img, view, scene.arrows, paint)
    if scene.crosswalk is not None:
        draw_crosswalk(img, view, scene.crosswalk, paint)
    if scene.wear > 0:
        worn = cv2.compare(tex.wear[window], int(scene.wear * 255), cv2.CMP_LT)
        cv2.copyTo(asphalt, cv2.bitwise_and(worn, road), img)
    layout = scene.layout
    lamps = draw_roadside(
        img,
        view,
        scene.scenery,
        left=layout.paved_left,
        right=layout.paved_right,
        z_far=scene.z_far,
        gap=scene.cross_road,
    )
    lights = draw_vehicles(img, view, scene.vehicles)
    _light(img, scene, lamps, lights)
    return finish(img, scene.grade, scene.noise_offset)


def _road_mask(scene: Scene) -> np.ndarray:
    """uint8 ``(H, W)``: 255 on the paved surface (our road and any crossing road)."""
    view = scene.view
    mask = np.zeros((IMAGE_H, IMAGE_W), np.uint8)
    zs = view.depths(view.near_depth(), 2000.0, 40)
    left = view.project(scene.layout.paved_left, zs)
    right = view.project(scene.layout.paved_right, zs[::-1])
    polys = [to_fixed(np.concatenate([left, right]))]
    if scene.cross_road is not None:
        z0, z1 = scene.cross_road
        wide = view.project(np.array([-80.0, 80.0, 80.0, -80.0]), np.array([z0, z0, z1, z1]))
        polys.append(to_fixed(wide))
    cv2.fillPoly(mask, polys, 255, lineType=cv2.LINE_8, shift=SHIFT)
    return mask


def _light(img: np.ndarray, scene: Scene, lamps: list[Light], lights: list[Light]) -> None:
    """Shadows, night and dazzle: the shade and glow layers composed over ``img``."""
    if not (scene.night or scene.sun or scene.shadows):
        return  # nothing to shade or light: skip both layers (most daytime frames)
    view: View = scene.view
    shade, glow = new_layers()
    draw_shadows(shade, view, scene.shadows)
    use_glow = False
    if scene.night:
        pools = tuple((float(p.s), float(p.z)) for p in scene.scenery.posts if not p.crown)
        night_shade(shade, view, darkness=scene.night, lamps=pools)
        facing = [lt for lt in lights if lt.facing]
        add_lights(glow, facing, scale=4.0 * scene.dazzle, reflections=True)
        others = [lt for lt in lights if not lt.facing]
        add_lights(glow, [*lamps, *others], scale=4.0, reflections=True)
        use_glow = True
    if scene.sun is not None:
        x, y, r = scene.sun
        add_glow(glow, x, y, rx=0.5 * r, colour=(245, 252, 255), strength=3.0)  # the disc
        add_glow(glow, x, y, rx=2.5 * r, colour=(215, 238, 250), strength=0.9)  # bloom
        add_glow(glow, x, y, rx=5.0 * r, ry=0.2 * r, colour=(220, 240, 255), strength=0.5)  # streak
        road_y = view.camera.horizon + 0.35 * r  # glare reflected by the road surface
        add_glow(glow, x, road_y, rx=0.5 * r, ry=1.5 * r, colour=(200, 225, 240), strength=0.35)
        cx, cy = IMAGE_W / 2, IMAGE_H / 2
        for k, size in ((0.6, 0.12), (1.3, 0.08), (1.8, 0.2)):  # lens flare ghosts
            gx, gy = cx + (cx - x) * k, cy + (cy - y) * k
            add_glow(glow, gx, gy, rx=r * size, colour=(200, 235, 220), strength=0.3)
        use_glow = True
    compose(img, shade, glow if use_glow else None)
