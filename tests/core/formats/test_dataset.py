"""The dataset index: CULane roots as-is, image folders, splits, labels, masks and flags."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from lgad_studio.core.errors import LabelFormatError, Problem
from lgad_studio.core.formats.dataset import DatasetError, LaneDataset, open_dataset
from lgad_studio.core.lanes import Lane, LaneSet

from .conftest import ENTRIES


def three_lanes() -> LaneSet:
    return LaneSet(
        (
            Lane([[300, 589], [600, 400], [750, 300]]),
            Lane([[1100, 589], [950, 400], [880, 300]]),
            Lane([[1600, 589], [1200, 400], [1000, 300]]),
        )
    )


def test_culane_root_opens_as_is(culane_root: Path) -> None:
    ds = open_dataset(culane_root)
    assert isinstance(ds, LaneDataset)
    assert ds.kind == "culane" and ds.root == culane_root
    assert ds.split_names() == ["train", "val", "test", "test0_normal", "test8_night"]
    assert ds.entries("train") == ENTRIES[:2]
    assert ds.entries("test8_night") == ENTRIES[1:]
    assert ds.category(ENTRIES[0]) == "normal" and ds.category(ENTRIES[2]) == "night"
    assert ds.category("driver_99/x.jpg") is None
    image = ds.read_image(ENTRIES[0])
    assert image.shape == (590, 1640, 3) and image.dtype == np.uint8
    assert ds.image_size(ENTRIES[1]) == (1640, 590)
    assert ds.lines_path(ENTRIES[0]) == culane_root / "driver_00/clip_000/00000.lines.txt"
    assert (
        ds.mask_path(ENTRIES[0]) == culane_root / "laneseg_label_w16/driver_00/clip_000/00000.png"
    )
    with pytest.raises(DatasetError, match="no split 'bogus'"):
        ds.entries("bogus")


def test_unlabelled_entry_reads_as_empty(culane_root: Path) -> None:
    ds = open_dataset(culane_root)
    assert not ds.has_labels(ENTRIES[0])
    lanes = ds.read_lanes(ENTRIES[0])
    assert len(lanes) == 0 and lanes.image_size == (1640, 590)


def test_write_lanes_updates_lines_mask_and_flags_only_for_that_entry(culane_root: Path) -> None:
    ds = open_dataset(culane_root)
    gt = culane_root / "list" / "train_gt.txt"
    other_line = gt.read_text().splitlines()[1]
    lanes = three_lanes().with_auto_slots()
    assert lanes.existence() == (0, 1, 1, 1)
    ds.write_lanes(ENTRIES[0], lanes)
    lines = gt.read_text().splitlines()
    assert lines[0].endswith(" 0 1 1 1") and lines[1] == other_line
    assert ds.has_labels(ENTRIES[0])
    assert set(np.unique(ds.read_mask(ENTRIES[0]))) == {0, 2, 3, 4}
    back = open_dataset(culane_root).read_lanes(ENTRIES[0])
    assert [ln.slot for ln in back] == [2, 3, 4]
    # A val entry's flags go to val_gt.txt; a test-only entry changes no list.
    ds.write_lanes(ENTRIES[2], lanes)
    assert (culane_root / "list" / "val_gt.txt").read_text().split()[2:] == ["0", "1", "1", "1"]
    assert not list((culane_root / "list").glob(".*.tmp"))


def test_a_chosen_slot_survives_save_and_reload(culane_root: Path) -> None:
    ds = open_dataset(culane_root)
    lanes = three_lanes().with_auto_slots().set_slot(0, 1)  # the editor moves lane 0 to slot 1
    assert [ln.slot for ln in lanes] == [1, 3, 4]
    ds.write_lanes(ENTRIES[1], lanes)
    assert [ln.slot for ln in open_dataset(culane_root).read_lanes(ENTRIES[1])] == [1, 3, 4]


def test_flag_update_sees_edits_made_by_someone_else(culane_root: Path) -> None:
    ds = open_dataset(culane_root)
    ds.entries("train")
    gt = culane_root / "list" / "train_gt.txt"
    gt.write_text(
        gt.read_text() + "/driver_00/extra.jpg /laneseg_label_w16/driver_00/extra.png 1 0 0 0\n"
    )
    ds.write_lanes(ENTRIES[0], three_lanes().with_auto_slots())
    assert gt.read_text().splitlines()[2].endswith("extra.png 1 0 0 0")


def test_read_lanes_strict_and_lenient(culane_root: Path) -> None:
    ds = open_dataset(culane_root)
    ds.lines_path(ENTRIES[0]).write_text("1 2 3\n100 589 200 300\n")
    with pytest.raises(LabelFormatError, match=r"00000\.lines\.txt:1: 3 numbers"):
        ds.read_lanes(ENTRIES[0])
    problems: list[Problem] = []
    assert len(ds.read_lanes(ENTRIES[0], strict=False, problems=problems)) == 1
    assert problems[0].line == 1


def test_missing_and_unreadable_images(culane_root: Path) -> None:
    ds = open_dataset(culane_root)
    (culane_root / ENTRIES[1]).unlink()
    with pytest.raises(LabelFormatError, match=r"00001\.jpg: image file is missing"):
        ds.read_image(ENTRIES[1])
    (culane_root / ENTRIES[2]).write_bytes(b"\xff\xd8 not really a jpeg")
    with pytest.raises(LabelFormatError, match=r"00002\.jpg: cannot decode image"):
        ds.read_image(ENTRIES[2])


def test_malformed_list_strict_and_lenient(culane_root: Path) -> None:
    gt = culane_root / "list" / "train_gt.txt"
    gt.write_text(gt.read_text() + "/a.jpg /laneseg_label_w16/a.png 1 1\n")
    with pytest.raises(LabelFormatError, match=r"train_gt\.txt:3: 4 fields, expected 6"):
        open_dataset(culane_root).entries("train")
    lenient = open_dataset(culane_root, strict=False)
    assert lenient.entries("train") == ENTRIES[:2]
    assert [p.line for p in lenient.problems] == [3]


def test_image_folder_is_a_new_dataset(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "laneseg_label_w16").mkdir()
    (tmp_path / ".hidden").mkdir()
    for name in ("b.png", "a.JPG", "sub/c.jpeg", "laneseg_label_w16/m.png", ".hidden/h.jpg"):
        cv2.imwrite(str(tmp_path / name), np.zeros((72, 128, 3), np.uint8))
    (tmp_path / "notes.txt").write_text("x")
    ds = open_dataset(tmp_path)
    assert ds.kind == "images" and ds.split_names() == ["all"]
    assert ds.entries("all") == ["a.JPG", "b.png", "sub/c.jpeg"]
    assert ds.image_size("sub/c.jpeg") == (128, 72) and ds.mask_path("b.png") is None
    empty = ds.read_lanes("b.png")
    assert len(empty) == 0 and empty.image_size == (128, 72)
    lane = LaneSet((Lane([[10, 71], [60, 20]]),), image_size=(128, 72))
    ds.write_lanes("sub/c.jpeg", lane)
    assert (tmp_path / "sub" / "c.lines.txt").read_text() == "10 71 60 20\n"
    assert ds.read_lanes("sub/c.jpeg")[0] == Lane([[10, 71], [60, 20]], 2)


def test_open_errors(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="no such file or folder"):
        open_dataset(tmp_path / "missing")
    with pytest.raises(DatasetError, match="no images"):
        open_dataset(tmp_path)
    assert open_dataset(tmp_path, strict=False).problems
    (tmp_path / "x.txt").write_text("")
    with pytest.raises(DatasetError, match="expected a TuSimple .json file"):
        open_dataset(tmp_path / "x.txt")


def test_a_100k_line_list_opens_without_touching_its_files(tmp_path: Path) -> None:
    """No image or label of the list exists: opening must index the list alone.

    The speed target (< 2 s) is measured by ``benchmarks/open_large_list.py``.
    """
    entries = [f"driver_{i // 1000:03d}/clip/{i:06d}.jpg" for i in range(100_000)]
    (tmp_path / "list").mkdir()
    gt = "".join(f"/{e} /laneseg_label_w16/{e[:-4]}.png 1 1 0 0\n" for e in entries)
    (tmp_path / "list" / "train_gt.txt").write_text(gt)
    (tmp_path / "list" / "test.txt").write_text("".join(f"/{e}\n" for e in entries))
    ds = open_dataset(tmp_path)
    train = ds.entries("train")
    assert train == entries and ds.entries("test") == entries
    assert ds.existence(entries[-1]) == (1, 1, 0, 0)
