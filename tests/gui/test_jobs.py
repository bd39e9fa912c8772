"""JobRunner: events in order, coalescing, cancel, errors, FIFO queue, shutdown joins."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from lgad_studio.core.events import Finished, Preview, Progress, StepMetrics
from lgad_studio.gui.jobs import JobRunner, JobState, live_worker_threads, report


def _step(i: int, total: int = 100) -> StepMetrics:
    return StepMetrics(
        step=i, epoch=1, total_steps=total, losses={"loss": 1.0 / i}, lr=0.01, images_per_s=5.0
    )


@pytest.fixture
def runner(qtbot):
    runner = JobRunner(torch_threads=None)
    yield runner
    assert runner.shutdown(5.0)
    assert live_worker_threads() == []


def _collect(job) -> list[object]:
    seen: list[object] = []
    job.event_emitted.connect(seen.append)
    return seen


def test_events_arrive_in_order_and_return_value_is_finished(qtbot, runner) -> None:
    def make(cancel: threading.Event) -> Iterator[object]:
        for i in range(1, 51):
            yield _step(i, total=50)
        yield Progress(done=1, total=1, message="validated")
        return "all done"

    job = runner.submit("fake", make)
    seen = _collect(job)
    batches: list[list[StepMetrics]] = []
    job.steps_emitted.connect(batches.append)
    progress: list[tuple[int, int, str]] = []
    job.progress.connect(lambda d, t, m: progress.append((d, t, m)))
    with qtbot.waitSignal(job.finished, timeout=5000) as blocker:
        pass
    assert blocker.args == ["all done"]
    assert job.state is JobState.FINISHED
    # Every step reaches the curves, in order, though fewer step events are emitted.
    assert [s.step for batch in batches for s in batch] == list(range(1, 51))
    steps_seen = [e for e in seen if isinstance(e, StepMetrics)]
    assert steps_seen[-1].step == 50 and len(steps_seen) == len(batches)
    assert isinstance(seen[-1], Progress)
    assert progress[-1] == (1, 1, "validated")
    assert (50, 50, "epoch 1") in progress


def test_step_events_are_coalesced_to_about_ten_hz(qtbot, runner) -> None:
    def make(cancel: threading.Event) -> Iterator[object]:
        start, i = time.monotonic(), 0
        while time.monotonic() - start < 0.8:
            i += 1
            yield _step(i, total=10**6)
            time.sleep(0.001)

    job = runner.submit("fast steps", make)
    seen = _collect(job)
    with qtbot.waitSignal(job.finished, timeout=5000) as blocker:
        pass
    emitted = [e for e in seen if isinstance(e, StepMetrics)]
    assert blocker.args[0].step > 100  # the generator made many steps ...
    assert len(emitted) <= 0.8 * 10 + 3  # ... the widgets saw about 10 per second
    assert emitted[-1].step == blocker.args[0].step


def test_previews_are_held_to_two_per_second_and_the_latest_is_kept(qtbot, runner) -> None:
    image = np.zeros((4, 6, 3), np.uint8)

    def make(cancel: threading.Event) -> Iterator[object]:
        for i in range(20):
            yield Preview(step=i, image=image, stages=("s",), attention={})

    job = runner.submit("previews", make)
    seen = _collect(job)
    with qtbot.waitSignal(job.finished, timeout=5000):
        pass
    steps = [e.step for e in seen if isinstance(e, Preview)]
    assert 1 <= len(steps) <= 3
    assert steps[-1] == 19


def test_cancel_midway_stops_the_generator_cleanly(qtbot, runner, tmp_path: Path) -> None:
    def make(cancel: threading.Event) -> Iterator[object]:
        i = 0
        while not cancel.is_set():
            i += 1
            yield _step(i, total=10**6)
            time.sleep(0.002)
        yield Finished(
            run_dir=tmp_path, last_checkpoint=None, best_checkpoint=None, metrics={}, cancelled=True
        )

    job = runner.submit("endless", make)
    seen = _collect(job)
    with qtbot.waitSignal(job.event_emitted, timeout=5000):
        pass
    assert job.state is JobState.RUNNING
    with qtbot.waitSignal(job.cancelled, timeout=5000):
        job.cancel()
    assert job.state is JobState.CANCELLED
    assert isinstance(seen[-1], Finished) and seen[-1].cancelled
    assert runner.jobs() == []


def test_an_exception_surfaces_with_its_traceback(qtbot, runner) -> None:
    def make(cancel: threading.Event) -> Iterator[object]:
        yield _step(1)
        raise ValueError("batch size must be positive")

    job = runner.submit("broken", make)
    with qtbot.waitSignal(job.errored, timeout=5000) as blocker:
        pass
    message, tb = blocker.args
    assert message == "ValueError: batch size must be positive"
    assert "Traceback" in tb and "in make" in tb
    assert job.state is JobState.ERRORED and job.error == (message, tb)


def test_jobs_run_one_at_a_time_in_submission_order(qtbot, runner) -> None:
    log: list[str] = []
    gate = threading.Event()

    def factory(name: str, wait: bool):
        def make(cancel: threading.Event) -> Iterator[object]:
            log.append(f"start {name}")
            if wait:
                assert gate.wait(5.0)
            yield Progress(done=1, total=1)
            log.append(f"end {name}")

        return make

    first = runner.submit("teacher", factory("teacher", True))
    second = runner.submit("student", factory("student", False))
    third = runner.submit("baseline", factory("baseline", False))
    with qtbot.waitSignal(first.started, timeout=5000):
        pass
    assert second.state is JobState.QUEUED and [j.name for j in runner.jobs()] == [
        "teacher",
        "student",
        "baseline",
    ]
    gate.set()
    with qtbot.waitSignal(third.finished, timeout=5000):
        pass
    assert log == [
        "start teacher",
        "end teacher",
        "start student",
        "end student",
        "start baseline",
        "end baseline",
    ]


def test_a_job_cancelled_while_queued_never_starts(qtbot, runner) -> None:
    gate = threading.Event()
    calls: list[str] = []

    def blocker_job(cancel: threading.Event) -> Iterator[object]:
        gate.wait(5.0)
        yield Progress(done=1, total=1)

    def never(cancel: threading.Event) -> Iterator[object]:
        calls.append("called")
        yield Progress(done=1, total=1)

    first = runner.submit("first", blocker_job)
    second = runner.submit("second", never)
    second.cancel()
    gate.set()
    with qtbot.waitSignals([first.finished, second.cancelled], timeout=5000):
        pass
    assert calls == [] and second.state is JobState.CANCELLED


def test_shutdown_cancels_and_joins_every_job(qtbot) -> None:
    runner = JobRunner(torch_threads=None)
    started = threading.Event()

    def make(cancel: threading.Event) -> Iterator[object]:
        started.set()
        while not cancel.is_set():
            yield Progress(done=0, total=1)
            time.sleep(0.005)

    running = runner.submit("running", make)
    queued = runner.submit("queued", make)
    ends: list[str] = []
    running.cancelled.connect(lambda: ends.append("running"))
    queued.cancelled.connect(lambda: ends.append("queued"))
    assert started.wait(5.0)
    assert runner.shutdown(5.0)
    assert live_worker_threads() == []
    assert ends == ["running", "queued"]  # delivered synchronously by shutdown
    with pytest.raises(RuntimeError, match="shut down"):
        runner.submit("late", make)


def test_shutdown_reports_a_generator_that_ignores_cancel(qtbot) -> None:
    runner = JobRunner(torch_threads=None)
    release = threading.Event()
    started = threading.Event()

    def stubborn(cancel: threading.Event) -> Iterator[object]:
        started.set()
        release.wait(10.0)
        yield Progress(done=1, total=1)

    runner.submit("stubborn", stubborn)
    assert started.wait(5.0)
    assert runner.shutdown(0.2) is False
    release.set()
    assert runner.shutdown(5.0) is True
    assert live_worker_threads() == []


def test_torch_thread_count_is_applied_before_each_job(qtbot) -> None:
    torch = pytest.importorskip("torch")
    before = torch.get_num_threads()
    runner = JobRunner(torch_threads=1)

    def make(cancel: threading.Event) -> Iterator[object]:
        yield Progress(done=torch.get_num_threads(), total=1)

    try:
        job = runner.submit("threads", make)
        with qtbot.waitSignal(job.finished, timeout=5000) as blocker:
            pass
        assert blocker.args[0].done == 1
        with pytest.raises(ValueError, match="thread count"):
            runner.set_torch_threads(0)
    finally:
        assert runner.shutdown(5.0)
        torch.set_num_threads(before)


def test_the_quick_lane_does_not_wait_behind_the_main_queue(qtbot, runner) -> None:
    gate = threading.Event()

    def long_training(cancel: threading.Event) -> Iterator[object]:
        while not gate.is_set() and not cancel.is_set():
            yield Progress(done=0, total=1)
            time.sleep(0.005)

    def attention(cancel: threading.Event) -> Iterator[object]:
        yield Progress(done=1, total=1)
        return "maps"

    training = runner.submit("training", long_training)
    with qtbot.waitSignal(training.started, timeout=5000):
        pass
    quick = runner.submit("attention", attention, lane="quick")
    with qtbot.waitSignal(quick.finished, timeout=5000) as blocker:
        pass
    assert blocker.args == ["maps"]
    assert training.state is JobState.RUNNING
    assert runner.jobs(lane="main") == [training] and runner.jobs(lane="quick") == []
    gate.set()
    with qtbot.waitSignal(training.finished, timeout=5000):
        pass


def test_a_worker_thread_makes_no_call_into_qt_and_the_pump_stops_when_idle(qtbot) -> None:
    # Signals emitted from a Python thread are where PySide's thread bugs live; a worker only
    # appends to its job's mailbox, which the main thread's timer drains.
    qt_calls: list[str] = []

    def profile(frame, event: str, arg) -> None:
        if event == "c_call":
            owner = getattr(arg, "__self__", None)
            module = type(owner).__module__ if owner is not None else arg.__module__ or ""
            if module.startswith(("PySide6", "shiboken6")):
                qt_calls.append(f"{module}.{arg.__name__}")

    def make(cancel: threading.Event) -> Iterator[object]:
        for i in range(1, 30):
            yield _step(i, total=30)
        yield Preview(step=30, image=np.zeros((2, 2, 3), np.uint8), stages=("s",))
        yield Progress(done=1, total=1)
        return "done"

    threading.setprofile(profile)  # for the threads started from now on: the runner's workers
    try:
        runner = JobRunner(torch_threads=None)
        job = runner.submit("quiet worker", make)
        seen = _collect(job)
        with qtbot.waitSignal(job.finished, timeout=5000) as blocker:
            pass
    finally:
        threading.setprofile(None)
    assert blocker.args == ["done"]
    assert any(isinstance(e, Preview) for e in seen)
    qtbot.waitUntil(lambda: not runner.polling, timeout=2000)  # no job left: no timer ticking
    assert runner.shutdown(5.0)
    assert qt_calls == []


def test_a_blocking_call_reports_through_the_mailbox_in_order(qtbot, runner) -> None:
    def blocking_core_function(progress) -> str:
        for done in range(1, 4):
            progress(done, 3)
        return "generated"

    def make(cancel: threading.Event) -> Iterator[object]:
        yield Progress(done=0, total=0, message="preparing")
        return blocking_core_function(lambda d, t: report(Progress(d, t, "images")))

    job = runner.submit("callback progress", make)
    progress: list[tuple[int, int, str]] = []
    job.progress.connect(lambda d, t, m: progress.append((d, t, m)))  # after submit: no race
    with qtbot.waitSignal(job.finished, timeout=5000) as blocker:
        pass
    assert blocker.args == ["generated"]
    assert progress == [(0, 0, "preparing")] + [(d, 3, "images") for d in (1, 2, 3)]
    with pytest.raises(RuntimeError, match="worker thread"):
        report(Progress(1, 1))
