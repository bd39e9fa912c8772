"""Arguments and console output shared by ``train-teacher``, ``distill`` and ``demo``.

Options map one to one onto :class:`~lgad_studio.core.training.TrainConfig`
fields; ``--config FILE`` starts from a saved ``config.json``, ``--preset NAME``
applies a shipped preset (``resources/presets``) over it, and the options given on
the command line override both.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from lgad_studio.core.errors import StudioError


def input_size(text: str) -> tuple[int, int]:
    """``WxH`` -> (W, H)."""
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected WIDTHxHEIGHT, e.g. 200x72") from None
    return w, h


def add_common_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data", help="dataset root (CULane layout, TuSimple JSON or image folder)"
    )
    parser.add_argument(
        "--out", help="run folder (config.json, metrics.csv/jsonl, last.pt, best.pt)"
    )
    parser.add_argument("--config", help="start from this config.json; other options override it")
    parser.add_argument(
        "--preset",
        help="start from a shipped preset (default, quick, gpu: the paper's ENet at 800x288);"
        " other options override it",
    )
    parser.add_argument("--arch", choices=["enet", "erfnet"])
    parser.add_argument(
        "--width", type=float, help="channel multiplier (1.0 = the paper's network)"
    )
    parser.add_argument("--input-size", type=input_size, help="network input WxH, multiples of 8")
    parser.add_argument("--epochs", type=int)
    parser.add_argument("--batch-size", type=int)
    parser.add_argument("--lr", type=float)
    parser.add_argument("--optimizer", choices=["adamw", "sgd"])
    parser.add_argument("--scheduler", choices=["poly", "cosine", "constant"])
    parser.add_argument("--seed", type=int)
    parser.add_argument("--train-split")
    parser.add_argument("--val-split")
    parser.add_argument("--train-limit", type=int, help="use only the first N training images")
    parser.add_argument(
        "--val-limit",
        type=int,
        help="validate on N images drawn at random (--val-seed) from the split (default 1000; 0: none; N >= the split: all)",
    )
    parser.add_argument("--steps-per-epoch", type=int, help="cap the steps of each epoch")
    parser.add_argument("--no-augment", dest="augment", action="store_false", default=None)
    parser.add_argument("--device", help="auto (default), cpu, cuda, cuda:N or mps")
    parser.add_argument("--no-amp", dest="amp", action="store_false", default=None)
    parser.add_argument(
        "--amp-dtype", choices=["auto", "bf16", "fp16"], help="mixed precision on CUDA (auto: bf16)"
    )
    parser.add_argument(
        "--tensorboard", action="store_true", default=None, help="also write TensorBoard events"
    )
    parser.add_argument("--val-seed", type=int, help="seed of the random validation subset")
    parser.add_argument("--threads", type=int, help="torch CPU threads")
    parser.add_argument(
        "--workers",
        dest="num_workers",
        type=int,
        help="DataLoader worker processes (default: 0 on CPU, cores per GPU - 1 on CUDA)",
    )
    parser.add_argument(
        "--image-cache",
        help="read decoded images from this cache file (lgad-studio prepare-cache); same samples",
    )
    parser.add_argument(
        "--resume", help="continue from this checkpoint (same kind and architecture)"
    )


def build_config(config_cls, args: argparse.Namespace):
    """The config of ``args`` over ``--config`` (or the defaults); errors name the option."""
    base = config_cls.load(args.config) if args.config else config_cls()
    if getattr(args, "preset", None):
        from lgad_studio.core.presets import PresetError, load_preset
        from lgad_studio.core.training.config import TeacherConfig

        try:
            preset = load_preset(args.preset)
        except PresetError as exc:
            raise StudioError(f"--preset {args.preset}: {exc}") from None
        base = base.replace(**preset["teacher" if config_cls is TeacherConfig else "student"])
    names = [f for f in vars(base) if f not in ("data", "out")]
    changes = {n: getattr(args, n) for n in names if getattr(args, n, None) is not None}
    if args.data:
        changes["data"] = str(Path(args.data).expanduser())
    if args.out:
        changes["out"] = str(Path(args.out).expanduser())
    if getattr(args, "image_cache", None):
        changes["image_cache"] = str(Path(args.image_cache).expanduser())
    config = base.replace(**changes, preview_interval_s=0.0)
    if not config.data:
        raise StudioError("--data is required (or a --config whose 'data' field names the dataset)")
    if not args.out and not args.config:
        raise StudioError("--out is required: the run folder for config, metrics and checkpoints")
    config.validate(source="command line")
    return config


def is_main_process() -> bool:
    return int(os.environ.get("RANK", "0")) == 0


def consume(events, *, desc: str, quiet: bool = False) -> object:
    """Drive a training generator with a progress bar and one line per epoch; return ``Finished``."""
    from tqdm import tqdm

    from lgad_studio.core.events import CheckpointWritten, EpochEnd, Finished, StepMetrics

    show = is_main_process() and not quiet
    bar = None
    finished = None
    try:
        for event in events:
            if isinstance(event, StepMetrics) and show:
                if bar is None:
                    bar = tqdm(
                        total=event.total_steps,
                        desc=desc,
                        unit="step",
                        file=sys.stderr,
                        leave=False,
                    )
                bar.update(event.step - bar.n)
                bar.set_postfix({k: f"{v:.3f}" for k, v in event.losses.items() if "_" not in k})
            elif isinstance(event, EpochEnd) and show:
                m = event.metrics
                text = " ".join(
                    f"{k} {m[k]:.4f}" for k in ("train_loss", "f1", "precision", "recall") if k in m
                )
                (bar.write if bar else print)(
                    f"{desc} epoch {event.epoch}/{event.total_epochs}: {text}"
                )
            elif isinstance(event, CheckpointWritten) and show and event.is_best and bar:
                bar.write(f"{desc}: best so far -> {event.path}")
            elif isinstance(event, Finished):
                finished = event
    finally:
        if bar is not None:
            bar.close()
    return finished
