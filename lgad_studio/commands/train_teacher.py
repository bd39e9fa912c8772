"""``lgad-studio train-teacher``: train the label-map teacher headless (also under torchrun)."""

from __future__ import annotations

import argparse

from lgad_studio.commands._training_cli import (
    add_common_arguments,
    build_config,
    consume,
    is_main_process,
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_common_arguments(parser)
    parser.add_argument(
        "--encoding",
        choices=["onehot", "lanes", "scalar"],
        help="label-map input encoding (default onehot)",
    )


def run(args: argparse.Namespace) -> int:
    from lgad_studio.core.training import TeacherConfig, train_teacher

    config = build_config(TeacherConfig, args)
    finished = consume(train_teacher(config), desc="teacher")
    if is_main_process() and finished is not None:
        f1 = finished.metrics.get("f1")
        tail = f", validation F1 {f1:.4f}" if f1 is not None else ""
        print(
            f"teacher: {finished.run_dir} (last {finished.last_checkpoint}, best {finished.best_checkpoint}){tail}"
        )
    return 0
