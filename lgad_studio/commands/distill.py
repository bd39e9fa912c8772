"""``lgad-studio distill``: train a student with LGAD, SAD or alone (also under torchrun)."""

from __future__ import annotations

import argparse

from lgad_studio.commands._training_cli import (
    add_common_arguments,
    build_config,
    consume,
    is_main_process,
)
from lgad_studio.core.errors import StudioError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_common_arguments(parser)
    parser.add_argument(
        "--mode", choices=["lgad", "sad", "none"], help="distillation (default lgad)"
    )
    parser.add_argument("--teacher", help="teacher checkpoint (required for --mode lgad)")
    parser.add_argument(
        "--stages", nargs="+", choices=["initial", "stage1", "stage2", "stage3"],
        help="student stages that mimic (lgad default: stage1 stage2 stage3; sad: stage1 stage2)",
    )  # fmt: skip
    parser.add_argument(
        "--at-norm", choices=["l2", "softmax"], help="attention normalisation (default l2)"
    )
    parser.add_argument(
        "--at-weight", type=float, help="lambda, the attention loss weight (default 0.1)"
    )
    parser.add_argument(
        "--at-start-epoch",
        type=float,
        help="switch distillation on at this epoch (default: 0 for lgad, 2/3 of the epochs for sad)",
    )
    parser.add_argument(
        "--at-ramp-epochs",
        type=float,
        help="linear ramp of lambda, in epochs (default: 1 for lgad, 2 for sad)",
    )


def run(args: argparse.Namespace) -> int:
    from lgad_studio.core.training import StudentConfig, distill

    if args.stages:
        args.stages = tuple(args.stages)
    if (args.mode or "lgad") == "lgad" and not args.teacher and not args.config:
        raise StudioError("--teacher is required for --mode lgad (a checkpoint of train-teacher)")
    config = build_config(StudentConfig, args)
    finished = consume(distill(config), desc=f"student[{config.mode}]")
    if is_main_process() and finished is not None:
        f1 = finished.metrics.get("f1")
        tail = f", validation F1 {f1:.4f}" if f1 is not None else ""
        print(f"student[{config.mode}]: {finished.run_dir} (best {finished.best_checkpoint}){tail}")
    return 0
