"""Is the studio responsive while it auto-labels? Event-loop lateness under a batch auto-label job.

The studio window is opened on a demo dataset with the Label tab shown, and a batch
auto-label of every image (``Review ▸ Auto-label images…``, the same
``ReviewController.start_batch`` call) runs through the window's ``JobRunner`` on its
``autolabel`` lane, with the review strip's progress, rate and ETA updating. A
main-thread ``QTimer`` firing every 10 ms records how late each tick is, for
``--seconds`` (20 by default) after the first batch reaches the window. Prints the
lateness percentiles (target: ``p99 < 16 ms``, one 60 Hz frame), the proposals per
second with the window, and the idle window's lateness on the same machine first.

The model is a student checkpoint (``--model``, ``.pt`` or ``.onnx``), by default an
untrained one of the default ``StudentConfig`` size (ENet x0.5 at 200x72): the job's
cost does not depend on what the weights learned.

    xvfb-run -a .venv/bin/python benchmarks/gui_autolabel_responsiveness.py
    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/gui_autolabel_responsiveness.py --seconds 10
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from gui_responsiveness import TICK_MS, _idle_lateness, tick_until_ended  # noqa: E402


def untrained_student(path: Path) -> Path:
    """A student checkpoint of the default size with initial weights."""
    import torch

    from lgad_studio.core.checkpoint import save_checkpoint
    from lgad_studio.core.models import build_model
    from lgad_studio.core.training import StudentConfig

    torch.manual_seed(0)
    config = StudentConfig()
    model = build_model(config.arch, width=config.width)
    return save_checkpoint(
        path,
        {
            "kind": "student", "arch": config.arch, "in_channels": 3, "width": config.width,
            "num_classes": 5, "input_size": list(config.input_size), "model": model.state_dict(),
            "config": {"type": "StudentConfig"}, "epoch": 0, "metrics": {},
        },
    )  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, help="dataset (default: a demo set in a temp folder)")
    parser.add_argument(
        "--model", type=Path, help="student checkpoint or ONNX (default: untrained)"
    )
    parser.add_argument("--images", type=int, default=400, help="demo images to generate")
    parser.add_argument("--seconds", type=float, default=20.0, help="measured window (default 20)")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads (default 1)")
    parser.add_argument("--idle-seconds", type=float, default=5.0, help="idle window first")
    args = parser.parse_args(argv)

    import torch
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from lgad_studio.gui.main_window import MainWindow
    from lgad_studio.gui.review.batch import BatchRequest
    from lgad_studio.gui.settings import StudioSettings

    torch.set_num_threads(args.threads)
    work = Path(tempfile.mkdtemp(prefix="lgad-autolabel-bench-"))
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(work / "settings"))
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("lgad-studio-benchmark")
    data = args.data
    if data is None:
        from lgad_studio.core.demo.dataset import generate_demo_dataset

        data = work / "demo"
        print(f"generating {args.images} demo images in {data} …", flush=True)
        generate_demo_dataset(data, train=args.images - 9 - 8, val=8, test=9, seed=1)
    model = args.model or untrained_student(work / "student.pt")

    window = MainWindow(StudioSettings())
    window.jobs.set_torch_threads(args.threads)
    window.resize(1366, 768)
    window.show()
    if not window.open_dataset(data):
        print(f"could not open {data}", file=sys.stderr)
        return 2
    review = window.label_panel.review
    idle = _idle_lateness(args.idle_seconds) if args.idle_seconds > 0 else None
    job = review.start_batch(BatchRequest(Path(model), "all", batch_size=8))
    if job is None:
        print("could not start the batch", file=sys.stderr)
        return 2

    lateness: list[float] = []
    marks: list[tuple[float, int]] = []
    state = {"start": None, "last_tick": None, "visible": False}

    def on_tick() -> bool | None:
        now = time.perf_counter()
        if state["last_tick"] is not None and state["start"] is not None:
            lateness.append(max(0.0, (now - state["last_tick"]) * 1000.0 - TICK_MS))
        state["last_tick"] = now
        if state["start"] is not None and now - state["start"] >= args.seconds:
            state["visible"] = review.bar.progress.isVisible() and window.isVisible()
            job.cancel()
            return False  # stop ticking: the measured window is over

    def on_progress(done: int, total: int, _text: str) -> None:
        if done <= 0:
            return
        now = time.perf_counter()
        if state["start"] is None:
            state["start"] = now
        marks.append((now, done))

    review.batch.progressed.connect(on_progress)
    tick_until_ended(job, on_tick)
    window.jobs.shutdown(60.0)

    if job.error is not None:
        print(f"the batch failed: {job.error[0]}", file=sys.stderr)
        return 1
    if not state["visible"] or len(marks) < 2 or not lateness:
        print("the batch ended before it was measured (use more --images)", file=sys.stderr)
        return 1
    late = np.asarray(lateness)
    rate = (marks[-1][1] - marks[0][1]) / (marks[-1][0] - marks[0][0])
    print(f"model {Path(model).name}, torch threads {args.threads}, window 1366x768, Label tab")
    print(
        f"{len(late)} ticks of {TICK_MS} ms over {args.seconds:.0f} s; {len(marks)} progress updates"
    )
    print(
        f"lateness p50 {np.percentile(late, 50):.2f} ms, p95 {np.percentile(late, 95):.2f} ms, "
        f"max {late.max():.2f} ms; ticks > 16 ms late: {(late > 16).sum()}"
    )
    print(f"p99 {np.percentile(late, 99):.2f} ms")
    print(f"auto-label {rate:.1f} proposals/s with the window")
    if idle is not None and len(idle):
        print(
            f"idle window, same machine: p99 {np.percentile(idle, 99):.2f} ms, max {idle.max():.2f} ms"
        )
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
