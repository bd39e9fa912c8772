"""One demo scene: every random choice behind an image, drawn from a per-image generator.

:func:`sample_scene` turns ``(rng, category)`` into a frozen :class:`Scene`
describing the camera, the road, its markings, the clutter and the light, and
its CULane ground truth (``Scene.lanes``). Rendering is
:mod:`.render`'s job, so a scene can be inspected or re-rendered exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from lgad_studio.core.demo.background import Scenery, sample_scenery
from lgad_studio.core.demo.camera import View, sample_camera, sample_road
from lgad_studio.core.demo.layout import RoadLayout, sample_layout
from lgad_studio.core.demo.lighting import Grade, make_grade
from lgad_studio.core.demo.markings import LaneLine, ground_truth
from lgad_studio.core.demo.roadmarks import Arrow, Crosswalk, sample_arrows
from lgad_studio.core.demo.shadows import Shadow, sample_shadows
from lgad_studio.core.demo.textures import ASPHALT_TONES, ROADSIDE_TONES
from lgad_studio.core.demo.vehicles import Vehicle, sample_vehicles
from lgad_studio.core.formats.culane_lists import TEST_CATEGORIES
from lgad_studio.core.lanes import Lane, LaneSet, assign_slots

CATEGORIES = TEST_CATEGORIES  # the nine CULane test categories, in test0..test8 order
MIN_GT_POINTS = 4  # a line showing on fewer CULane rows (30 px) is not annotated


@dataclass(frozen=True)
class Scene:
    category: str
    view: View
    layout: RoadLayout
    lines: tuple[LaneLine, ...]  # painted (empty at a crossroads)
    z_far: float  # metres: where the markings end
    gt_top: float  # highest row of the annotations
    scenery: Scenery
    vehicles: tuple[Vehicle, ...]
    arrows: tuple[Arrow, ...]
    crosswalk: Crosswalk | None
    cross_road: tuple[float, float] | None  # (z0, z1) of a road crossing ours
    shadows: tuple[Shadow, ...]
    asphalt: int  # index into ASPHALT_TONES
    roadside: int  # index into ROADSIDE_TONES
    plate_x: int  # column offset of the texture crop
    wear: float  # 0..1: fraction of paint worn off
    fade: float  # 0..1: paint colour washed toward grey
    night: float  # 0: day; else darkness 0..1 outside the headlights
    sun: tuple[float, float, float] | None  # (x, y, radius px) of a low sun
    dazzle: float  # glow size factor of lamps (1 normal, larger in hlight)
    grade: Grade
    noise_offset: tuple[int, int]
    lanes: LaneSet = LaneSet(())  # the ground truth, filled in by sample_scene


def sample_scene(rng: np.random.Generator, category: str) -> Scene:
    """A random scene of ``category`` whose annotated slots agree with :func:`assign_slots`."""
    if category not in CATEGORIES:
        raise ValueError(f"unknown demo category {category!r}, expected one of {CATEGORIES}")
    for _ in range(20):
        scene = _draw_scene(rng, category)
        lanes = _ego_lanes(scene)
        auto = assign_slots([ln.points for ln in lanes], image_size=lanes.image_size)
        if auto == [ln.slot for ln in lanes]:
            return replace(scene, lanes=lanes)
    # Practically unreachable: keep the last scene with the automatic rule's slots.
    return replace(scene, lanes=lanes.with_auto_slots())


def _draw_scene(rng: np.random.Generator, c: str) -> Scene:
    view = View(sample_camera(rng), sample_road(rng, curve=c == "curve"))
    night, sun, dazzle = _sample_light(rng, c, view)
    layout = sample_layout(rng, noline=c == "noline", oncoming_traffic=dazzle > 1.0)
    left, right = layout.paved_left, layout.paved_right
    vehicles = _sample_traffic(rng, c, layout, headlights=dazzle > 1.0)
    crosswalk, cross_road, lines = None, None, layout.lines
    if c == "cross":  # no lane lines through the junction; traffic only beyond it
        z = float(rng.uniform(9.0, 22.0))
        crosswalk = Crosswalk(left, right, z, float(rng.uniform(3.0, 5.0)))
        cross_road = (z - 1.0, z + float(rng.uniform(14.0, 26.0)))
        lines, vehicles = (), tuple(v for v in vehicles if v.z > cross_road[1])
    ours = [ln.s for ln in layout.lanes if ln.direction > 0]
    arrows = sample_arrows(rng, ours, count=int(rng.integers(1, 4))) if c == "arrow" else ()
    n_shadows = int(rng.integers(1, 4)) if c == "shadow" else int(rng.random() < 0.15)
    shadows = sample_shadows(rng, left=left, right=right, count=n_shadows) if not night else ()
    if c == "noline":
        wear, fade = float(rng.uniform(0.6, 0.92)), float(rng.uniform(0.25, 0.55))
    else:
        wear = float(rng.uniform(0.0, 0.3)) if rng.random() < 0.5 else 0.0
        fade = float(rng.uniform(0.0, 0.15))
    return Scene(
        category=c,
        view=view,
        layout=layout,
        lines=lines,
        z_far=220.0,
        gt_top=view.camera.horizon + float(rng.uniform(12.0, 40.0)),
        scenery=sample_scenery(rng, left=left, right=right, night=night > 0),
        vehicles=vehicles,
        arrows=arrows,
        crosswalk=crosswalk,
        cross_road=cross_road,
        shadows=shadows,
        asphalt=int(rng.integers(len(ASPHALT_TONES))),
        roadside=int(rng.integers(len(ROADSIDE_TONES))),
        plate_x=int(rng.integers(0, 128)),
        wear=wear,
        fade=fade,
        night=night,
        sun=sun,
        dazzle=dazzle,
        grade=_sample_grade(rng, night=night > 0, haze=sun is not None),
        noise_offset=(int(rng.integers(0, 64)), int(rng.integers(0, 64))),
    )


def _sample_light(
    rng: np.random.Generator, c: str, view: View
) -> tuple[float, tuple[float, float, float] | None, float]:
    """``(night darkness, sun (x, y, radius) or None, dazzle)``; hlight is a low sun or
    oncoming headlights at night, half the time each."""
    if c == "night":
        return float(rng.uniform(0.7, 0.85)), None, 1.0
    if c != "hlight":
        return 0.0, None, 1.0
    if rng.random() < 0.5:
        y = view.camera.horizon - float(rng.uniform(-10.0, 70.0))
        return 0.0, (float(rng.uniform(300.0, 1340.0)), y, float(rng.uniform(300.0, 600.0))), 1.0
    return float(rng.uniform(0.7, 0.85)), None, float(rng.uniform(5.0, 9.0))


def _sample_traffic(
    rng: np.random.Generator, c: str, layout: RoadLayout, *, headlights: bool
) -> tuple[Vehicle, ...]:
    """Dense and near for crowd, sparse and far otherwise; ``headlights``: some oncoming car."""
    count = {"crowd": int(rng.integers(5, 10)), "normal": int(rng.integers(0, 3))}.get(
        c, int(rng.integers(0, 4))
    )
    z_min = 7.0 if c == "crowd" else 22.0
    vehicles = sample_vehicles(
        rng, layout, count=count, z_min=z_min, z_max=80.0, dense=c == "crowd"
    )
    if headlights and not any(v.oncoming for v in vehicles):
        lane = layout.lanes[0]  # sample_layout guarantees it is an oncoming lane
        car = Vehicle(
            s=lane.s,
            z=float(rng.uniform(18.0, 45.0)),
            width=1.8,
            height=1.45,
            length=4.5,
            colour=(60, 60, 62),
            kind="car",
            oncoming=True,
        )
        vehicles = tuple(sorted((*vehicles, car), key=lambda v: -v.z))
    return vehicles


def _sample_grade(rng: np.random.Generator, *, night: bool, haze: bool) -> Grade:
    return make_grade(
        exposure=float(rng.uniform(0.85, 1.12)),
        contrast=float(rng.uniform(0.75, 0.9)) if haze else float(rng.uniform(0.88, 1.1)),
        haze=float(rng.uniform(0.12, 0.3)) if haze else float(rng.uniform(0.0, 0.05)),
        noise=float(rng.uniform(5.0, 10.0)) if night else float(rng.uniform(1.5, 4.5)),
        blur=3 if rng.random() < 0.2 else 0,
        jpeg_quality=int(rng.integers(70, 96)),
    )


def _ego_lanes(scene: Scene) -> LaneSet:
    """Annotated lines' centres with ego-relative CULane slots.

    Left of the camera the nearest line is slot 2 and the next slot 1; on the
    right slots 3 and 4. Nothing is annotated at a crossroads (nothing is painted).
    """
    if scene.category == "cross":
        return LaneSet(())
    cam = -scene.view.road.offset  # camera's lateral position in the road frame
    shown = [
        (ln.s, ground_truth(scene.view, ln, y_top=scene.gt_top))
        for ln in scene.layout.lines
        if ln.annotated
    ]
    shown = [(s, pts) for s, pts in shown if len(pts) >= MIN_GT_POINTS]
    left = sorted((item for item in shown if item[0] < cam), key=lambda it: -it[0])[:2]
    right = sorted((item for item in shown if item[0] >= cam), key=lambda it: it[0])[:2]
    lanes = [Lane(pts, slot) for (_, pts), slot in zip(left, (2, 1), strict=False)]
    lanes += [Lane(pts, slot) for (_, pts), slot in zip(right, (3, 4), strict=False)]
    return LaneSet(tuple(sorted(lanes, key=lambda ln: ln.slot)))
