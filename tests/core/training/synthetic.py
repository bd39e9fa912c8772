"""A tiny synthetic CULane root for engine tests: straight lanes on grey, 1640x590 JPEGs."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from lgad_studio.core.formats.culane_lines import write_lines_txt
from lgad_studio.core.formats.culane_lists import write_culane_lists
from lgad_studio.core.lanes import Lane, LaneSet

W, H = 1640, 590


def synthetic_lanes(rng: np.random.Generator) -> LaneSet:
    """2-4 straight lanes converging to a vanishing point, bottom-up points every 10 px."""
    vx, vy = W / 2 + rng.uniform(-150, 150), 250 + rng.uniform(-20, 20)
    count = int(rng.integers(2, 5))
    bottoms = np.sort(rng.uniform(-200, W + 200, size=count))
    if count == 2:  # an ego pair straddling the centre
        bottoms = np.array([W / 2 - rng.uniform(250, 500), W / 2 + rng.uniform(250, 500)])
    ys = np.arange(H - 1, vy + 40, -10.0)
    lanes = []
    for xb in bottoms:
        xs = xb + (vx - xb) * (H - 1 - ys) / (H - 1 - vy)
        lanes.append(Lane(np.stack([xs, ys], axis=1)))
    return LaneSet(tuple(lanes), image_size=(W, H)).with_auto_slots()


def draw(lanes: LaneSet, rng: np.random.Generator) -> np.ndarray:
    img = np.full((H, W, 3), 90, np.uint8)
    img[:250] = (150, 170, 200)
    for lane in lanes:
        pts = np.round(lane.points).astype(np.int32).reshape(-1, 1, 2)
        cv2.polylines(img, [pts], False, (235, 235, 235), thickness=14)
    noise = rng.normal(0, 8, img.shape)
    return np.clip(img + noise, 0, 255).astype(np.uint8)


def write_synthetic_culane(
    root: Path, *, train: int = 12, val: int = 4, test: int = 4, seed: int = 0
) -> Path:
    rng = np.random.default_rng(seed)
    rows: dict[str, list] = {"train": [], "val": [], "test": []}
    for split, count in (("train", train), ("val", val), ("test", test)):
        for i in range(count):
            entry = f"driver_00/{split}/{i:05d}.jpg"
            lanes = synthetic_lanes(rng)
            path = root / entry
            path.parent.mkdir(parents=True, exist_ok=True)
            cv2.imwrite(str(path), cv2.cvtColor(draw(lanes, rng), cv2.COLOR_RGB2BGR))
            write_lines_txt(path.with_suffix(".lines.txt"), lanes)
            rows[split].append((entry, lanes.existence()) if split != "test" else entry)
    half = len(rows["test"]) // 2
    write_culane_lists(
        root,
        train=rows["train"],
        val=rows["val"],
        test=rows["test"],
        test_splits={"test0_normal": rows["test"][:half], "test6_curve": rows["test"][half:]},
    )
    return root
