"""CULane evaluation speed: LGAD Studio's evaluator against a per-pair full-canvas baseline.

The baseline works the way the official C++ tool does: for every GT/detection
pair of an image it interpolates both lanes, draws each on a fresh 590x1640
canvas (one ``polylines`` call per lane) and takes the IoU over the full
canvases; matching and counting are shared. Both read the same files and must
give identical per-image counts. Prints images per second for both and the
ratio (median over ``--repeat`` runs; baseline and ours alternate).

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--golden", type=Path, default=DEFAULT_GOLDEN)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, default=None, help="threads for ours")
    parser.add_argument("--limit", type=int, default=None, help="only the first N images")
    args = parser.parse_args(argv)
    anno, det = args.golden / "anno", args.golden / "det"
    entries = read_image_list(args.golden / "list.txt")[: args.limit]
    n = len(entries)
    print(f"{n} images, {os.cpu_count()} CPUs visible, {args.repeat} runs each")
    base_t, ours_t, same = [], [], True
    for run in range(args.repeat):
        t0 = time.perf_counter()
        expected = baseline_counts(anno, det, entries)
        t1 = time.perf_counter()
        result = evaluate_entries(anno, det, entries, workers=args.workers)
        t2 = time.perf_counter()
        same = same and result.per_image_counts() == expected
        base_t.append(t1 - t0)
        ours_t.append(t2 - t1)
        print(
            f"run {run + 1}: baseline {n / (t1 - t0):8.1f} img/s   ours {n / (t2 - t1):8.1f} img/s"
        )
    base_ips = n / statistics.median(base_t)
    ours_ips = n / statistics.median(ours_t)
    print(f"baseline (per-pair full canvases): {base_ips:.1f} images/s")
    print(f"LGAD Studio evaluator:             {ours_ips:.1f} images/s")
    print(f"speed-up: {ours_ips / base_ips:.1f}x   identical per-image counts: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
