"""Building the prepared image cache: images/s with 0, 1 and 2 decoding threads, and a rebuild.

Builds a CULane-size training list of hard links to a small generated demo set (as
``data_pipeline.py`` does), then times ``build_image_cache`` on ``--images`` entries of
it at 800x288: decoding in the calling thread only (``--workers 0``), with 1 and 2
decoding threads, and a rebuild over the finished cache with nothing changed
(every row is copied, none decoded).

Run: ``.venv/bin/python benchmarks/image_cache_build.py [--images 4000]``.
Each figure is one build; interleave runs and quote the machine's load.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from data_pipeline import build_culane_size_root  # noqa: E402

from lgad_studio.core.formats.dataset import open_dataset  # noqa: E402
from lgad_studio.core.training.image_cache_build import build_image_cache  # noqa: E402


def timed_build(dataset, entries, size, out: Path, workers: int) -> tuple[float, dict]:
    start = time.perf_counter()
    job = build_image_cache(dataset, entries, size, out, workers=workers)
    while True:
        try:
            next(job)
        except StopIteration as stop:
            return time.perf_counter() - start, stop.value


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=88_880)
    parser.add_argument("--images", type=int, default=4_000, help="entries put in each cache")
    parser.add_argument("--size", default="800x288")
    args = parser.parse_args()
    cv2.setNumThreads(1)
    size = tuple(int(v) for v in args.size.split("x"))
    with tempfile.TemporaryDirectory(prefix="lgad-cache-build-") as tmp:
        root = build_culane_size_root(Path(tmp), sources=300, entries=args.entries)
        dataset = open_dataset(root)
        entries = dataset.entries("train")
        picked = np.random.default_rng(1).permutation(len(entries))[: args.images]
        chosen = [entries[i] for i in picked]
        for workers in (0, 1, 2):
            out = Path(tmp) / f"w{workers}.lgadcache"
            seconds, summary = timed_build(dataset, chosen, size, out, workers)
            print(f"{workers} decoding thread(s): {len(chosen) / seconds:.0f} images/s "
                  f"({seconds:.1f} s, {summary['bytes'] / 2**30:.2f} GiB)")  # fmt: skip
            if workers:
                out.unlink()
        seconds, summary = timed_build(dataset, chosen, size, Path(tmp) / "w0.lgadcache", 0)
        print(f"rebuild with nothing changed: {len(chosen) / seconds:.0f} images/s "
              f"({summary['decoded']} decoded, {summary['reused']} copied)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
