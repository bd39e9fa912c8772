"""Write the demo dataset: rendered frames, their labels and lists, in the real CULane layout.

Layout under ``out``::

    driver_00/clip_000/00000.jpg           train frames (driver_01: val, driver_02: test)
    driver_00/clip_000/00000.lines.txt     the lanes, bottom-up points every 10 rows
    laneseg_label_w16/driver_00/clip_000/00000.png   16-px slot masks
    list/train_gt.txt val_gt.txt train.txt val.txt test.txt test_split/test{0..8}_*.txt

Image ``i`` of a split is drawn from ``numpy.random.default_rng([seed, split, i])``,
so the same seed gives byte-identical files, and changing one split's size
leaves the other splits' images unchanged.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from lgad_studio.core.demo.render import render_scene
from lgad_studio.core.demo.scene import CATEGORIES, sample_scene
from lgad_studio.core.errors import StudioError
from lgad_studio.core.formats.culane_lines import format_lines_text, render_label_map
from lgad_studio.core.formats.culane_lists import (
    mask_entry,
    test_split_name,
    write_culane_lists,
)
from lgad_studio.core.lanes import LaneSet

# 900 test images: 100 per category (20 per category left a table quoted to 0.1 mostly noise)
DEFAULT_TRAIN, DEFAULT_VAL, DEFAULT_TEST = 400, 100, 900
FRAMES_PER_CLIP = 30
_SPLITS = ("train", "val", "test")
# Train and val mix every category, with normal roads three times as often.
_MIXED_CYCLE = ("normal", "normal", "normal", *CATEGORIES[1:])

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class DemoSummary:
    """What :func:`generate_demo_dataset` wrote (or had written when cancelled)."""

    root: Path
    counts: dict[str, int]  # images written per split: "train", "val", "test"
    categories: dict[str, int] = field(default_factory=dict)  # test images per category
    seconds: float = 0.0
    cancelled: bool = False

    @property
    def images(self) -> int:
        return sum(self.counts.values())

    @property
    def images_per_s(self) -> float:
        return self.images / self.seconds if self.seconds > 0 else 0.0


def category_of(split: str, index: int) -> str:
    """The scene category of image ``index`` of ``split`` (test: the nine in turn)."""
    if split == "test":
        return CATEGORIES[index % len(CATEGORIES)]
    return _MIXED_CYCLE[index % len(_MIXED_CYCLE)]


def entry_of(split: str, index: int) -> str:
    """``driver_02/clip_003/00007.jpg``: the root-relative image path of an image."""
    clip, frame = divmod(index, FRAMES_PER_CLIP)
    return f"driver_{_SPLITS.index(split):02d}/clip_{clip:03d}/{frame:05d}.jpg"


@dataclass(frozen=True)
class DemoSample:
    """One rendered image: ``uint8 (590, 1640, 3)`` BGR frame, its lanes and how to store it."""

    image: np.ndarray
    lanes: LaneSet
    category: str
    jpeg_quality: int


def render_sample(seed: int, split: str, index: int) -> DemoSample:
    """Image ``index`` of ``split`` for ``seed`` (deterministic)."""
    category = category_of(split, index)
    rng = np.random.default_rng([seed, _SPLITS.index(split), index])
    scene = sample_scene(rng, category)
    return DemoSample(render_scene(scene), scene.lanes, category, scene.grade.jpeg_quality)


def write_sample(root: Path, entry: str, image: np.ndarray, lanes: LaneSet, quality: int) -> None:
    """The frame as JPEG, its ``.lines.txt`` and its ``laneseg_label_w16`` mask.

    The texts and masks come from the same functions as ``write_lines_txt`` and
    ``write_label_map`` but are written without a per-file fsync: a fresh
    dataset is made crash-safe as a whole (``ensure_default_demo`` renames a
    finished folder into place), and an fsync per file would cost more than
    rendering the image.
    """
    path = root / entry
    path.parent.mkdir(parents=True, exist_ok=True)
    _write(path, ".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    path.with_suffix(".lines.txt").write_text(
        format_lines_text(lanes), encoding="utf-8", newline="\n"
    )
    mask = root / mask_entry(entry)
    mask.parent.mkdir(parents=True, exist_ok=True)
    _write(mask, ".png", render_label_map(lanes), [])


def _write(path: Path, ext: str, image: np.ndarray, params: list[int]) -> None:
    ok, buf = cv2.imencode(ext, image, params)
    if not ok:
        raise StudioError(f"{path}: {ext} encoding failed")
    path.write_bytes(buf.tobytes())


def check_counts(*, train: int, val: int, test: int) -> None:
    """Raise :class:`StudioError` naming the option when a split size is unusable."""
    for name, n in (("train", train), ("val", val), ("test", test)):
        if n < 0:
            raise StudioError(f"--{name} is {n}, expected a count >= 0")
    if 0 < test < len(CATEGORIES):
        raise StudioError(
            f"--test is {test}, expected 0 or at least {len(CATEGORIES)} (one per category)"
        )


def generate_demo_dataset(
    out: str | Path,
    *,
    train: int = DEFAULT_TRAIN,
    val: int = DEFAULT_VAL,
    test: int = DEFAULT_TEST,
    seed: int = 0,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> DemoSummary:
    """Render and write the demo dataset under ``out`` in CULane layout (see the module doc).

    ``test`` must be 0 or at least 9 so that every category has a test split.
    ``progress(done, total)`` is called after each image. When ``cancel`` is set
    the run stops before the next image and returns a summary with
    ``cancelled=True``; the lists are written only by a complete run.
    """
    check_counts(train=train, val=val, test=test)
    root = Path(out)
    root.mkdir(parents=True, exist_ok=True)
    sizes = {"train": train, "val": val, "test": test}
    total = train + val + test
    done, start = 0, time.perf_counter()
    gt: dict[str, list[tuple[str, tuple[int, int, int, int]]]] = {"train": [], "val": []}
    splits: dict[str, list[str]] = {test_split_name(i, c): [] for i, c in enumerate(CATEGORIES)}
    tests: list[str] = []
    for split in _SPLITS:
        for index in range(sizes[split]):
            if cancel is not None and cancel.is_set():
                return _summary(root, gt, tests, splits, start, cancelled=True)
            sample = render_sample(seed, split, index)
            entry = entry_of(split, index)
            write_sample(root, entry, sample.image, sample.lanes, sample.jpeg_quality)
            if split == "test":
                tests.append(entry)
                category = sample.category
                splits[test_split_name(CATEGORIES.index(category), category)].append(entry)
            else:
                gt[split].append((entry, sample.lanes.existence()))
            done += 1
            if progress is not None:
                progress(done, total)
    write_culane_lists(root, train=gt["train"], val=gt["val"], test=tests, test_splits=splits)
    return _summary(root, gt, tests, splits, start, cancelled=False)


def _summary(root, gt, tests, splits, start, *, cancelled: bool) -> DemoSummary:
    counts = {"train": len(gt["train"]), "val": len(gt["val"]), "test": len(tests)}
    categories = {name.partition("_")[2]: len(entries) for name, entries in splits.items()}
    return DemoSummary(
        root=root,
        counts=counts,
        categories=categories,
        seconds=time.perf_counter() - start,
        cancelled=cancelled,
    )
