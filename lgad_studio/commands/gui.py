"""`lgad-studio [DATASET]` / `lgad-studio gui [DATASET]`: open the studio window."""

from __future__ import annotations

import argparse
from pathlib import Path

from lgad_studio.core.errors import StudioError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "dataset",
        nargs="?",
        help="a CULane root, a TuSimple JSON file or a folder of images "
        "(default: the built-in demo dataset, generated on first use)",
    )
    parser.add_argument(
        "--dataset", dest="dataset_option", metavar="DATASET", help=argparse.SUPPRESS
    )


def run(args: argparse.Namespace) -> int:
    dataset = args.dataset or args.dataset_option
    if dataset is not None and not Path(dataset).expanduser().exists():
        raise StudioError(
            f"{dataset}: no such file or folder; expected a CULane root, "
            "a TuSimple JSON file or a folder of images"
        )
    from lgad_studio.gui.app import run_gui  # Qt only when the window is wanted

    return run_gui([str(Path(dataset).expanduser())] if dataset else [])
