"""What hashing the labels of a run costs on a CULane-sized list (the ``run_info.json`` label hash).

Writes a CULane root whose ``list/train_gt.txt`` lists ``--entries`` images (88,880 by
default, CULane's training list), each with a ``.lines.txt`` of 2-4 lanes of 18-33
points (no images: the hashes read labels only), then times, in one run:

- ``stat``: one ``os.stat`` per label file (a lower bound: no content read);
- ``label_files_sha256`` with no cache (every file's bytes read and hashed), then
  with its cache cold (the same, plus writing the cache) and warm (stats only);
- ``core.autolabel.labels_digest`` (every file parsed as the trainer reads it), only with
  ``--parse`` (minutes at this size).

Prints seconds, medians of ``--repeat`` runs where cheap.

    .venv/bin/python benchmarks/label_hash.py [--entries 88880] [--parse]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from lgad_studio.core.formats.culane_lines import format_lines_text
from lgad_studio.core.formats.dataset import open_dataset
from lgad_studio.core.lanes import Lane, LaneSet
from lgad_studio.core.training.provenance import label_files_sha256


def write_root(root: Path, count: int, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    (root / "list").mkdir(parents=True)
    rows = []
    for i in range(count):
        entry = f"driver_{i // 10000:02d}/clip_{i // 100:04d}/{i % 100:05d}.jpg"
        lanes_count = int(rng.integers(2, 5))
        ys = np.arange(589.0, 589.0 - 10 * int(rng.integers(18, 34)), -10.0)
        lanes = LaneSet(
            tuple(
                Lane(np.stack([rng.uniform(0, 1640) + 0.5 * (589 - ys), ys], axis=1))
                for _ in range(lanes_count)
            )
        )
        path = root / entry.replace(".jpg", ".lines.txt")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(format_lines_text(lanes))
        flags = " ".join("1" if k < lanes_count else "0" for k in range(4))
        rows.append(f"/{entry} /laneseg_label_w16/{entry[:-4]}.png {flags}\n")
    (root / "list" / "train_gt.txt").write_text("".join(rows))


def timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=88_880)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--parse", action="store_true", help="also time the parsing label_hash")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="lgad-label-hash-") as tmp:
        root = Path(tmp) / "culane"
        print(f"writing {args.entries:,} label files …", flush=True)
        write_root(root, args.entries)
        dataset = open_dataset(root)
        entries = dataset.entries("train")
        names = [str(dataset.lines_path(e)) for e in entries]
        stat_s = statistics.median(
            timed(lambda: [os.stat(n) for n in names])[0] for _ in range(args.repeat)
        )
        bytes_s = statistics.median(
            timed(lambda: label_files_sha256(dataset, entries))[0] for _ in range(args.repeat)
        )
        cache = Path(tmp) / "cache.json"
        cold_s, (digest, labelled) = timed(
            lambda: label_files_sha256(dataset, entries, cache=cache)
        )
        warm = [
            timed(lambda: label_files_sha256(dataset, entries, cache=cache))
            for _ in range(args.repeat)
        ]
        assert all(value[0] == digest for _, value in warm)
        warm_s = statistics.median(t for t, _ in warm)
        print(
            f"{len(entries):,} entries, {labelled:,} label files, cache {cache.stat().st_size / 1e6:.1f} MB"
        )
        print(f"stat of every label file: {stat_s:.2f} s")
        print(f"label_files_sha256, no cache (read every file): {bytes_s:.2f} s")
        print(f"label_files_sha256, cache cold (read + write it): {cold_s:.2f} s")
        print(f"label_files_sha256, cache warm (stats only): {warm_s:.2f} s")
        if args.parse:
            from lgad_studio.core.autolabel import label_hash

            parse_s, _ = timed(lambda: label_hash(dataset, entries=entries))
            print(f"label_hash (parse every file as the trainer does): {parse_s:.2f} s")
        print(f"load average {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
