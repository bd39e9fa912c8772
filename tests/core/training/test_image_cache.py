"""The prepared image cache: samples identical to decoding, stale images decoded, safe builds."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import pickle
import shutil
import threading
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch

from lgad_studio.core.checkpoint import load_checkpoint
from lgad_studio.core.events import EpochEnd
from lgad_studio.core.formats.dataset import open_dataset
from lgad_studio.core.training import TeacherConfig, image_cache_build, train_teacher
from lgad_studio.core.training.config import ConfigError
from lgad_studio.core.training.data import LaneSamples
from lgad_studio.core.training.image_cache import CacheError, ImageCache
from lgad_studio.core.training.image_cache_build import build_image_cache
from lgad_studio.core.training.setup import open_image_cache

SIZE = (200, 72)  # decoded at 1/8: 205x74


@pytest.fixture
def root(culane_root: Path, tmp_path: Path) -> Path:
    """A private copy of the synthetic root (tests here change images)."""
    copy = tmp_path / "culane"
    shutil.copytree(culane_root, copy)
    return copy


def build(dataset, entries, out: Path, size=SIZE, **kwargs) -> dict:
    job = build_image_cache(dataset, entries, size, out, **kwargs)
    while True:
        try:
            next(job)
        except StopIteration as stop:
            return stop.value


def items(samples: LaneSamples, epochs=(1, 2)) -> list[dict]:
    return [samples[(i, e)] for e in epochs for i in range(len(samples))]


def same(a: list[dict], b: list[dict]) -> bool:
    keys = ("image", "label", "exist", "jitter")
    return all(torch.equal(x[k], y[k]) for x, y in zip(a, b, strict=True) for k in keys)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def cache_alone_in_a_folder(root: Path, tmp_path: Path, *, count: int):
    """``(dataset, train entries, cache path, its sha256)``: a cache of the first ``count``
    training images, the only file in ``tmp_path / "caches"``."""
    ds = open_dataset(root)
    entries = ds.entries("train")
    out = tmp_path / "caches" / "c.lgadcache"
    out.parent.mkdir()
    build(ds, entries[:count], out)
    return ds, entries, out, sha(out)


def replace_image(dataset, entry: str, donor: str) -> None:
    """Give ``entry`` another image (the donor's, darkened) with a later mtime."""
    path = dataset.image_path(entry)
    image = cv2.imread(str(dataset.image_path(donor)))
    cv2.imwrite(str(path), image // 2)
    st = os.stat(path)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))


@pytest.mark.parametrize("augment", [True, False])
@pytest.mark.parametrize("size", [SIZE, (192, 64)])  # (192, 64) decodes at 1/8 as well
def test_samples_read_from_the_cache_equal_decoded_samples(root, tmp_path, augment, size) -> None:
    ds = open_dataset(root)
    entries = ds.entries("train")
    summary = build(ds, entries, tmp_path / "c.lgadcache")
    assert summary["images"] == summary["decoded"] == len(entries)
    view = ImageCache(tmp_path / "c.lgadcache").view(entries, size)
    assert view.covered == len(entries)
    plain = LaneSamples(ds, entries, size=size, augment=augment, seed=3)
    cached = LaneSamples(ds, entries, size=size, augment=augment, seed=3, cache=view)
    assert same(items(plain), items(cached))
    for i in range(len(entries)):
        a, b = plain.load(i), cached.load(i)
        assert np.array_equal(a[0], b[0]) and a[2] == b[2]
    shard = cached.shard(1, 2)
    assert same(items(plain.shard(1, 2)), items(shard))
    # the rows really were read from the file, not decoded: the view reads every entry
    assert all(
        shard.cache.read(i, ds.image_path(e)) is not None for i, e in enumerate(shard.entries)
    )


def test_an_input_size_that_decodes_differently_does_not_use_the_cache(root, tmp_path) -> None:
    ds = open_dataset(root)
    entries = ds.entries("train")
    build(ds, entries, tmp_path / "c.lgadcache")
    assert ImageCache(tmp_path / "c.lgadcache").view(entries, (400, 144)).covered == 0  # 1/4
    config = TeacherConfig(
        data=str(root), input_size=(400, 144), image_cache=str(tmp_path / "c.lgadcache")
    )
    with pytest.raises(ConfigError, match=r"holds none of the 8 training images.*200x72"):
        open_image_cache(config, entries, ds.entries("val"))


def test_a_changed_image_is_decoded_from_its_file(root, tmp_path) -> None:
    ds = open_dataset(root)
    entries = ds.entries("train")
    build(ds, entries, tmp_path / "c.lgadcache")
    view = ImageCache(tmp_path / "c.lgadcache").view(entries, SIZE)
    before = LaneSamples(ds, entries, size=SIZE, augment=True, seed=0, cache=view)[(2, 1)]
    replace_image(ds, entries[2], donor=entries[5])
    assert view.read(2, ds.image_path(entries[2])) is None  # stale
    assert view.coverage(ds, entries) == {"fresh": 7, "stale": 1, "missing": 0}
    fresh_ds = open_dataset(root)
    cached = LaneSamples(fresh_ds, entries, size=SIZE, augment=True, seed=0, cache=view)[(2, 1)]
    decoded = LaneSamples(fresh_ds, entries, size=SIZE, augment=True, seed=0)[(2, 1)]
    assert torch.equal(cached["image"], decoded["image"])
    assert not torch.equal(cached["image"], before["image"])


