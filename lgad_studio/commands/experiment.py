"""``lgad-studio experiment``: paired baseline / SAD / LGAD runs over datasets x seeds, with CIs.

Every (dataset, seed) trains the label-map teacher and one student per mode from
the same seed (identical initial weights, batches, augmentation and dropout),
picks each student's best epoch on the validation split, scores it on the test
category splits and writes ``result.json``. The report (``results.json``,
``results.md``, ``paired_differences.png``) gives the paired difference of every
mode to the baseline per category, with its mean and 95 % confidence interval.

Killed or cancelled experiments continue where they stopped; ``--report`` combines
the results of several folders (other times, other machines) into one report.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from lgad_studio.commands._training_cli import input_size


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--datasets", nargs="+", default=["demo:1", "demo:2"], metavar="SPEC",
        help="demo:<seed>[:<train>/<val>/<test>] (generated) or a dataset folder "
        "(default: demo:1 demo:2)",
    )  # fmt: skip
    parser.add_argument(
        "--seeds", type=int, nargs="+", default=[0, 1, 2, 3], help="training seeds (default 0-3)"
    )
    parser.add_argument(
        "--modes", nargs="+", choices=["none", "sad", "lgad"], default=None,
        help="modes to train (default: none sad lgad); with --report, the modes to compare, "
        "so that runs which trained more modes combine on these",
    )  # fmt: skip
    parser.add_argument("--out", default="runs/experiment", help="experiment folder")
    parser.add_argument(
        "--preset", default=None, help="default (CPU), quick, gpu (default on CUDA)"
    )
    parser.add_argument(
        "--demo-sizes", default="400/100/900", metavar="T/V/X",
        help="train/val/test images of generated datasets (default 400/100/900: 100 per category)",
    )  # fmt: skip
    parser.add_argument("--device", default="auto")
    parser.add_argument("--threads", type=int, help="torch CPU threads per process")
    parser.add_argument(
        "--jobs", type=int, default=1,
        help="processes working on the runs side by side (each at --threads, default 1 then)",
    )  # fmt: skip
    parser.add_argument("--arch", choices=["enet", "erfnet"])
    parser.add_argument("--width", type=float)
    parser.add_argument("--input-size", type=input_size)
    parser.add_argument("--teacher-epochs", type=int)
    parser.add_argument("--student-epochs", type=int)
    parser.add_argument(
        "--report", nargs="+", metavar="FOLDER_OR_RESULT",
        help="train nothing: combine the result.json files under these folders into one report "
        "written to --out",
    )  # fmt: skip
    parser.add_argument("--quiet", action="store_true", help="no progress bar (worker processes)")


def _sizes(text: str) -> tuple[int, int, int]:
    from lgad_studio.core.experiment import ExperimentError

    try:
        train, val, test = (int(v) for v in text.split("/"))
    except ValueError:
        raise ExperimentError(
            f"--demo-sizes {text!r}: expected TRAIN/VAL/TEST, e.g. 400/100/900"
        ) from None
    return train, val, test


def build_plan(args: argparse.Namespace):
    from lgad_studio.core.experiment import ExperimentPlan, parse_dataset
    from lgad_studio.core.experiment.presets import get_preset
    from lgad_studio.core.training.device import select_device

    device = select_device(args.device)
    name = args.preset or ("gpu" if device.type == "cuda" else "default")
    preset = get_preset(
        name, arch=args.arch, width=args.width, input_size=args.input_size,
        teacher_epochs=args.teacher_epochs, student_epochs=args.student_epochs,
    )  # fmt: skip
    threads = args.threads or (1 if args.jobs > 1 else None)
    return ExperimentPlan(
        datasets=tuple(parse_dataset(d) for d in args.datasets), seeds=tuple(args.seeds),
        modes=tuple(dict.fromkeys(["none", *args.modes])), preset=preset,
        out=Path(args.out).expanduser(), device=str(device), threads=threads,
        demo_sizes=_sizes(args.demo_sizes),
    )  # fmt: skip


def run(args: argparse.Namespace) -> int:
    from lgad_studio.core.experiment import combine, load_results, summarize, write_report

    if args.report:
        modes = None if args.modes is None else tuple(args.modes)
        return _report(load_results(args.report), Path(args.out), modes=modes)
    if args.modes is None:
        args.modes = ["none", "sad", "lgad"]
    plan = build_plan(args)
    workers = _start_workers(args) if args.jobs > 1 else []
    busy = drive(plan, quiet=args.quiet, parallel=args.jobs)
    for proc in workers:
        proc.wait()
    if args.quiet:
        return 0
    results = load_results([plan.out / "runs"])
    if busy:
        print(f"{len(busy)} run(s) were in progress in other processes: {', '.join(busy)}")
    summary = summarize(combine(results))
    paths = write_report(plan.out, summary)
    _print_summary(summary, paths)
    return 0


def drive(plan, *, quiet: bool = False, parallel: int = 1) -> list[str]:
    """Run the experiment with a progress bar over all of its training steps; returns busy runs."""
    from tqdm import tqdm

    from lgad_studio.core.experiment import ExperimentProgress, RunBusy, RunDone, run_experiment

    bar = None
    busy = []
    try:
        for event in run_experiment(plan):
            if isinstance(event, ExperimentProgress) and not quiet:
                if bar is None:
                    bar = tqdm(total=event.total_steps, initial=event.done_steps, unit="step",
                               desc="experiment", file=sys.stderr, dynamic_ncols=True)  # fmt: skip
                bar.update(event.done_steps - bar.n)
                eta = "?" if event.eta_s is None else _duration(event.eta_s / max(parallel, 1))
                bar.set_description(f"{event.run} {event.phase}")
                bar.set_postfix_str(f"runs {event.runs_done}/{event.runs_total}, ETA {eta}")
            elif isinstance(event, RunDone):
                line = _run_line(event)
                (bar.write if bar else print)(line)
            elif isinstance(event, RunBusy):
                busy.append(event.run)
    finally:
        if bar is not None:
            bar.close()
    return busy


def _run_line(event) -> str:
    from lgad_studio.core.experiment import MODE_NAMES
    from lgad_studio.core.experiment.report import run_scores

    totals = ", ".join(
        f"{MODE_NAMES[m]} {run_scores(event.result, m)['total']:.1f}" for m in event.result["modes"]
    )
    state = "already done" if event.skipped else f"{event.result['minutes']['run']:.1f} min"
    return f"{event.run}: total F1 {totals} ({state})"


def _start_workers(args: argparse.Namespace) -> list[subprocess.Popen]:
    """``--jobs N``: N-1 more processes of the same experiment, each logging to a file."""
    argv = list(getattr(args, "argv", None) or sys.argv[1:])
    out = Path(args.out).expanduser()
    logs = out / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    extra = ["--jobs", "1", "--quiet"]
    if not args.threads:
        extra += ["--threads", "1"]
    procs = []
    for k in range(1, args.jobs):
        log = open(logs / f"worker-{k}.log", "a", encoding="utf-8")  # noqa: SIM115 - child owns it
        cmd = [sys.executable, "-m", "lgad_studio", *_without_jobs(argv), *extra]
        procs.append(subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=os.environ))
    return procs


def _without_jobs(argv: list[str]) -> list[str]:
    out, skip = [], False
    for a in argv:
        if skip:
            skip = False
            continue
        if a == "--jobs":
            skip = True
            continue
        if a.startswith("--jobs="):
            continue
        out.append(a)
    return out


def _report(results: list[dict], out: Path, *, modes: tuple[str, ...] | None = None) -> int:
    from lgad_studio.core.experiment import combine, summarize, write_report

    combined = combine(results, modes=modes)
    if combined.duplicates:
        print(f"left out {len(combined.duplicates)} duplicate run result(s)")
    summary = summarize(combined)
    paths = write_report(out, summary)
    _print_summary(summary, paths)
    return 0


def _print_summary(summary, paths: dict) -> None:
    from lgad_studio.core.experiment.report import markdown

    print()
    print(markdown(summary))
    print()
    print("wrote " + ", ".join(str(p) for p in paths.values()))


def _duration(seconds: float) -> str:
    minutes = int(seconds // 60)
    return (
        f"{minutes // 60}h{minutes % 60:02d}m"
        if minutes >= 60
        else f"{minutes}m{int(seconds % 60):02d}s"
    )
