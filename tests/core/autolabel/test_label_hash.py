"""The label hash: which labels a run trained on."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from lgad_studio.core.autolabel import label_hash
from lgad_studio.core.formats.dataset import open_dataset
from lgad_studio.core.lanes import LaneSet


def test_label_hash_follows_the_labels_not_the_files(culane: Path) -> None:
    ds = open_dataset(culane)
    base = label_hash(ds)
    assert len(base) == 64 and label_hash(open_dataset(culane)) == base  # stable across opens
    entry = ds.entries("train")[0]
    lanes = ds.read_lanes(entry)
    ds.write_lanes(entry, lanes)  # rewritten with the same content
    path = ds.lines_path(entry)
    os.utime(path, (1, 1))  # touched
    assert label_hash(open_dataset(culane)) == base
    assert label_hash(ds, entries=list(reversed(ds.entries("train")))) == label_hash(
        ds, splits=["train"]
    )

    moved = lanes.replace_lane(0, lanes[0].with_points(lanes[0].points + [0.01, 0.0]))
    ds.write_lanes(entry, moved)  # one point, 1/100 px
    assert label_hash(open_dataset(culane)) != base
    ds.write_lanes(entry, lanes)
    assert label_hash(open_dataset(culane)) == base

    pair = LaneSet((lanes.in_slot_order()[0].with_slot(2), lanes.in_slot_order()[1].with_slot(3)),
                   image_size=lanes.image_size)  # fmt: skip
    ds.write_lanes(entry, pair)
    as_ego = label_hash(open_dataset(culane))
    ds.write_lanes(
        entry, LaneSet((pair[0].with_slot(1), pair[1].with_slot(2)), image_size=pair.image_size)
    )
    assert [ln.slot for ln in open_dataset(culane).read_lanes(entry)] == [1, 2]  # kept by the flags
    assert label_hash(open_dataset(culane)) != as_ego  # same points, other slots
    ds.write_lanes(entry, lanes)

    path.unlink()  # a label removed
    assert label_hash(open_dataset(culane)) != base
    assert label_hash(open_dataset(culane), splits=["val"]) == label_hash(ds, splits=["val"])


def test_same_lanes_in_another_layout_hash_the_same(culane: Path, tmp_path: Path) -> None:
    ds = open_dataset(culane)
    folder = tmp_path / "images"
    for split in ds.split_names():
        for entry in ds.entries(split):
            for source in (ds.image_path(entry), ds.lines_path(entry)):
                target = folder / source.relative_to(culane)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(source, target)
    plain = open_dataset(folder)
    assert plain.kind == "images" and plain.kind != ds.kind
    assert label_hash(plain) == label_hash(ds)