def test_a_rebuild_decodes_only_the_changed_images(root, tmp_path) -> None:
    ds = open_dataset(root)
    entries = ds.entries("train")
    out = tmp_path / "c.lgadcache"
    build(ds, entries, out)
    replace_image(ds, entries[4], donor=entries[0])
    summary = build(open_dataset(root), entries, out)
    assert (summary["decoded"], summary["reused"]) == (1, 7)
    build(open_dataset(root), entries, tmp_path / "new.lgadcache")  # from scratch
    a, b = ImageCache(out), ImageCache(tmp_path / "new.lgadcache")
    for name in (
        "offset",
        "height",
        "width",
        "source",
        "header",
        "factor",
        "file_size",
        "mtime_ns",
    ):
        assert np.array_equal(a.index[name], b.index[name]), name
    pixels = int(a.index["offset"][-1] + a.index["height"][-1] * a.index["width"][-1] * 3)
    assert out.read_bytes()[:pixels] == (tmp_path / "new.lgadcache").read_bytes()[:pixels]


def test_a_pool_of_decoding_threads_writes_the_same_pixels(root, tmp_path) -> None:
    ds = open_dataset(root)
    entries = ds.entries("train") + ds.entries("val")
    build(ds, entries, tmp_path / "one.lgadcache")
    build(ds, entries, tmp_path / "pool.lgadcache", workers=3)
    a, b = ImageCache(tmp_path / "one.lgadcache"), ImageCache(tmp_path / "pool.lgadcache")
    assert a.entries == b.entries == entries
    assert a.meta["pixel_bytes"] == b.meta["pixel_bytes"]
    n = 8 + a.meta["pixel_bytes"]
    assert (tmp_path / "one.lgadcache").read_bytes()[:n] == (
        tmp_path / "pool.lgadcache"
    ).read_bytes()[:n]


def test_workers_get_the_file_name_and_rows_not_the_pixels(root, tmp_path) -> None:
    ds = open_dataset(root)
    entries = ds.entries("train")
    build(ds, entries, tmp_path / "c.lgadcache")
    view = ImageCache(tmp_path / "c.lgadcache").view(entries, SIZE)
    blob = pickle.dumps(view)
    pixel_bytes = ImageCache(tmp_path / "c.lgadcache").meta["pixel_bytes"]
    assert len(blob) < 4096 < pixel_bytes  # 8 rows of index, the path
    copy = pickle.loads(blob)
    for i, e in enumerate(entries):
        assert np.array_equal(copy.read(i, ds.image_path(e))[0], view.read(i, ds.image_path(e))[0])


@pytest.mark.parametrize("workers", [0, 2])
def test_closing_a_build_early_leaves_the_old_cache_and_no_partial_file(
    root, tmp_path, workers
) -> None:
    ds, entries, out, old = cache_alone_in_a_folder(root, tmp_path, count=3)
    job = build_image_cache(ds, entries, SIZE, out, workers=workers)
    next(job), next(job)
    job.close()
    assert not [t for t in threading.enumerate() if t.name.startswith("lgad-cache-decode")]
    assert os.listdir(out.parent) == ["c.lgadcache"] and sha(out) == old
    assert ImageCache(out).entries == entries[:3]


def test_a_full_disk_while_writing_keeps_nothing_and_names_the_folder(
    root, tmp_path, monkeypatch
) -> None:
    ds, entries, out, old = cache_alone_in_a_folder(root, tmp_path, count=2)

    class FullDisk:
        def __init__(self, handle):
            self.handle, self.written = handle, 0

        def write(self, data):
            self.written += memoryview(data).nbytes
            if self.written > 100_000:
                raise OSError(errno.ENOSPC, "No space left on device")
            return self.handle.write(data)

    real_open = image_cache_build.atomic_open

    @contextlib.contextmanager
    def full_disk(path, mode):
        with real_open(path, mode) as handle:
            yield FullDisk(handle)

    monkeypatch.setattr(image_cache_build, "atomic_open", full_disk)
    with pytest.raises(
        CacheError, match=r"caches: the disk filled .*c\.lgadcache; nothing was kept"
    ):
        build(ds, entries, out)
    assert os.listdir(out.parent) == ["c.lgadcache"] and sha(out) == old


