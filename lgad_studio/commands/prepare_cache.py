"""``lgad-studio prepare-cache``: decode a dataset's training images once into a cache file.

Training with ``--image-cache FILE`` then reads each image from the file instead of
decoding its JPEG, with bit-identical samples (``docs/adr/data-pipeline.md``). The
file holds every image at the reduced scale the input size decodes it at: about
0.7 MB per 1640x590 image at 800x288 (62 GB for CULane's 88,880 training images),
so put it on a local SSD. Running it again over an existing cache decodes only the
images that changed.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from lgad_studio.commands._training_cli import input_size
from lgad_studio.core.errors import StudioError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", required=True, help="dataset root (as for training)")
    parser.add_argument(
        "--out",
        required=True,
        type=Path,
        help="the cache file to write (e.g. culane-800x288.lgadcache)",
    )
    parser.add_argument(
        "--input-size", type=input_size, required=True, help="the network input WxH it is for"
    )
    parser.add_argument(
        "--splits", nargs="+", default=["train", "val"], help="splits to cache (default train val)"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="decoding threads (default: the CPU count, at most 8; 0: the main thread only)",
    )


def run(args: argparse.Namespace) -> int:
    from lgad_studio.commands._progress import run_with_progress
    from lgad_studio.core.formats.dataset import open_dataset
    from lgad_studio.core.training.image_cache_build import build_image_cache, format_size

    workers = min(8, os.cpu_count() or 1) if args.workers is None else args.workers
    if workers < 0:
        raise StudioError(f"--workers {workers}: expected 0 or more threads")
    dataset = open_dataset(Path(args.data).expanduser())
    splits = dataset.split_names()
    unknown = [s for s in args.splits if s not in splits]
    if unknown:
        raise StudioError(f"{args.data}: no split(s) {unknown}; the dataset has {splits}")
    entries = [e for s in args.splits for e in dataset.entries(s)]
    job = build_image_cache(dataset, entries, args.input_size, args.out, workers=workers)
    summary = run_with_progress(job, desc="prepare-cache")
    print(
        f"{summary['path']}: {summary['images']} images ({summary['decoded']} decoded, "
        f"{summary['reused']} unchanged since the last build), {format_size(summary['bytes'])}"
    )
    return 0
