"""``lgad-studio convert`` end to end through ``lgad_studio.cli.main``."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from lgad_studio.cli import main
from lgad_studio.core import atomic
from lgad_studio.core.formats.dataset import open_dataset
from lgad_studio.core.formats.tusimple import read_tusimple
from lgad_studio.core.lanes import Lane, LaneSet

from .conftest import ENTRIES


def lane_rows(path: Path) -> dict[str, list]:
    return {r.raw_file: sorted(r.lanes) for r in read_tusimple(path)}


def test_tusimple_to_culane_to_tusimple_is_exact(
    tmp_path: Path, tusimple_sample: Path, capsys, monkeypatch
) -> None:
    """The first 100 real records through the CLI and the disk (all 300: test_tusimple.py)."""
    # 300 files per way: skip the disk flushes (atomicity itself is tested in test_atomic.py).
    monkeypatch.setattr(atomic.os, "fsync", lambda fd: None)
    source = tmp_path / "test_label.json"
    source.write_text("".join(tusimple_sample.read_text().splitlines(keepends=True)[:100]))
    culane = tmp_path / "culane"
    args = ["convert", "--from", "tusimple", "--to", "culane", "--labels-only"]
    assert main([*args, str(source), str(culane)]) == 0
    out = capsys.readouterr().out
    lanes = sum(len(r.lanes) for r in read_tusimple(source))
    assert f"converted 100 images with {lanes} lanes from tusimple to culane" in out
    ds = open_dataset(culane)
    assert ds.kind == "culane" and len(ds.entries("test")) == 100
    first = ds.entries("test")[0]
    assert ds.read_lanes(first).image_size == (1280, 720)
    assert ds.mask_path(first).is_file()
    back = tmp_path / "back.json"
    args = ["convert", "--from", "culane", "--to", "tusimple", "--labels-only"]
    assert main([*args, str(culane), str(back)]) == 0
    assert lane_rows(back) == lane_rows(source)
    assert [r.h_samples for r in read_tusimple(back)] == [
        r.h_samples for r in read_tusimple(source)
    ]


def test_culane_with_images_to_tusimple_folder_and_back(
    tmp_path: Path, culane_root: Path, capsys
) -> None:
    ds = open_dataset(culane_root)
    lanes = LaneSet((Lane([[300, 589], [600, 400], [750, 300]]), Lane([[1100, 589], [880, 300]])))
    ds.write_lanes(ENTRIES[0], lanes.with_auto_slots())
    out = tmp_path / "tus"
    assert (
        main(["convert", "--from", "culane", "--to", "tusimple", str(culane_root), str(out)]) == 0
    )
    assert "3 images copied" in capsys.readouterr().out
    # Each image goes to the file of its first split (the fixture's test images are also train/val).
    assert sorted(p.name for p in out.glob("*.json")) == [
        "label_data_train.json",
        "label_data_val.json",
    ]
    assert (out / ENTRIES[0]).read_bytes() == (culane_root / ENTRIES[0]).read_bytes()
    tus = open_dataset(out)
    # The validation convention: label_data_val.json is the val split.
    assert tus.split_names() == ["train", "val"]
    assert len(tus.entries("train")) + len(tus.entries("val")) == 3 and tus.entries("val")
    assert len(tus.read_lanes(ENTRIES[0])) == 2 and len(tus.read_lanes(ENTRIES[1])) == 0
    again = tmp_path / "again"
    assert main(["convert", "--from", "tusimple", "--to", "culane", str(out), str(again)]) == 0
    back = open_dataset(again).read_lanes(ENTRIES[0])
    assert [ln.slot for ln in back] == [2, 3]
    assert back[1].x_at(300) == pytest.approx(880, abs=0.01)  # resampled on 10-px rows


def test_labelme_folder_to_culane(tmp_path: Path, capsys) -> None:
    src = tmp_path / "labelme"
    (src / "day").mkdir(parents=True)
    cv2.imwrite(str(src / "day" / "a.jpg"), np.zeros((72, 128, 3), np.uint8))
    shapes = [{"label": "l", "points": [[40, 71], [60, 20]], "shape_type": "line"}]
    doc = {"imagePath": "a.jpg", "imageWidth": 128, "imageHeight": 72, "shapes": shapes}
    (src / "day" / "a.json").write_text(json.dumps(doc))
    broken = dict(doc, imagePath="b.jpg", shapes=[{"points": [[1, 2]], "shape_type": "linestrip"}])
    (src / "day" / "b.json").write_text(json.dumps(broken))
    dst = tmp_path / "out"
    assert main(["convert", "--from", "labelme", "--to", "culane", str(src), str(dst)]) == 2
    assert "b.json: shapes[0].points has 1 points" in capsys.readouterr().err
    args = ["convert", "--from", "labelme", "--to", "culane", "--lenient", "--force"]
    assert main([*args, str(src), str(dst)]) == 0
    captured = capsys.readouterr()
    assert "converted 1 images with 1 lanes" in captured.out
    assert "b.json: shapes[0].points has 1 points" in captured.err
    assert "b.jpg: image file is missing" in captured.err
    ds = open_dataset(dst)
    assert ds.entries("train") == ["day/a.jpg"]
    assert (dst / "day" / "a.lines.txt").read_text() == "40 71 60 20\n"
    assert ds.image_size("day/a.jpg") == (128, 72)


def test_user_errors_exit_2_with_a_message(tmp_path: Path, culane_root: Path, capsys) -> None:
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "x").write_text("x")
    assert (
        main(["convert", "--from", "culane", "--to", "tusimple", str(culane_root), str(busy)]) == 2
    )
    assert "already exists and is not empty" in capsys.readouterr().err
    assert (
        main(
            [
                "convert",
                "--from",
                "tusimple",
                "--to",
                "culane",
                str(culane_root),
                str(tmp_path / "n"),
            ]
        )
        == 2
    )
    assert "a culane dataset, expected a TuSimple" in capsys.readouterr().err
    (culane_root / "list" / "val_gt.txt").write_text("/a.jpg 1\n")
    assert (
        main(
            ["convert", "--from", "culane", "--to", "culane", str(culane_root), str(tmp_path / "m")]
        )
        == 2
    )
    assert "val_gt.txt:1: 2 fields, expected 6" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["convert", "--from", "pascal", "--to", "culane", "a", "b"])
