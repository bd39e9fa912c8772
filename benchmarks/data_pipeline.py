"""The training loader at CULane scale: cost per sample, throughput per worker count, memory.

Builds a CULane-size training list (88,880 entries by default) of hard links to the
images and labels of a small generated demo set, then prints in one run, for the
loader as it decodes every JPEG and again for the loader reading a prepared image
cache (``lgad-studio prepare-cache``; built here for ``--cache-entries`` entries of
the list, 0.7 MB each at 800x288):

(a) the loader's cost per training sample at 800x288 with augmentation (decode at
    reduced scale or read from the cache, resize, flip + affine, label rendering,
    existence), divided by the cost of a plain full-size ``cv2.imread`` of the same
    files (target <= 1.2); with the cache, also with its pages evicted from the
    operating system's page cache (``posix_fadvise``), i.e. read from the disk;
(b) samples/s through a DataLoader with 0, 1 and 2 worker processes;
(c) the resident memory of the training process tree (main process + workers)
    after 1,000 and after 10,000 samples drawn (target: growth <= 200 MB).

Run: ``.venv/bin/python benchmarks/data_pipeline.py [--entries 88880] [--size 800x288]``.
Medians of interleaved repeats; on a shared machine quote the load you saw.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np
import torch

from lgad_studio.core.demo.dataset import generate_demo_dataset
from lgad_studio.core.formats.culane_lists import write_culane_lists
from lgad_studio.core.formats.dataset import open_dataset
from lgad_studio.core.training import TeacherConfig
from lgad_studio.core.training.data import LaneSamples
from lgad_studio.core.training.distributed import DistInfo
from lgad_studio.core.training.image_cache import ImageCache
from lgad_studio.core.training.image_cache_build import build_image_cache
from lgad_studio.core.training.setup import make_loader


def build_culane_size_root(root: Path, *, sources: int, entries: int) -> Path:
    """``entries`` training images (hard links to ``sources`` demo images) in CULane layout."""
    demo = root / "demo"
    generate_demo_dataset(demo, train=sources, val=0, test=0, seed=11)
    src = open_dataset(demo)
    originals = src.entries("train")
    big = root / "culane"
    rows = []
    for i in range(entries):
        entry = originals[i % len(originals)]
        name = f"driver_{i // 10000:02d}/clip_{i // 100 % 100:02d}/{i:06d}.jpg"
        target = big / name
        target.parent.mkdir(parents=True, exist_ok=True)
        os.link(demo / entry, target)
        os.link((demo / entry).with_suffix(".lines.txt"), target.with_suffix(".lines.txt"))
        rows.append((name, src.read_lanes(entry).existence()))
    write_culane_lists(big, train=rows, val=[], test=[], test_splits={})
    return big


def time_per_item(fn, items, repeats: int) -> float:
    """Median over ``repeats`` of the mean seconds per item."""
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        for item in items:
            fn(item)
        runs.append((time.perf_counter() - start) / len(items))
    return statistics.median(runs)


def tree_memory_mb(pid: int) -> tuple[float, float]:
    """(RSS, PSS) in MB of ``pid`` and all of its descendants (PSS counts shared pages once)."""
    pids = [pid]
    i = 0
    while i < len(pids):
        try:
            children = Path(f"/proc/{pids[i]}/task/{pids[i]}/children").read_text().split()
        except OSError:
            children = []
        pids += [int(c) for c in children]
        i += 1
    rss = pss = 0.0
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Rss:"):
                    rss += int(line.split()[1]) / 1024
                elif line.startswith("Pss:"):
                    pss += int(line.split()[1]) / 1024
        except OSError:
            continue
    return rss, pss


def evict(path: Path) -> None:
    """Drop ``path``'s pages from the page cache (clean pages; no privileges needed)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def cost_ratio(samples, picked, paths, repeats, *, before=None) -> tuple[float, float]:
    """Median seconds per training sample and per full-size ``imread``, interleaved."""
    for i, path in zip(picked[:20], paths[:20], strict=True):  # warm both sides alike
        samples[(i, 1)]
        cv2.imread(path)
    imread, loader = [], []
    for r in range(repeats):
        imread.append(time_per_item(cv2.imread, paths, 1))
        if before is not None:
            before()
        loader.append(time_per_item(lambda i, e=r: samples[(i, e + 1)], picked, 1))
    return statistics.median(loader), statistics.median(imread)


