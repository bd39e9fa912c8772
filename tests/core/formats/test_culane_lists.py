"""CULane list files: the writer's exact layout and the readers' strict/lenient errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from lgad_studio.core.errors import LabelFormatError, Problem
from lgad_studio.core.formats.culane_lists import (
    GtRow,
    mask_entry,
    normalize_entry,
    parse_gt_list,
    parse_image_list,
    read_gt_list,
    read_image_list,
    split_category,
    write_culane_lists,
)

E = "driver_00/clip_000/00001.jpg"


def test_writer_layout(tmp_path: Path) -> None:
    write_culane_lists(
        tmp_path,
        train=[(E, (0, 1, 1, 0))],
        val=[("driver_00/clip_001/00002.jpg", (1, 1, 1, 1))],
        test=["driver_01/c/1.jpg"],
        test_splits={"test0_normal": ["driver_01/c/1.jpg"], "test7_cross": []},
    )
    lst = tmp_path / "list"
    assert (lst / "train_gt.txt").read_text() == (
        "/driver_00/clip_000/00001.jpg /laneseg_label_w16/driver_00/clip_000/00001.png 0 1 1 0\n"
    )
    assert (lst / "train.txt").read_text() == "/driver_00/clip_000/00001.jpg\n"
    assert (lst / "val_gt.txt").read_text().endswith(" 1 1 1 1\n")
    assert (lst / "test.txt").read_text() == "/driver_01/c/1.jpg\n"
    assert (lst / "test_split" / "test0_normal.txt").read_text() == "driver_01/c/1.jpg\n"
    assert (lst / "test_split" / "test7_cross.txt").read_text() == ""
    assert read_gt_list(lst / "train_gt.txt") == [
        GtRow(E, "laneseg_label_w16/driver_00/clip_000/00001.png", (0, 1, 1, 0))
    ]
    assert read_image_list(lst / "test.txt") == ["driver_01/c/1.jpg"]


def test_names_and_paths() -> None:
    assert normalize_entry("/driver_00/a.jpg") == "driver_00/a.jpg"
    assert normalize_entry("./driver_00\\a.jpg") == "driver_00/a.jpg"
    assert mask_entry("/d/a.jpg") == "laneseg_label_w16/d/a.png"
    assert split_category("test8_night") == "night"
    assert split_category("test") is None and split_category("train") is None


GT_BAD = [
    (f"/{E} /laneseg_label_w16/x.png 1 1 1\n", "5 fields, expected 6"),
    (f"/{E} /laneseg_label_w16/x.png 1 1 2 1\n", "existence flag e3 is '2', expected 0 or 1"),
    (f"/{E} /laneseg_label_w16/x.png 1 yes 1 1\n", "existence flag e2 is 'yes'"),
]


@pytest.mark.parametrize(("bad", "expected"), GT_BAD)
def test_gt_list_errors(tmp_path: Path, bad: str, expected: str) -> None:
    path = tmp_path / "train_gt.txt"
    good = f"/{E} /laneseg_label_w16/{E[:-4]}.png 1 1 0 0\n"
    path.write_text(good + bad)
    with pytest.raises(LabelFormatError) as info:
        read_gt_list(path)
    assert str(info.value).startswith(f"{path}:2: ") and expected in info.value.message
    problems: list[Problem] = []
    assert len(read_gt_list(path, strict=False, problems=problems)) == 1
    assert [p.line for p in problems] == [2] and expected in problems[0].message


def test_image_list_errors() -> None:
    with pytest.raises(LabelFormatError, match=r"test\.txt:2: 2 fields, expected 1 image path"):
        parse_image_list("a.jpg\na.jpg b.jpg\n", path="test.txt")
    problems: list[Problem] = []
    assert parse_image_list("\n a.jpg \nx y\n", strict=False, problems=problems) == ["a.jpg"]
    assert problems[0].line == 3
    assert parse_gt_list("") == []


def test_list_entry_without_its_file(tmp_path: Path) -> None:
    (tmp_path / "driver_00" / "clip_000").mkdir(parents=True)
    (tmp_path / E).write_bytes(b"jpg")
    missing = "driver_00/clip_000/00009.jpg"
    path = tmp_path / "test.txt"
    path.write_text(f"/{E}\n\n/{missing}\n")
    assert read_image_list(path) == [E, missing]  # files are checked only with a root
    with pytest.raises(LabelFormatError) as info:
        read_image_list(path, root=tmp_path)
    assert info.value.line == 3 and "list entry without its file" in info.value.message
    assert missing in info.value.message
    problems: list[Problem] = []
    assert read_image_list(path, root=tmp_path, strict=False, problems=problems) == [E]
    gt = tmp_path / "train_gt.txt"
    gt.write_text(f"/{E} /laneseg_label_w16/{E[:-4]}.png 0 0 0 0\n")
    with pytest.raises(LabelFormatError, match="laneseg_label_w16.*does not exist"):
        read_gt_list(gt, root=tmp_path)


def test_unreadable_list_file(tmp_path: Path) -> None:
    with pytest.raises(LabelFormatError, match="cannot read list file"):
        read_image_list(tmp_path / "none.txt")
    path = tmp_path / "bin.txt"
    path.write_bytes(b"\xff\xfe")
    with pytest.raises(LabelFormatError, match="not UTF-8"):
        read_gt_list(path)
