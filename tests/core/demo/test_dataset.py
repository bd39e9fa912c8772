"""The written demo dataset reads back as a CULane root: lists, labels, masks, flags, splits."""

from __future__ import annotations

import threading
from pathlib import Path

import cv2
import numpy as np
import pytest

from lgad_studio.core.demo import CATEGORIES, generate_demo_dataset, render_sample
from lgad_studio.core.demo.dataset import DemoSummary
from lgad_studio.core.errors import StudioError
from lgad_studio.core.formats.culane_lines import read_lane_points, read_lines_txt, render_label_map
from lgad_studio.core.formats.culane_lists import read_gt_list, read_image_list
from lgad_studio.core.formats.dataset import open_dataset
from lgad_studio.core.lanes import CULANE_SIZE, assign_slots


def _all_entries(root: Path) -> list[str]:
    rows = read_gt_list(root / "list/train_gt.txt", root=root)
    rows += read_gt_list(root / "list/val_gt.txt", root=root)
    return [r.entry for r in rows] + read_image_list(root / "list/test.txt", root=root)


def test_summary_counts_every_split_and_category(small_demo: DemoSummary) -> None:
    assert small_demo.counts == {"train": 4, "val": 2, "test": 9}
    assert small_demo.categories == dict.fromkeys(CATEGORIES, 1)
    assert not small_demo.cancelled and small_demo.images == 15


def test_lists_name_existing_files_in_culane_layout(small_root: Path) -> None:
    entries = _all_entries(small_root)  # read_* with root= checks images and masks exist
    assert len(entries) == 15 and len(set(entries)) == 15
    for entry in entries:
        assert entry.startswith("driver_") and entry.count("/") == 2 and entry.endswith(".jpg")
        assert (small_root / entry).with_suffix(".lines.txt").is_file()
        assert (small_root / "laneseg_label_w16" / entry).with_suffix(".png").is_file()


def test_all_nine_test_splits_are_present_and_partition_the_test_list(small_root: Path) -> None:
    split_dir = small_root / "list" / "test_split"
    names = sorted(p.stem for p in split_dir.glob("*.txt"))
    assert names == sorted(f"test{i}_{c}" for i, c in enumerate(CATEGORIES))
    union = []
    for name in names:
        entries = read_image_list(split_dir / f"{name}.txt", root=small_root)
        assert entries, f"{name} is empty"
        union += entries
    assert sorted(union) == sorted(read_image_list(small_root / "list/test.txt"))


def test_existence_flags_and_masks_agree_with_the_lines_files(small_root: Path) -> None:
    for list_name in ("train_gt.txt", "val_gt.txt"):
        for row in read_gt_list(small_root / "list" / list_name):
            lanes = read_lines_txt((small_root / row.entry).with_suffix(".lines.txt"))
            assert row.existence == lanes.existence(), row.entry
    for entry in _all_entries(small_root):
        lanes = read_lines_txt((small_root / entry).with_suffix(".lines.txt"))
        stored = cv2.imread(
            str(small_root / "laneseg_label_w16" / entry[:-4]) + ".png", cv2.IMREAD_UNCHANGED
        )
        assert stored.dtype == np.uint8 and stored.shape == (590, 1640)
        np.testing.assert_array_equal(stored, render_label_map(lanes), err_msg=entry)


def test_images_are_culane_sized_colour_jpegs(small_root: Path) -> None:
    for entry in _all_entries(small_root):
        image = cv2.imread(str(small_root / entry), cv2.IMREAD_UNCHANGED)
        assert image.dtype == np.uint8 and image.shape == (590, 1640, 3), entry
        assert float(image.std()) > 20, f"{entry} is nearly flat"


def test_lanes_are_bottom_up_culane_rows_inside_the_image(small_root: Path) -> None:
    for entry in _all_entries(small_root):
        for points in read_lane_points((small_root / entry).with_suffix(".lines.txt")):
            ys, xs = points[:, 1], points[:, 0]
            # CULane rows 590, 580, ...: a lane entering from the side starts higher up.
            assert len(points) >= 4 and ys[0] <= 590 and ys[0] % 10 == 0
            np.testing.assert_array_equal(np.diff(ys), -10.0)
            assert xs.min() >= 0 and xs.max() <= 1639


def test_file_order_gives_the_slots_the_automatic_rule_gives(small_root: Path) -> None:
    """Lanes are written left to right and the CULane rule re-derives their slots."""
    for entry in _all_entries(small_root):
        points = read_lane_points((small_root / entry).with_suffix(".lines.txt"))
        slots = assign_slots(points, image_size=CULANE_SIZE)
        assert None not in slots and slots == sorted(slots), (entry, slots)


def test_cross_images_have_zero_lanes_and_the_others_two_to_four(small_root: Path) -> None:
    dataset = open_dataset(small_root)
    for i, category in enumerate(CATEGORIES):
        for entry in dataset.entries(f"test{i}_{category}"):
            assert dataset.category(entry) == category
            n = len(dataset.read_lanes(entry))
            assert n == 0 if category == "cross" else 2 <= n <= 4, (entry, n)


def test_same_seed_gives_identical_files_and_split_sizes_do_not_shift_images(
    small_root: Path, tmp_path: Path
) -> None:
    other = generate_demo_dataset(tmp_path / "again", train=2, val=0, test=9, seed=1).root
    for entry in ("driver_00/clip_000/00001.jpg", "driver_02/clip_000/00004.jpg"):
        for rel in (entry, entry[:-4] + ".lines.txt", "laneseg_label_w16/" + entry[:-4] + ".png"):
            assert (other / rel).read_bytes() == (small_root / rel).read_bytes(), rel
    assert (other / "list/test.txt").read_bytes() == (small_root / "list/test.txt").read_bytes()


def test_another_seed_gives_other_images() -> None:
    a, b = render_sample(1, "train", 0), render_sample(2, "train", 0)
    assert not np.array_equal(a.image, b.image)


def test_cancel_stops_before_the_next_image_and_writes_no_lists(tmp_path: Path) -> None:
    cancel = threading.Event()

    def progress(done: int, total: int) -> None:
        if done == 2:
            cancel.set()

    summary = generate_demo_dataset(
        tmp_path, train=5, val=0, test=0, progress=progress, cancel=cancel
    )
    assert summary.cancelled and summary.counts["train"] == 2
    assert not (tmp_path / "list").exists()


@pytest.mark.parametrize(
    ("counts", "field"), [({"test": 4}, "--test is 4"), ({"train": -1}, "--train is -1")]
)
def test_unusable_counts_name_the_option(tmp_path: Path, counts: dict, field: str) -> None:
    with pytest.raises(StudioError, match=field):
        generate_demo_dataset(tmp_path, **{"train": 1, "val": 0, "test": 9, **counts})