def throughput_and_memory(samples, config, memory_samples: int, label: str) -> None:
    """(b) samples/s with 0, 1, 2 workers and (c) the process tree's memory growth."""
    count = 400
    for workers in (0, 1, 2):
        loader_ = make_loader(samples, config.replace(num_workers=workers), DistInfo(),
                              torch.device("cpu"))  # fmt: skip
        rates = []
        for epoch in (1, 2, 3):
            loader_.sampler.set_epoch(epoch)
            drawn, t0 = 0, time.perf_counter()
            for batch in loader_:
                drawn += len(batch["image"])
                if drawn >= count:
                    break
            rates.append(drawn / (time.perf_counter() - t0))
        print(f"(b) {label}, {workers} worker(s): {statistics.median(rates):.1f} samples/s "
              f"(median of 3 x {count})")  # fmt: skip
        del loader_

    loader_ = make_loader(samples, config.replace(num_workers=2), DistInfo(), torch.device("cpu"))
    drawn, marks, epoch = 0, {}, 0
    base = tree_memory_mb(os.getpid())
    while drawn < memory_samples:
        epoch += 1
        loader_.sampler.set_epoch(epoch)
        for batch in loader_:
            drawn += len(batch["image"])
            for mark in (1_000, memory_samples):
                if drawn >= mark and mark not in marks:
                    marks[mark] = tree_memory_mb(os.getpid())
            if drawn >= memory_samples:
                break
    (r1, p1), (r2, p2) = marks[1_000], marks[memory_samples]
    print(f"(c) {label}, process tree (main + 2 workers) before: RSS {base[0]:.0f} MB; after "
          f"1,000 samples: RSS {r1:.0f} MB (PSS {p1:.0f}); after {memory_samples:,}: RSS "
          f"{r2:.0f} MB (PSS {p2:.0f}); growth {r2 - r1:+.0f} MB RSS, {p2 - p1:+.0f} MB PSS "
          f"(target <= 200 MB)")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=88_880)
    parser.add_argument("--sources", type=int, default=300, help="distinct demo images linked")
    parser.add_argument("--size", default="800x288")
    parser.add_argument("--samples", type=int, default=200, help="samples timed per repeat in (a)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--memory-samples", type=int, default=10_000)
    parser.add_argument(
        "--cache-entries", type=int, default=2_000,
        help="entries of the list put in the prepared cache for (b) and (c); 0.7 MB each",
    )  # fmt: skip
    args = parser.parse_args()
    torch.set_num_threads(1)
    cv2.setNumThreads(1)
    size = tuple(int(v) for v in args.size.split("x"))
    with tempfile.TemporaryDirectory(prefix="lgad-pipeline-") as tmp:
        start = time.perf_counter()
        root = build_culane_size_root(Path(tmp), sources=args.sources, entries=args.entries)
        dataset = open_dataset(root)
        entries = dataset.entries("train")
        print(f"CULane-size list: {len(entries)} entries ({args.sources} distinct images, "
              f"hard links) built in {time.perf_counter() - start:.1f} s")  # fmt: skip
        common = {"size": size, "augment": True, "seed": 0, "line_width": 30.0}
        samples = LaneSamples(dataset, entries, **common)
        rng = np.random.default_rng(0)
        order = rng.permutation(len(entries)).tolist()
        picked = order[: args.samples]
        paths = [str(dataset.image_path(entries[i])) for i in picked]
        a, b = cost_ratio(samples, picked, paths, args.repeats)
        print(f"(a) decoding, per training sample at {size[0]}x{size[1]} with augmentation: "
              f"{1000 * a:.2f} ms; full-size cv2.imread of the same files: {1000 * b:.2f} ms; "
              f"ratio {a / b:.2f} (target <= 1.2)")  # fmt: skip

        cached_entries = [entries[i] for i in order[: max(args.cache_entries, args.samples)]]
        cache_file = Path(tmp) / "train.lgadcache"
        t0 = time.perf_counter()
        job = build_image_cache(dataset, cached_entries, size, cache_file)
        for _ in job:
            pass
        built = time.perf_counter() - t0
        print(f"prepared cache: {len(cached_entries)} images, "
              f"{cache_file.stat().st_size / 2**30:.2f} GiB, built in {built:.1f} s "
              f"(one thread)")  # fmt: skip
        cache = ImageCache(cache_file)
        with_cache = LaneSamples(dataset, entries, cache=cache.view(entries, size), **common)
        a, b = cost_ratio(with_cache, picked, paths, args.repeats)
        print(f"(a) prepared cache in the page cache: {1000 * a:.2f} ms; imread {1000 * b:.2f} ms;"
              f" ratio {a / b:.2f} (target <= 1.2)")  # fmt: skip
        a, b = cost_ratio(with_cache, picked, paths, args.repeats, before=lambda: evict(cache_file))
        print(f"(a) prepared cache read from the disk (pages evicted): {1000 * a:.2f} ms; "
              f"imread {1000 * b:.2f} ms; ratio {a / b:.2f}")  # fmt: skip

        config = TeacherConfig(data=str(root), input_size=size, batch_size=8, seed=0)
        throughput_and_memory(samples, config, args.memory_samples, "decoding")
        subset = LaneSamples(
            dataset, cached_entries, cache=cache.view(cached_entries, size), **common
        )
        throughput_and_memory(subset, config, args.memory_samples, "prepared cache")
    return 0


if __name__ == "__main__":
    sys.exit(main())
