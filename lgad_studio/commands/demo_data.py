"""``lgad-studio demo-data OUT``: write the procedural demo dataset in CULane layout."""

from __future__ import annotations

import argparse
from pathlib import Path

from lgad_studio.core.errors import StudioError


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected a whole number of images") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r}: expected a count >= 0")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from lgad_studio.core.demo.dataset import DEFAULT_TEST, DEFAULT_TRAIN, DEFAULT_VAL

    parser.add_argument("out", metavar="OUT", help="folder to write the dataset root into")
    parser.add_argument(
        "--train", type=_count, default=DEFAULT_TRAIN, help="training images (default %(default)s)"
    )
    parser.add_argument(
        "--val", type=_count, default=DEFAULT_VAL, help="validation images (default %(default)s)"
    )
    parser.add_argument(
        "--test",
        type=_count,
        default=DEFAULT_TEST,
        help="test images, shared evenly by the nine categories; 0 or >= 9 (default %(default)s)",
    )
    parser.add_argument("--seed", type=int, default=0, help="same seed, same files (default 0)")
    parser.add_argument(
        "--force", action="store_true", help="write into OUT even if it is not empty"
    )


def run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from lgad_studio.core.demo.dataset import check_counts, generate_demo_dataset

    out = Path(args.out).expanduser()
    if out.exists() and not out.is_dir():
        raise StudioError(f"{out}: exists and is not a folder, expected a new or empty folder")
    if out.is_dir() and any(out.iterdir()) and not args.force:
        raise StudioError(
            f"{out}: folder is not empty, expected a new or empty folder (or --force)"
        )
    check_counts(train=args.train, val=args.val, test=args.test)
    total = args.train + args.val + args.test
    with tqdm(total=total, unit="img", desc="demo-data", dynamic_ncols=True) as bar:

        def progress(done: int, _total: int) -> None:
            bar.update(done - bar.n)

        summary = generate_demo_dataset(
            out, train=args.train, val=args.val, test=args.test, seed=args.seed, progress=progress
        )
    counts = summary.counts
    print(
        f"wrote {summary.images} images to {out}: train {counts['train']}, val {counts['val']}, "
        f"test {counts['test']} in {summary.seconds:.1f} s ({summary.images_per_s:.1f} images/s)"
    )
    if counts["test"]:
        per = ", ".join(f"{name} {n}" for name, n in summary.categories.items())
        print(f"test splits (list/test_split/): {per}")
    return 0
