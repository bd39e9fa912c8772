"""``lgad-studio convert``: lane labels from CULane, TuSimple or LabelMe to CULane or TuSimple."""

from __future__ import annotations

import argparse
import sys

from lgad_studio.core.formats.convert import SOURCES, TARGETS, convert_dataset

MAX_LISTED = 20


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--from", dest="source", choices=SOURCES, required=True, help="source format"
    )
    parser.add_argument("--to", dest="target", choices=TARGETS, required=True, help="target format")
    parser.add_argument(
        "src",
        metavar="SRC",
        help="CULane root or image folder; TuSimple .json file or folder; LabelMe .json file or folder",
    )
    parser.add_argument(
        "dst",
        metavar="DST",
        help="new folder (CULane, TuSimple), or a .json file for a single TuSimple label file",
    )
    parser.add_argument(
        "--lenient",
        action="store_true",
        help="skip bad files, lines and missing images and list them, instead of stopping",
    )
    parser.add_argument(
        "--labels-only", action="store_true", help="convert labels without copying the images"
    )
    parser.add_argument(
        "--force", action="store_true", help="write into DST even if it exists and is not empty"
    )


def run(args: argparse.Namespace) -> int:
    summary = convert_dataset(
        args.src,
        args.dst,
        source=args.source,
        target=args.target,
        strict=not args.lenient,
        labels_only=args.labels_only,
        overwrite=args.force,
    )
    print(f"{summary.line()} -> {args.dst}")
    for problem in summary.skipped[:MAX_LISTED]:
        print(f"  skipped: {problem}", file=sys.stderr)
    if len(summary.skipped) > MAX_LISTED:
        print(f"  ... and {len(summary.skipped) - MAX_LISTED} more", file=sys.stderr)
    return 0
