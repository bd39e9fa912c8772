"""`lgad-studio`: no subcommand opens the studio; subcommands run the same core headless.

Each subcommand lives in ``lgad_studio/commands/<name>.py`` and exposes
``add_arguments(parser)`` and ``run(args) -> int``. They are imported only when
chosen, so ``lgad-studio --help`` answers without loading torch or Qt.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from lgad_studio import __version__
from lgad_studio.core.errors import StudioError

# name -> (module under lgad_studio.commands, one-line help)
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "gui": ("gui", "open the studio window (the default when no subcommand is given)"),
    "demo-data": ("demo_data", "write the procedural demo dataset in CULane layout"),
    "convert": ("convert", "convert lane labels between CULane, TuSimple and LabelMe"),
    "evaluate": (
        "evaluate",
        "CULane F1 or TuSimple accuracy, identical to the official tools; checkpoints on a split",
    ),
    "prepare-cache": (
        "prepare_cache",
        "decode a dataset's images once into a cache file that training reads (--image-cache)",
    ),
    "train-teacher": ("train_teacher", "train the label-map teacher"),
    "distill": ("distill", "train a student: LGAD, SAD or baseline"),
    "predict": (
        "predict",
        "write a student's predictions: CULane .lines.txt, or TuSimple JSON on TuSimple data",
    ),
    "attention": ("attention", "the attention grid of one image under several checkpoints, PNG"),
    "export": ("export", "export a student checkpoint to ONNX"),
    "autolabel": ("autolabel", "propose lanes for a dataset into a sidecar (checkpoint or ONNX)"),
    "demo": ("demo", "the whole pipeline on the demo dataset, with the per-category F1 table"),
    "experiment": (
        "experiment",
        "paired baseline / SAD / LGAD runs over datasets x seeds, with CIs",
    ),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lgad-studio",
        description="Label lanes, train a label-map teacher, distill students with "
        "Label-guided Attention Distillation, evaluate. Without a subcommand: the studio "
        "window (an optional DATASET argument opens that dataset).",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="<subcommand>")
    for name, (_module, help_text) in SUBCOMMANDS.items():
        sub.add_parser(name, help=help_text, add_help=False)
    return parser


def _command_parser(name: str) -> tuple[argparse.ArgumentParser, object]:
    module_name, help_text = SUBCOMMANDS[name]
    module = importlib.import_module(f"lgad_studio.commands.{module_name}")
    parser = argparse.ArgumentParser(prog=f"lgad-studio {name}", description=help_text)
    module.add_arguments(parser)
    return parser, module


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in SUBCOMMANDS:
        if argv and argv[0].startswith("-") and argv[0] not in ("--dataset",):
            build_parser().parse_args(argv)  # --help / --version / unknown flag
            return 0
        argv = ["gui", *argv]
    parser, module = _command_parser(argv[0])
    args = parser.parse_args(argv[1:])
    args.argv = list(argv)  # what was asked, for commands that start copies of themselves
    try:
        return int(module.run(args) or 0)
    except StudioError as err:
        print(f"lgad-studio {argv[0]}: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"lgad-studio {argv[0]}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
