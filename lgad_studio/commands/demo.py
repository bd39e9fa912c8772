"""``lgad-studio demo``: teacher, then baseline / SAD / LGAD students, then the per-category table.

On the demo dataset (generated once into the user cache if absent) or ``--data``:
train the label-map teacher, train the three students with the same budget,
pick each student's best epoch on the validation split, score it on every test
category and print the CULane-paper-style F1 table. ``--seeds 0 1 2`` repeats
everything per seed and reports mean ± standard deviation. Results go to
``OUT/results.json`` and ``OUT/results.md``.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import dataclass
from pathlib import Path

from lgad_studio.commands._training_cli import consume, input_size


@dataclass(frozen=True)
class Preset:
    arch: str
    width: float
    size: tuple[int, int]
    teacher_epochs: int
    student_epochs: int
    train_limit: int | None
    val_limit: int


# Sized for <= 15 min (default) and <= 3 min (--quick) on 2 CPU cores; a GPU gets 800x288.
# On the 400-image demo set an epoch is 50 steps of 8: the teacher needs ~450 steps to
# reproduce labels (val F1 0.99), a student ~900 to get past the phase where it finds lanes
# but cannot yet tell their slots apart. --quick stops inside that phase: it checks the
# pipeline end to end, its F1 values are not a comparison. Measured: the default preset takes
# 16.8 min with one thread on a shared 2-core machine (teacher 2.4, students 4.5/4.2/5.4 min).
PRESETS = {
    "default": Preset("enet", 0.5, (200, 72), 9, 18, None, 100),
    "quick": Preset("enet", 0.25, (200, 72), 3, 5, 200, 40),
    "gpu": Preset("enet", 1.0, (800, 288), 12, 36, None, 100),
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--quick", action="store_true", help="a smaller run (<= 3 min on 2 CPU cores)"
    )
    parser.add_argument("--data", help="a CULane-layout dataset (default: the demo dataset)")
    parser.add_argument(
        "--out", default="runs/demo", help="folder for runs and results (runs/demo)"
    )
    parser.add_argument(
        "--seeds", type=int, nargs="+", default=[0], help="one run per seed (default 0)"
    )
    parser.add_argument("--device", default="auto")
    parser.add_argument("--threads", type=int, help="torch CPU threads (default: torch's choice)")
    parser.add_argument("--arch", choices=["enet", "erfnet"])
    parser.add_argument("--width", type=float)
    parser.add_argument("--input-size", type=input_size)
    parser.add_argument("--teacher-epochs", type=int)
    parser.add_argument("--student-epochs", type=int)
    parser.add_argument(
        "--modes", nargs="+", choices=["none", "sad", "lgad"], default=["none", "sad", "lgad"]
    )
    parser.add_argument(
        "--combine", nargs="+", metavar="RESULTS_JSON",
        help="train nothing: print one table from the results.json of earlier runs (e.g. one per seed)",
    )  # fmt: skip


def _preset(args: argparse.Namespace) -> Preset:
    from lgad_studio.core.training.device import select_device

    name = (
        "quick"
        if args.quick
        else ("gpu" if select_device(args.device).type == "cuda" else "default")
    )
    p = PRESETS[name]
    return Preset(
        args.arch or p.arch, args.width or p.width, args.input_size or p.size,
        args.teacher_epochs or p.teacher_epochs, args.student_epochs or p.student_epochs,
        p.train_limit, p.val_limit,
    )  # fmt: skip


def run(args: argparse.Namespace) -> int:
    from lgad_studio.core.formats.dataset import open_dataset
    from lgad_studio.core.inference import LanePredictor
    from lgad_studio.core.metrics.scores import percent
    from lgad_studio.core.training import StudentConfig, TeacherConfig, distill, train_teacher
    from lgad_studio.core.training.comparison import (
        MODELS,
        category_splits,
        format_table,
        score_splits,
    )

    if args.combine:
        return _combine(args.combine)
    started = time.monotonic()
    root = Path(args.data) if args.data else _demo_root()
    dataset = open_dataset(root)
    splits = category_splits(dataset)
    preset = _preset(args)
    out = Path(args.out)
    names = dict(MODELS)
    results: dict[str, list] = {names[m]: [] for m in args.modes}
    common = {
        "data": str(root), "arch": preset.arch, "width": preset.width, "input_size": preset.size,
        "device": args.device, "threads": args.threads, "train_limit": preset.train_limit,
        "val_limit": preset.val_limit, "preview_interval_s": 0.0,
    }  # fmt: skip
    for seed in args.seeds:
        run_dir = out / f"seed{seed}"
        teacher = TeacherConfig(
            out=str(run_dir / "teacher"), epochs=preset.teacher_epochs, seed=seed, **common
        )
        done = consume(train_teacher(teacher), desc=f"seed {seed} teacher")
        print(f"seed {seed}: teacher validation F1 {percent(done.metrics.get('f1', -1.0))}")
        for mode in args.modes:
            config = StudentConfig(
                out=str(run_dir / names[mode].lower()), mode=mode, seed=seed,
                epochs=preset.student_epochs, teacher=str(done.last_checkpoint), **common,
            )  # fmt: skip
            finished = consume(distill(config), desc=f"seed {seed} {names[mode]}")
            best = finished.best_checkpoint or finished.last_checkpoint
            predictor = LanePredictor.from_checkpoint(best, device=args.device)
            scores = score_splits(predictor, dataset, splits)
            results[names[mode]].append(scores)
            print(f"seed {seed}: {names[mode]} test F1 {percent(scores['total'].f1)} ({best})")
    table = format_table(results)
    minutes = (time.monotonic() - started) / 60
    print(f"\nCULane F1 (%) per test category, seeds {args.seeds}, {minutes:.1f} min:\n")
    print(table)
    _write_results(out, args, preset, results, table, minutes)
    return 0


def _demo_root() -> Path:
    from tqdm import tqdm

    from lgad_studio.core.demo import ensure_default_demo

    with tqdm(desc="demo data", unit="img") as bar:

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        return Path(ensure_default_demo(progress=progress))


def _write_results(
    out: Path, args, preset: Preset, results: dict, table: str, minutes: float
) -> None:
    from lgad_studio.core.atomic import atomic_write_text

    out.mkdir(parents=True, exist_ok=True)
    data = {
        "seeds": args.seeds, "minutes": round(minutes, 2), "preset": preset.__dict__,
        "results": {
            name: [{split: [c.tp, c.fp, c.fn] for split, c in run.items()} for run in runs]
            for name, runs in results.items()
        },
    }  # fmt: skip
    atomic_write_text(out / "results.json", json.dumps(data, indent=2) + "\n")
    atomic_write_text(out / "results.md", table + "\n")


def _combine(paths: list[str]) -> int:
    from lgad_studio.core.errors import StudioError
    from lgad_studio.core.training.comparison import Counts, format_table

    merged: dict[str, list] = {}
    seeds: list[int] = []
    for path in paths:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            seeds += list(data["seeds"])
            for name, runs in data["results"].items():
                merged.setdefault(name, []).extend(
                    {split: Counts(*counts) for split, counts in run.items()} for run in runs
                )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise StudioError(f"{path}: not a results.json of lgad-studio demo ({exc})") from None
    print(f"CULane F1 (%) per test category, seeds {seeds}:\n")
    print(format_table(merged))
    return 0
