"""``lgad-studio predict``: CULane ``.lines.txt`` detections of a student for a list of images.

Writes ``DETROOT/<entry>.lines.txt`` for every entry, the layout
``lgad-studio evaluate culane`` (and the official tool) reads.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from lgad_studio.core.errors import StudioError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--checkpoint", required=True, help="student checkpoint (.pt)")
    parser.add_argument("--data", required=True, help="dataset root")
    parser.add_argument("--list", help="list file of image paths (default: the --split's entries)")
    parser.add_argument("--split", default="test", help="split to predict when no --list is given")
    parser.add_argument("--out", required=True, help="detection root (DETROOT)")
    parser.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:N or mps")
    parser.add_argument("--batch-size", type=int, default=8)


def read_entries(path: Path) -> list[str]:
    """Image paths of a CULane-style list file (first field of each non-empty line)."""
    from lgad_studio.core.formats.culane_lists import normalize_entry

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise StudioError(f"{path}: cannot read the list ({exc.strerror or exc})") from None
    return [normalize_entry(line.split()[0]) for line in text.splitlines() if line.strip()]


def run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from lgad_studio.core.formats.dataset import open_dataset
    from lgad_studio.core.inference import LanePredictor, predict_dataset

    dataset = open_dataset(args.data)
    if args.list:
        entries: str | list[str] = read_entries(Path(args.list))
    elif args.split in dataset.split_names():
        entries = args.split
    else:
        raise StudioError(f"{args.data}: no split {args.split!r}; it has {dataset.split_names()}")
    predictor = LanePredictor.from_checkpoint(args.checkpoint, device=args.device)
    total = len(entries) if isinstance(entries, list) else len(dataset.entries(entries))
    with tqdm(total=total, desc="predict", unit="img") as bar:
        for progress in predict_dataset(
            predictor, dataset, entries, args.out, batch_size=args.batch_size
        ):
            bar.update(progress.done - bar.n)
    print(f"predict: {total} detection files under {args.out}")
    return 0
