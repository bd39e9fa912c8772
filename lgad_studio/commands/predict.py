"""``lgad-studio predict``: a student's lanes for a list of images, in the official formats.

CULane: ``OUT/<entry>.lines.txt`` per image, what ``lgad-studio evaluate culane``
(and the official tool) reads. TuSimple datasets: one prediction JSON-lines file
``OUT`` (one x per h_sample, -2 for none, ``run_time``), decoded on each record's
``h_samples``, what ``lgad-studio evaluate tusimple`` reads. ``--score`` also
prints the CULane counts of the same run (the core evaluation path).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from lgad_studio.commands._progress import run_with_progress
from lgad_studio.core.errors import StudioError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--checkpoint", required=True, help="student checkpoint (.pt)")
    parser.add_argument("--data", required=True, help="dataset root (or TuSimple JSON)")
    parser.add_argument("--list", help="list file of image paths (default: the --split's entries)")
    parser.add_argument("--split", default="test", help="split to predict when no --list is given")
    parser.add_argument(
        "--out",
        required=True,
        help="CULane: the detection root (DETROOT); TuSimple: the prediction .json file",
    )
    parser.add_argument(
        "--format",
        choices=("culane", "tusimple"),
        help="output format (default: tusimple for TuSimple datasets, culane otherwise)",
    )
    parser.add_argument(
        "--score", action="store_true", help="also print CULane TP/FP/FN/P/R/F1 of this run"
    )
    parser.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:N or mps")
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument(
        "--threads",
        type=int,
        help="CPU threads (torch's, and the evaluation's budget; default: torch's default)",
    )


def read_entries(path: Path) -> list[str]:
    """Image paths of a CULane-style list file (first field of each non-empty line)."""
    from lgad_studio.core.formats.culane_lists import normalize_entry

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise StudioError(f"{path}: cannot read the list ({exc.strerror or exc})") from None
    return [normalize_entry(line.split()[0]) for line in text.splitlines() if line.strip()]


def run(args: argparse.Namespace) -> int:
    import torch

    from lgad_studio.core.evaluation.predict import default_output, predict_dataset
    from lgad_studio.core.formats.dataset import open_dataset
    from lgad_studio.core.inference import LanePredictor
    from lgad_studio.core.metrics.scores import percent

    if args.batch_size < 1:
        raise StudioError(f"--batch-size {args.batch_size}: expected at least 1")
    if args.threads:
        torch.set_num_threads(args.threads)
    dataset = open_dataset(args.data)
    if args.list:
        entries = read_entries(Path(args.list))
    elif args.split in dataset.split_names():
        entries = dataset.entries(args.split)
    else:
        raise StudioError(f"{args.data}: no split {args.split!r}; it has {dataset.split_names()}")
    output = args.format or default_output(dataset)
    predictor = LanePredictor.from_checkpoint(args.checkpoint, device=args.device)
    events = predict_dataset(
        predictor, dataset, entries, args.out, output=output, score=args.score,
        batch_size=args.batch_size,
    )  # fmt: skip
    summary = run_with_progress(events, desc="predict")
    if output == "tusimple":
        print(f"predict: {summary.images} TuSimple records in {args.out}")
    else:
        print(f"predict: {summary.images} detection files under {args.out}")
    if summary.scores is not None:
        s = summary.scores
        print(f"TP {s.tp}  FP {s.fp}  FN {s.fn}")
        print(f"precision {percent(s.precision, digits=2)}  recall {percent(s.recall, digits=2)}")
        print(f"F1        {percent(s.f1, digits=2)}  (CULane rule, 30-px lines, IoU > 0.5)")
    return 0
