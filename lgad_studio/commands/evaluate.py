"""`lgad-studio evaluate culane|tusimple|checkpoints`: official CULane F1 and TuSimple accuracy.

``culane`` and ``tusimple`` score prediction files as the official tools do;
``checkpoints`` is the Evaluate tab headless: it runs student checkpoints over a
split through the core evaluation path, prints the per-category table of each
and saves the result for the tab (``--save``).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from lgad_studio.commands._progress import run_with_progress
from lgad_studio.core.atomic import atomic_write_text
from lgad_studio.core.errors import StudioError
from lgad_studio.core.lanes import CULANE_SIZE


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(
        dest="metric", metavar="{culane,tusimple,checkpoints}", required=True
    )
    c = sub.add_parser(
        "culane",
        help="CULane precision/recall/F1 (the official tool's exact numbers)",
        description="CULane F1 as the official tool computes it. Files are "
        "ROOT/<list entry without extension>.lines.txt; a missing detection file means "
        "no detections.",
    )
    c.add_argument("--anno", type=Path, required=True, metavar="ROOT", help="annotation root")
    c.add_argument("--det", type=Path, required=True, metavar="ROOT", help="detection root")
    c.add_argument("--list", type=Path, metavar="FILE", help="image list (e.g. list/test.txt)")
    c.add_argument(
        "--splits", type=Path, metavar="DIR", help="list/test_split/: per-category table"
    )
    c.add_argument("--width", type=int, default=30, help="lane line width in pixels (30)")
    c.add_argument("--iou", type=float, default=0.5, help="TP if IoU > this (0.5)")
    c.add_argument("--size", type=_size, default=CULANE_SIZE, metavar="WxH", help="1640x590")
    c.add_argument("--sweep", action="store_true", help="also F1 at IoU 0.50:0.05:0.95 and mF1")
    c.add_argument(
        "--approximate",
        action="store_true",
        help="continuous-geometry IoU (shapely): APPROXIMATE, not the official numbers",
    )
    c.add_argument(
        "--workers",
        type=int,
        default=None,
        help="processes/threads (default: the CPU count, at most 4)",
    )
    c.add_argument("--json", type=Path, metavar="OUT", help="write the figures as JSON")
    c.add_argument("--per-image", type=Path, metavar="OUT", help="write {image: [tp, fp, fn]}")
    t = sub.add_parser(
        "tusimple",
        help="TuSimple accuracy/FP/FN (the official LaneEval.bench)",
        description="TuSimple accuracy, FP and FN of a prediction JSON-lines file.",
    )
    t.add_argument("pred", type=Path, help="predictions, one JSON object per line")
    t.add_argument("gt", type=Path, help="ground truth (e.g. test_label.json)")
    t.add_argument("--json", type=Path, metavar="OUT", help="write the figures as JSON")
    k = sub.add_parser(
        "checkpoints",
        help="student checkpoints over a split: the Evaluate tab's table, headless",
        description="Run student checkpoints over a dataset split (each image read once), "
        "score them with the official CULane rule and print the per-category table; "
        "--save writes the result the Evaluate tab opens.",
    )
    k.add_argument("--data", required=True, help="dataset root (or TuSimple JSON)")
    k.add_argument("--split", default="test", help="split to evaluate (test)")
    k.add_argument("--checkpoints", nargs="+", required=True, metavar="CKPT")
    k.add_argument("--save", type=Path, metavar="OUT.npz", help="write the result for the tab")
    k.add_argument("--limit", type=int, help="only the first N images of the split")
    k.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:N or mps")
    k.add_argument("--batch-size", type=int, default=8)
    k.add_argument("--threads", type=int, help="CPU threads (torch's and the evaluation's)")


def _size(text: str) -> tuple[int, int]:
    w, sep, h = text.lower().partition("x")
    if not (sep and w.isdigit() and h.isdigit() and int(w) > 0 and int(h) > 0):
        raise argparse.ArgumentTypeError(f"{text!r}: expected WIDTHxHEIGHT, e.g. 1640x590")
    return int(w), int(h)


def run(args: argparse.Namespace) -> int:
    if args.metric == "tusimple":
        return _run_tusimple(args)
    if args.metric == "checkpoints":
        return _run_checkpoints(args)
    return _run_culane(args)


def _run_checkpoints(args: argparse.Namespace) -> int:
    import torch

    from lgad_studio.core.evaluation.job import evaluate_checkpoints
    from lgad_studio.core.metrics.scores import percent

    if args.threads:
        torch.set_num_threads(args.threads)
    job = evaluate_checkpoints(
        args.data, args.split, args.checkpoints, device=args.device, limit=args.limit,
        batch_size=args.batch_size,
    )  # fmt: skip
    result = run_with_progress(job, desc="evaluate")
    print(f"{len(result.entries)} images of {result.split}")
    head = f"{'category':<10}{'TP':>7}{'FP':>7}{'FN':>7}{'P':>7}{'R':>7}{'F1':>7}"
    for evaluation in result.checkpoints:
        print(f"\n{evaluation.label}\n{head}")
        for name, s in evaluation.by_category().items():
            print(
                f"{name:<10}{s.tp:>7}{s.fp:>7}{s.fn:>7}{percent(s.precision):>7}"
                f"{percent(s.recall):>7}{percent(s.f1):>7}"
            )
    if args.save:
        print(f"\nsaved {result.save(args.save)}")
    return 0


def _run_tusimple(args: argparse.Namespace) -> int:
    from lgad_studio.core.metrics.tusimple import tusimple_bench

    figures = tusimple_bench(args.pred, args.gt)
    print(f"Accuracy {figures['accuracy']:.6f}")
    print(f"FP       {figures['fp']:.6f}")
    print(f"FN       {figures['fn']:.6f}")
    if args.json:
        _write_json(args.json, {"metric": "tusimple", **figures})
    return 0


def _run_culane(args: argparse.Namespace) -> int:
    from lgad_studio.core.metrics import evaluate_culane_dirs, evaluate_splits, f1_over_thresholds

    _check_culane_args(args)
    options = {
        "width": args.width,
        "iou_threshold": args.iou,
        "image_size": args.size,
        "approximate": args.approximate,
        "workers": args.workers,
    }
    w, h = args.size
    kind = (
        "APPROXIMATE shapely-area IoU, not the official metric"
        if args.approximate
        else "official pixel IoU"
    )
    print(f"CULane: {kind}, width {args.width}, TP if IoU > {args.iou:g}, canvas {w}x{h}")
    report: dict[str, object] = {
        "metric": "culane",
        "params": {"width": args.width, "iou": args.iou, "size": [w, h]},
        "approximate": args.approximate,
    }
    result = None
    if args.list:
        result = evaluate_culane_dirs(args.anno, args.det, args.list, **options)
        print(f"images    {len(result.images)}")
        print(f"TP {result.tp}  FP {result.fp}  FN {result.fn}")
        print(f"precision {_fmt(result.precision)}")
        print(f"recall    {_fmt(result.recall)}")
        print(f"F1        {_fmt(result.f1)}")
        report.update(result.summary(), images=len(result.images))
    if args.splits:
        table = evaluate_splits(args.anno, args.det, args.splits, **options)
        print(table.format())
        report["splits"] = {r.name: {**r.summary(), "images": r.images} for r in table.rows}
        report["splits_total"] = table.total.summary()
        result = result or table.result
    if args.sweep:
        sweep = f1_over_thresholds(result)
        print(sweep.format())
        report["sweep"] = sweep.as_dict()
    if args.json:
        _write_json(args.json, report)
    if args.per_image:
        _write_json(args.per_image, result.per_image_counts())
    return 0


def _check_culane_args(args: argparse.Namespace) -> None:
    if not args.list and not args.splits:
        raise StudioError("evaluate culane: give --list FILE and/or --splits DIR")
    for name in ("anno", "det"):
        root = getattr(args, name)
        if not root.is_dir():
            raise StudioError(f"{root}: --{name} must be a folder of .lines.txt files")
    if args.width < 1:
        raise StudioError(f"--width {args.width}: expected a line width of at least 1 pixel")
    if not 0.0 <= args.iou < 1.0:
        raise StudioError(f"--iou {args.iou}: expected a threshold in [0, 1)")


def _fmt(value: float) -> str:
    return "-1 (empty denominator)" if value < 0 else f"{value:.6f}"


def _write_json(path: Path, data: object) -> None:
    try:
        atomic_write_text(path, json.dumps(data, indent=1) + "\n")
    except OSError as exc:
        raise StudioError(f"{path}: cannot write ({exc.strerror or exc})") from None