def test_too_little_free_space_is_refused_before_writing(root, tmp_path, monkeypatch) -> None:
    ds = open_dataset(root)
    usage = shutil.disk_usage(tmp_path)
    monkeypatch.setattr(
        image_cache_build.shutil, "disk_usage", lambda _p: usage._replace(free=10_000_000)
    )
    with pytest.raises(
        CacheError,
        match=r"not enough free space.*GiB needed for 8 images at 1640x590 decoded 1/8, 0.0 GiB free",
    ):
        build(ds, ds.entries("train"), tmp_path / "c.lgadcache")
    assert os.listdir(tmp_path) == ["culane"]


def test_a_file_that_is_not_a_cache_is_never_overwritten(root, tmp_path) -> None:
    ds = open_dataset(root)
    notes = tmp_path / "notes.lgadcache"
    notes.write_text("my notes\n")
    with pytest.raises(CacheError, match="exists and is not an image cache"):
        build(ds, ds.entries("train"), notes)
    assert notes.read_text() == "my notes\n"


def test_damaged_caches_are_refused_with_the_file_named(root, tmp_path) -> None:
    ds = open_dataset(root)
    entries = ds.entries("train")
    out = tmp_path / "c.lgadcache"
    build(ds, entries, out)
    data = out.read_bytes()
    cut = tmp_path / "cut.lgadcache"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(CacheError, match=r"cut\.lgadcache: not an LGAD Studio image cache"):
        ImageCache(cut)
    config = TeacherConfig(data=str(root), input_size=SIZE, image_cache=str(cut))
    with pytest.raises(ConfigError, match=r"image_cache.*cut\.lgadcache"):
        open_image_cache(config, entries, [])
    with pytest.raises(CacheError, match="not found"):
        ImageCache(tmp_path / "none.lgadcache")
    # a file whose pixels were cut off after its index was read
    view = ImageCache(out).view(entries, SIZE)
    os.truncate(out, 100)
    with pytest.raises(CacheError, match=r"c\.lgadcache: truncated"):
        view.read(7, ds.image_path(entries[7]))


def test_training_from_the_cache_gives_the_same_run_and_records_it(root, tmp_path) -> None:
    ds = open_dataset(root)
    build(ds, ds.entries("train") + ds.entries("val"), tmp_path / "c.lgadcache", size=(64, 24))
    common = dict(
        data=str(root), epochs=1, input_size=(64, 24), width=0.25, batch_size=4, threads=1,
        device="cpu", preview_interval_s=0.0, val_limit=4, seed=2,
    )  # fmt: skip
    weights, epochs = {}, {}
    for name, cache in (("plain", None), ("cached", str(tmp_path / "c.lgadcache"))):
        config = TeacherConfig(out=str(tmp_path / name), image_cache=cache, **common)
        # step events come at time intervals; the epoch's metrics and the weights do not
        epochs[name] = [e.metrics for e in train_teacher(config) if isinstance(e, EpochEnd)]
        weights[name] = load_checkpoint(tmp_path / name / "last.pt").data["model"]
    assert epochs["plain"] == epochs["cached"] and "train_loss" in epochs["plain"][0]
    assert weights["plain"].keys() == weights["cached"].keys()
    assert all(torch.equal(weights["plain"][k], weights["cached"][k]) for k in weights["plain"])
    info = json.loads((tmp_path / "cached" / "run_info.json").read_text())
    assert info["image_cache"]["train"] == {"fresh": 8, "stale": 0, "missing": 0}
    assert info["image_cache"]["val"] == {"fresh": 4, "stale": 0, "missing": 0}
    assert "image_cache" not in json.loads((tmp_path / "plain" / "run_info.json").read_text())


def test_prepare_cache_command(root, tmp_path, capsys) -> None:
    from lgad_studio.cli import main

    out = tmp_path / "c.lgadcache"
    args = ["prepare-cache", "--data", str(root), "--out", str(out), "--input-size", "200x72"]
    assert main(args) == 0
    assert "12 images (12 decoded, 0 unchanged since the last build)" in capsys.readouterr().out
    assert len(ImageCache(out)) == 12
    assert main([*args, "--splits", "train", "nope"]) == 2
    assert "no split(s) ['nope']" in capsys.readouterr().err


def test_a_tusimple_dataset_caches_too_with_decoding_threads(root, tmp_path) -> None:
    from lgad_studio.cli import main

    tus = tmp_path / "tusimple"
    assert main(["convert", "--from", "culane", "--to", "tusimple", str(root), str(tus)]) == 0
    ds = open_dataset(tus)
    assert ds.kind == "tusimple"
    entries = ds.entries("train")
    summary = build(ds, entries, tmp_path / "t.lgadcache", workers=2)
    assert summary["decoded"] == len(entries) > 0
    view = ImageCache(tmp_path / "t.lgadcache").view(entries, SIZE)
    plain = LaneSamples(ds, entries, size=SIZE, augment=True, seed=5)
    cached = LaneSamples(ds, entries, size=SIZE, augment=True, seed=5, cache=view)
    assert view.coverage(ds, entries)["fresh"] == len(entries)
    assert same(items(plain), items(cached))
