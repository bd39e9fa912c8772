"""Scene sampling: each category carries its condition, and the labels follow the painted lines."""

from __future__ import annotations

import numpy as np
import pytest

from lgad_studio.core.demo.render import render_scene
from lgad_studio.core.demo.scene import CATEGORIES, sample_scene
from lgad_studio.core.lanes import assign_slots

SEEDS = range(12)


def _scenes(category: str):
    return [sample_scene(np.random.default_rng([9, s]), category) for s in SEEDS]


@pytest.mark.parametrize("category", CATEGORIES)
def test_slots_are_ego_relative_and_agree_with_the_culane_rule(category: str) -> None:
    for scene in _scenes(category):
        lanes = scene.lanes
        slots = [ln.slot for ln in lanes]
        assert slots == assign_slots([ln.points for ln in lanes], image_size=lanes.image_size)
        if category == "cross":
            assert len(lanes) == 0 and scene.lines == () and scene.crosswalk is not None
        else:
            assert 2 <= len(lanes) <= 4 and {2, 3} <= set(slots)


def test_each_category_carries_its_condition() -> None:
    checks = {
        "crowd": lambda s: len(s.vehicles) >= 3 and min(v.z for v in s.vehicles) < 30,
        "hlight": lambda s: s.sun is not None or s.dazzle > 1.0,
        "shadow": lambda s: len(s.shadows) > 0,
        "noline": lambda s: s.wear >= 0.6 and s.fade >= 0.25,
        "arrow": lambda s: len(s.arrows) > 0,
        "curve": lambda s: abs(s.view.road.curvature) >= 1.8e-3,
        "cross": lambda s: s.cross_road is not None,
        "night": lambda s: s.night >= 0.7,
        "normal": lambda s: not s.night and s.sun is None and s.wear <= 0.3,
    }
    for category, check in checks.items():
        failing = [i for i, s in zip(SEEDS, _scenes(category), strict=True) if not check(s)]
        assert not failing, f"{category}: seeds {failing}"


def test_labels_lie_on_the_paint() -> None:
    """Pixels under the annotated centre lines are brighter than the road 25 px beside them."""
    on, off = [], []
    for seed in range(3):
        scene = sample_scene(np.random.default_rng([4, seed]), "normal")
        grey = render_scene(scene).mean(axis=2)
        for lane in scene.lanes:
            pts = lane.points[lane.points[:, 1] < 580]
            x, y = np.round(pts[:, 0]).astype(int), pts[:, 1].astype(int)
            inside = (x > 30) & (x < 1610) & (y > scene.view.camera.horizon + 60)
            x, y = x[inside], y[inside]
            on.append(grey[y, x])
            off.append(np.concatenate([grey[y, x - 25], grey[y, x + 25]]))
    assert np.mean(np.concatenate(on)) > np.mean(np.concatenate(off)) + 15


def test_night_is_darker_than_day() -> None:
    day = render_scene(sample_scene(np.random.default_rng([3, 0]), "normal"))
    night = render_scene(sample_scene(np.random.default_rng([3, 0]), "night"))
    assert night.mean() < 0.5 * day.mean()
