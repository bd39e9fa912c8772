"""Is the studio responsive while it trains? Event-loop lateness under a live training job.

A default LGAD distillation job (default ``StudentConfig`` sizes; a small teacher is
trained first and not measured) runs through the studio's ``JobRunner`` while the
Train tab is shown with its live curves and attention preview. A main-thread
``QTimer`` firing every 10 ms records how late each tick is, for ``--seconds``
(20 by default) after the first training step reaches the window. Prints the
lateness percentiles (target: ``p99 < 16 ms``, one 60 Hz frame) and the training
throughput in images per second; ``--headless-seconds`` also times the same job
without a window, for the GUI's cost on training. Garbage collection is the
studio's (``gui/collector.py``: main thread only, paced by a timer; the cyclic
collections in that window and the longest one are printed); ``--automatic-gc``
leaves it to the interpreter instead, for comparison.

    QT_QPA_PLATFORM=offscreen python benchmarks/gui_responsiveness.py
    xvfb-run -a python benchmarks/gui_responsiveness.py --data ~/.cache/lgad-studio/demo-v1
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

TICK_MS = 10


def _tiny_teacher(data: Path, out: Path, config_kwargs: dict) -> Path:
    from lgad_studio.core.training import TeacherConfig, train_teacher

    config = TeacherConfig(
        data=str(data), out=str(out), epochs=1, steps_per_epoch=5, val_limit=0, **config_kwargs
    )
    for _ in train_teacher(config):
        pass
    return out / "last.pt"


def _headless_images_per_s(config, seconds: float) -> float:
    from lgad_studio.core.events import StepMetrics
    from lgad_studio.core.training import distill

    cancel = threading.Event()
    first: tuple[float, int] | None = None
    last = first
    for event in distill(config, cancel=cancel):
        if isinstance(event, StepMetrics):
            now = time.perf_counter()
            if first is None:
                first = (now, event.step)
            last = (now, event.step)
            if now - first[0] >= seconds:
                cancel.set()
    if first is None or last is None or last[1] == first[1]:
        return float("nan")
    return (last[1] - first[1]) * config.batch_size / (last[0] - first[0])


def tick_until_ended(job, on_tick) -> None:
    """Run the event loop until ``job`` (a ``gui.jobs.Job``) ends, with ``on_tick`` on a
    precise ``TICK_MS`` timer (it stops when ``on_tick`` returns False): the measurement
    loop of the responsiveness benchmarks."""
    _tick_loop(on_tick, until=job.ended)


def _tick_loop(on_tick, *, until=None) -> None:
    """``on_tick`` every ``TICK_MS`` on a precise timer until it returns False; the event loop
    runs until the ``until`` signal fires, or without one, until the ticks stop."""
    from PySide6.QtCore import QEventLoop, Qt, QTimer

    loop = QEventLoop()  # not app.quit(): in Qt 6 that closes the top-level windows

    def tick() -> None:
        if on_tick() is False:
            timer.stop()
            if until is None:
                loop.quit()

    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.setInterval(TICK_MS)
    timer.timeout.connect(tick)
    timer.start()
    if until is not None:
        until.connect(loop.quit)
    loop.exec()
    timer.stop()


def _idle_lateness(seconds: float) -> np.ndarray:
    """Lateness of the same 10 ms timer with the window shown and no job: the machine's noise."""
    late: list[float] = []
    state = {"last": None, "start": time.perf_counter()}

    def on_tick() -> bool:
        now = time.perf_counter()
        if state["last"] is not None:
            late.append(max(0.0, (now - state["last"]) * 1000.0 - TICK_MS))
        state["last"] = now
        return now - state["start"] < seconds

    _tick_loop(on_tick)
    return np.asarray(late)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", type=Path, help="CULane root (default: a small demo set in a temp folder)"
    )
    parser.add_argument("--seconds", type=float, default=20.0, help="measured window (default 20)")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads (default 1)")
    parser.add_argument(
        "--headless-seconds", type=float, default=0.0, help="also time the job without GUI"
    )
    parser.add_argument(
        "--idle-seconds",
        type=float,
        default=5.0,
        help="first measure the idle window (machine noise)",
    )
    parser.add_argument(
        "--automatic-gc",
        action="store_true",
        help="leave cyclic collection to the interpreter (any thread) instead of the studio's",
    )
    args = parser.parse_args(argv)

    import torch
    from PySide6.QtWidgets import QApplication

    from lgad_studio.core.training import StudentConfig
    from lgad_studio.gui.jobs import JobRunner
    from lgad_studio.gui.train import TrainTab

    torch.set_num_threads(args.threads)
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("lgad-studio-benchmark")
    if not args.automatic_gc:
        from lgad_studio.gui.collector import MainThreadCollector

        collector = MainThreadCollector(app)
        collector.start()
    collections: list[tuple[int, str, float]] = []  # generation, thread, seconds
    gc_started: dict[str, float] = {}

    def on_gc(phase: str, info: dict) -> None:
        if phase == "start":
            gc_started["t"] = time.perf_counter()
        elif "t" in gc_started:
            took = time.perf_counter() - gc_started.pop("t")
            collections.append((info["generation"], threading.current_thread().name, took))

    gc.callbacks.append(on_gc)
    work = Path(tempfile.mkdtemp(prefix="lgad-gui-bench-"))
    data = args.data
    if data is None:
        from lgad_studio.core.demo.dataset import generate_demo_dataset

        data = work / "demo"
        print(f"generating a small demo dataset in {data} …", flush=True)
        generate_demo_dataset(data, train=64, val=8, test=9, seed=1)
    defaults = StudentConfig()
    sizes = {
        "arch": defaults.arch,
        "width": defaults.width,
        "input_size": defaults.input_size,
        "device": "auto",
    }
    print("training a small teacher (not measured) …", flush=True)
    teacher = _tiny_teacher(data, work / "teacher", sizes)
    student = StudentConfig(
        data=str(data), out=str(work / "student"), mode="lgad", teacher=str(teacher), epochs=1000,
        val_limit=8, preview_interval_s=0.5, **sizes,
    )  # fmt: skip

    runner = JobRunner(torch_threads=args.threads)
    tab = TrainTab(runner, runs_root=work / "runs")
    tab.resize(1400, 850)
    tab.show()
    tab.set_dataset(data)
    tab.student_form.set_config(student)
    # The teacher trained above without an event loop, so the paced collector never ran; in the
    # studio it runs all along. Start both modes from a collected heap.
    gc.collect()
    idle = _idle_lateness(args.idle_seconds) if args.idle_seconds > 0 else None
    job = tab.start_student()
    if job is None:
        print(f"could not start the job: {tab.last_error}", file=sys.stderr)
        return 2

    lateness: list[float] = []
    steps: list[tuple[float, int]] = []
    previews = [0]
    state = {"start": None, "last_tick": None}

    def on_tick() -> bool | None:
        now = time.perf_counter()
        if state["last_tick"] is not None and state["start"] is not None:
            lateness.append(max(0.0, (now - state["last_tick"]) * 1000.0 - TICK_MS))
        state["last_tick"] = now
        if state["start"] is not None and now - state["start"] >= args.seconds:
            state["visible"] = tab.isVisible() and tab.curves.isVisible()
            job.cancel()
            return False  # stop ticking: the measured window is over

    def on_steps(batch) -> None:
        now = time.perf_counter()
        if state["start"] is None:
            state["start"] = now
            collections.clear()  # count those of the measured window only
        steps.append((now, batch[-1].step))

    job.steps_emitted.connect(on_steps)
    job.event_emitted.connect(
        lambda e: previews.__setitem__(0, previews[0] + (type(e).__name__ == "Preview"))
    )
    tick_until_ended(job, on_tick)
    runner.shutdown(60.0)

    if not state.get("visible"):
        print("the Train tab was not visible while measured: figures are void", file=sys.stderr)
        return 1
    if len(steps) < 2 or not lateness:
        print(f"the job ended before it was measured: {tab.last_error}", file=sys.stderr)
        return 1
    late = np.asarray(lateness)
    images_per_s = (steps[-1][1] - steps[0][1]) * student.batch_size / (steps[-1][0] - steps[0][0])
    device = "cuda" if torch.cuda.is_available() else "cpu"
    print(
        f"device {device}, torch threads {args.threads}, input {student.input_size}, width {student.width}, batch {student.batch_size}"
    )
    print(
        f"{len(late)} ticks of {TICK_MS} ms over {args.seconds:.0f} s; "
        f"{previews[0]} attention previews, {tab.curves.repaints} curve repaints"
    )
    print(
        f"lateness p50 {np.percentile(late, 50):.2f} ms, p95 {np.percentile(late, 95):.2f} ms, max {late.max():.2f} ms"
    )
    worst = ", ".join(f"{v:.0f}" for v in np.sort(late)[::-1][:8])
    print(f"worst ticks (ms late): {worst}; ticks > 16 ms late: {(late > 16).sum()}")
    print(f"p99 {np.percentile(late, 99):.2f} ms")
    print(f"training {images_per_s:.1f} img/s with the window")
    gc.callbacks.remove(on_gc)
    if collections:
        by_gen = [sum(1 for g, _t, _s in collections if g == n) for n in range(3)]
        threads = sorted({t for _g, t, _s in collections})
        took = np.sort([s for _g, _t, s in collections])[::-1] * 1000.0
        print(
            f"garbage collection ({'automatic' if args.automatic_gc else 'main thread, paced'}): "
            f"{by_gen[0]}/{by_gen[1]}/{by_gen[2]} collections of generation 0/1/2, "
            f"median {np.median(took):.1f} ms, longest {', '.join(f'{t:.1f}' for t in took[:5])} ms; "
            f"in {', '.join(threads)}"
        )
    if idle is not None and len(idle):
        print(
            f"idle window, same machine: p99 {np.percentile(idle, 99):.2f} ms, max {idle.max():.2f} ms"
        )
    if args.headless_seconds > 0:
        headless = _headless_images_per_s(
            student.replace(out=str(work / "headless")), args.headless_seconds
        )
        print(f"training {headless:.1f} img/s headless")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
