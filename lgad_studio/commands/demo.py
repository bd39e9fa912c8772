"""``lgad-studio demo``: teacher, then baseline / SAD / LGAD students, then the per-category table.

The experiment of :mod:`lgad_studio.commands.experiment` on one dataset: the
built-in demo dataset (generated once into the user cache) or ``--data``. For
each seed it trains the label-map teacher and the three paired students with
the same budget, picks each student's best epoch on the validation split and
scores it on every test category. Results go to ``OUT/results.{json,md}`` and
``OUT/paired_differences.png``; a killed run continues where it stopped.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from lgad_studio.commands._training_cli import input_size


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--quick", action="store_true",
        help="a pipeline check in a few minutes (its students do not learn enough to compare)",
    )  # fmt: skip
    parser.add_argument("--data", help="a CULane-layout dataset (default: the demo dataset)")
    parser.add_argument(
        "--out", default="runs/demo", help="folder for runs and results (runs/demo)"
    )
    parser.add_argument(
        "--seeds", type=int, nargs="+", default=[0], help="one paired run per seed (default 0)"
    )
    parser.add_argument("--device", default="auto")
    parser.add_argument("--threads", type=int, help="torch CPU threads (default: torch's choice)")
    parser.add_argument(
        "--jobs", type=int, default=1, help="processes side by side (see experiment)"
    )
    parser.add_argument("--arch", choices=["enet", "erfnet"])
    parser.add_argument("--width", type=float)
    parser.add_argument("--input-size", type=input_size)
    parser.add_argument("--teacher-epochs", type=int)
    parser.add_argument("--student-epochs", type=int)
    parser.add_argument(
        "--modes", nargs="+", choices=["none", "sad", "lgad"], default=["none", "sad", "lgad"]
    )
    parser.add_argument(
        "--combine", nargs="+", metavar="FOLDER_OR_RESULT",
        help="train nothing: one report from the results of earlier runs (folders or result.json)",
    )  # fmt: skip


def run(args: argparse.Namespace) -> int:
    from lgad_studio.commands import experiment

    root = Path(args.data).expanduser() if args.data else _demo_root()
    args.datasets = [str(root)]
    args.preset = "quick" if args.quick else None
    args.demo_sizes = "400/100/900"
    args.report = args.combine
    args.quiet = False
    return experiment.run(args)


def _demo_root() -> Path:
    from tqdm import tqdm

    from lgad_studio.core.demo import ensure_default_demo

    with tqdm(desc="demo data", unit="img") as bar:

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        return Path(ensure_default_demo(progress=progress))
