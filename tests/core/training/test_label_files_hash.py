"""The label hash in run_info.json: which labels a run trained on, cheap on large lists."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from lgad_studio.core.formats.dataset import open_dataset
from lgad_studio.core.training import train_teacher
from lgad_studio.core.training.provenance import label_files_sha256


def _copy(root: Path, tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    shutil.copytree(root, target)
    return target


def _hash(root: Path, cache: Path | None = None) -> str:
    dataset = open_dataset(root)
    entries = dataset.entries("train") + dataset.entries("val")
    return label_files_sha256(dataset, entries, cache=cache)[0]


def test_the_hash_follows_the_labels_not_the_files(culane_root: Path, tmp_path: Path) -> None:
    root = _copy(culane_root, tmp_path, "a")
    before = _hash(root)
    assert _hash(_copy(culane_root, tmp_path, "elsewhere")) == before  # same labels anywhere
    lines = root / "driver_00" / "train" / "00000.lines.txt"
    os.utime(lines, ns=(1, 1))  # touched: same content
    assert _hash(root) == before
    text = lines.read_text()
    lines.write_text(text.replace(text.split()[0], str(float(text.split()[0]) + 3), 1))
    moved = _hash(root)
    assert moved != before  # a moved point
    lines.write_text(text)
    assert _hash(root) == before
    gt = root / "list" / "train_gt.txt"
    rows = gt.read_text().splitlines()
    fields = rows[0].split()
    fields[2] = "0" if fields[2] == "1" else "1"  # a slot flag: the trainer's slots change
    gt.write_text("\n".join([" ".join(fields), *rows[1:]]) + "\n")
    assert _hash(root) != before
    gt.write_text("\n".join(rows) + "\n")
    lines.unlink()  # a label removed
    assert _hash(root) != before


def test_the_cache_reads_only_files_whose_size_or_mtime_changed(
    culane_root: Path, tmp_path: Path
) -> None:
    root = _copy(culane_root, tmp_path, "a")
    cache = tmp_path / "cache" / "labels.json"
    before = _hash(root, cache)
    assert cache.is_file() and _hash(root, cache) == before
    lines = root / "driver_00" / "train" / "00000.lines.txt"
    st = lines.stat()
    text = lines.read_text()
    digit = next(i for i, c in enumerate(text) if c.isdigit() and c != "9")
    lines.write_text(text[:digit] + str(int(text[digit]) + 1) + text[digit + 1 :])  # same size
    os.utime(lines, ns=(st.st_atime_ns, st.st_mtime_ns))
    # Same size and mtime: the cache answers (the documented limit), a fresh read does not.
    assert _hash(root, cache) == before and _hash(root) != before
    os.utime(lines, ns=(st.st_atime_ns, st.st_mtime_ns + 1))
    assert _hash(root, cache) == _hash(root) != before


def test_run_info_records_the_hash_of_the_labels_the_run_read(teacher_config) -> None:
    from lgad_studio.core.training.setup import validation_subset

    config = teacher_config.replace(val_limit=4)
    list(train_teacher(config))
    info = json.loads((Path(config.out) / "run_info.json").read_text())
    dataset = open_dataset(config.data)
    val = validation_subset(dataset.entries("val"), config.val_limit, config.val_seed)
    expected, labelled = label_files_sha256(dataset, dataset.entries("train") + val)
    assert info["labels_sha256"] == expected and len(expected) == 64
    assert info["labelled_images"] == labelled == info["train_images"] + info["val_images"]
    assert info["labels_hash_s"] >= 0
