"""CULane evaluation speed: LGAD Studio's evaluator against a per-pair full-canvas baseline.

The baseline works the way the official C++ tool does, at about its speed: for
every GT/detection pair of an image it interpolates both lanes, draws each on a
fresh 590x1640 canvas (one ``polylines`` call per lane) and takes the IoU over
the full canvases with OpenCV sums; matching and counting are shared. Both read
the same files and must give identical per-image counts.

The images are processed in blocks, baseline and ours alternating (and
swapping order) block by block, so that both see the same machine load. Prints
images per second (wall clock) for both, their ratio, and the ratio of CPU
seconds; medians over ``--repeat`` runs.

    .venv/bin/python benchmarks/culane_eval.py [--golden ../shared/culane_golden] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from lgad_studio.core.formats.culane_lists import read_image_list
from lgad_studio.core.metrics import evaluate_entries
from lgad_studio.core.metrics.culane_files import lines_path, read_eval_lanes
from lgad_studio.core.metrics.culane_raster import reference_lane_iou
from lgad_studio.core.metrics.hungarian import official_assignment

DEFAULT_GOLDEN = Path(__file__).resolve().parents[1].parent / "shared" / "culane_golden"


def baseline_counts(anno: Path, det: Path, entries: list[str]) -> dict[str, list[int]]:
    """Per-image ``[tp, fp, fn]``, two fresh full canvases per pair, single-threaded."""
    out = {}
    for entry in entries:
        gt = read_eval_lanes(lines_path(anno, entry))
        dt = read_eval_lanes(lines_path(det, entry), missing_ok=True)
        tp = 0
        if gt and dt:
            sim = np.array([[reference_lane_iou(g, d) for d in dt] for g in gt])
            rows = official_assignment(sim)
            tp = sum(1 for i, j in enumerate(rows) if j >= 0 and sim[i, j] > 0.5)
        out[entry] = [tp, len(dt) - tp, len(gt) - tp]
    return out


def _cpu() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def one_run(anno: Path, det: Path, entries: list[str], block: int, workers: int | None):
    """``(baseline wall, ours wall, baseline cpu, ours cpu, identical)`` over all blocks."""
    wall, cpu, same = [0.0, 0.0], [0.0, 0.0], True
    for k, start in enumerate(range(0, len(entries), block)):
        part = entries[start : start + block]
        results = {}
        order = (0, 1) if k % 2 == 0 else (1, 0)
        for who in order:
            c0, t0 = _cpu(), time.perf_counter()
            if who == 0:
                results[0] = baseline_counts(anno, det, part)
            else:
                results[1] = evaluate_entries(anno, det, part, workers=workers).per_image_counts()
            wall[who] += time.perf_counter() - t0
            cpu[who] += _cpu() - c0
        same = same and results[0] == results[1]
    return wall[0], wall[1], cpu[0], cpu[1], same


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--golden", type=Path, default=DEFAULT_GOLDEN)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--block", type=int, default=100, help="images per alternation block")
    parser.add_argument("--workers", type=int, default=None, help="ours: processes/threads")
    parser.add_argument("--limit", type=int, default=None, help="only the first N images")
    args = parser.parse_args(argv)
    anno, det = args.golden / "anno", args.golden / "det"
    entries = read_image_list(args.golden / "list.txt")[: args.limit]
    n = len(entries)
    print(f"{n} images, {os.cpu_count()} CPUs, {args.repeat} runs, blocks of {args.block}")
    runs = []
    for r in range(args.repeat):
        base_w, ours_w, base_c, ours_c, same = one_run(anno, det, entries, args.block, args.workers)
        runs.append((n / base_w, n / ours_w, base_c / ours_c, same))
        print(
            f"run {r + 1}: baseline {n / base_w:6.1f} img/s   ours {n / ours_w:6.1f} img/s   "
            f"ratio {base_w / ours_w:5.1f}x   CPU ratio {base_c / ours_c:5.1f}x"
        )
    base_ips = statistics.median(x[0] for x in runs)
    ours_ips = statistics.median(x[1] for x in runs)
    ratio = statistics.median(x[1] / x[0] for x in runs)
    cpu_ratio = statistics.median(x[2] for x in runs)
    same = all(x[3] for x in runs)
    print(f"baseline (per-pair full canvases): {base_ips:.1f} images/s")
    print(f"LGAD Studio evaluator:             {ours_ips:.1f} images/s")
    print(f"speed-up (median of runs): {ratio:.1f}x wall, {cpu_ratio:.1f}x CPU time")
    print(f"identical per-image counts: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
