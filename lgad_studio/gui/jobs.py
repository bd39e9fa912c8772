"""Background jobs: the only GUI module that touches threads.

A job runs an engine generator (``make_generator(cancel) -> Iterator[Event]``) in a
worker thread and hands its events to the main thread as Qt signals. Design (see
``docs/adr/threading.md``):

- ``JobRunner`` owns one FIFO queue and ``max_parallel`` (default 1) plain
  ``threading.Thread`` workers, started on the first ``submit`` and joined by
  ``shutdown``. One job at a time means the LGAD student and the baseline can be
  lined up without fighting over the two CPU cores. Short interactive work (the
  attention maps of one image) goes to a second lane, ``lane="quick"``, with its
  own queue and worker, so it never waits behind an hour of training.
- The worker never calls Qt: it appends what happened to the job's lock-protected
  mailbox and nothing else. The runner's timer, in the main thread, drains each
  job's mailbox at most every 100 ms (it ticks every 20 ms while a job is queued or
  running and stops when none is). Consecutive ``StepMetrics`` are coalesced
  (``event_emitted`` gets the latest, ``steps_emitted`` the whole batch, so curves
  lose nothing), ``Preview`` is held to 2 Hz, every other event is forwarded in
  order. A stalled generator therefore still has its last step shown.
- Cancellation is a ``threading.Event`` handed to the generator, which checks it
  every step, writes its last checkpoint and returns. A job cancelled while queued
  never starts.
- ``torch.set_num_threads`` is process-wide; the runner sets it before each job
  (default 1: measured here, 2 threads collapse 3x as soon as anything else needs
  the second core).
"""

from __future__ import annotations

import collections
import enum
import itertools
import logging
import queue
import threading
import time
import traceback
from collections.abc import Callable, Iterator

from PySide6.QtCore import QObject, QTimer, Signal

from lgad_studio.core.events import Preview, Progress, StepMetrics

log = logging.getLogger(__name__)

GeneratorFactory = Callable[[threading.Event], Iterator[object]]
METRICS_INTERVAL_S = 0.1  # ~10 Hz
PREVIEW_INTERVAL_S = 0.5  # 2 Hz
PUMP_INTERVAL_MS = 20  # how often the main thread looks at the mailboxes while jobs exist
_WORKER_PREFIX = "lgad-job-worker"
_job_ids = itertools.count(1)
_running = threading.local()  # .job: the Job this worker thread is running


def report(event: object) -> None:
    """Hand ``event`` to the window from inside a blocking call of a job's generator.

    For core functions that take a progress callback instead of yielding, e.g.
    ``ensure_default_demo(progress=lambda d, t: report(Progress(d, t)))``. Must be
    called in the job's worker thread; like a yielded event it only reaches the
    mailbox (no Qt call in the worker).
    """
    job = getattr(_running, "job", None)
    if job is None:
        raise RuntimeError("report() is for a job's worker thread, inside its generator")
    job._post(("event", event))


class JobState(enum.Enum):
    QUEUED = "queued"
    RUNNING = "running"
    FINISHED = "finished"
    ERRORED = "errored"
    CANCELLED = "cancelled"

    @property
    def is_terminal(self) -> bool:
        return self in (JobState.FINISHED, JobState.ERRORED, JobState.CANCELLED)


class Job(QObject):
    """One generator run. Signals are emitted in the main thread, in event order."""

    started = Signal()
    event_emitted = Signal(object)
    steps_emitted = Signal(object)  # list[StepMetrics] coalesced since the last delivery
    progress = Signal(int, int, str)  # done, total, message
    finished = Signal(object)  # the generator's return value, else its last event
    errored = Signal(str, str)  # message, traceback
    cancelled = Signal()
    ended = Signal()  # after finished / errored / cancelled

    def __init__(self, name: str, make_generator: GeneratorFactory, parent: QObject) -> None:
        super().__init__(parent)
        self.id = next(_job_ids)
        self.name = name
        self._make_generator = make_generator
        self._cancel = threading.Event()
        self._state = JobState.QUEUED
        self._mailbox: collections.deque[tuple] = collections.deque()
        self._lock = threading.Lock()
        self._last_drain = 0.0
        self._last_preview = 0.0
        self._held_preview: Preview | None = None
        self.lane = "main"
        self.result: object = None
        self.error: tuple[str, str] | None = None
        self.last_event: object = None

    @property
    def state(self) -> JobState:
        return self._state

    @property
    def cancel_requested(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        """Ask the generator to stop at its next step (it leaves its last checkpoint valid)."""
        self._cancel.set()

    # --- worker side -------------------------------------------------------------
    def _post(self, item: tuple) -> None:
        # No Qt call here, not even a queued signal: the main thread's pump looks.
        with self._lock:
            self._mailbox.append(item)

    def _run(self, torch_threads: int | None) -> None:
        if self._cancel.is_set():
            self._post(("cancelled",))
            return
        self._post(("started",))
        _running.job = self
        try:
            if torch_threads is not None:
                import torch

                torch.set_num_threads(torch_threads)
            generator = self._make_generator(self._cancel)
            last: object = None
            try:
                while True:
                    try:
                        event = next(generator)
                    except StopIteration as stop:
                        result = stop.value if stop.value is not None else last
                        break
                    last = event
                    self._post(("event", event))
            finally:
                close = getattr(generator, "close", None)
                if close is not None:
                    close()
        except Exception as err:  # every failure must surface in the window
            message = str(err) or type(err).__name__
            if type(err).__module__ != "lgad_studio.core.errors" and str(err):
                message = f"{type(err).__name__}: {err}"
            self._post(("errored", message, traceback.format_exc()))
            return
        finally:
            _running.job = None
        self._post(("cancelled",) if self._cancel.is_set() else ("finished", result))

    # --- main-thread side ----------------------------------------------------------
    def _pump(self, now: float) -> None:
        """Called by the runner's timer: drain at most every 100 ms, flush a due preview."""
        if self._mailbox and now - self._last_drain >= METRICS_INTERVAL_S:
            self._drain()
        elif self._held_preview is not None and now - self._last_preview >= PREVIEW_INTERVAL_S:
            self._flush_preview()

    def _drain(self) -> None:
        """Deliver what the worker posted: steps coalesced, previews at 2 Hz, the rest in order."""
        with self._lock:
            items = list(self._mailbox)
            self._mailbox.clear()
        self._last_drain = time.monotonic()
        steps: list[StepMetrics] = []
        for item in items:
            kind = item[0]
            if kind == "event" and isinstance(item[1], StepMetrics):
                steps.append(item[1])
                continue
            self._flush_steps(steps)
            steps = []
            if kind == "event":
                self._deliver_event(item[1])
            elif kind == "started":
                self._state = JobState.RUNNING
                self.started.emit()
            else:
                self._flush_preview()
                self._end(item)
        self._flush_steps(steps)
        if (
            self._held_preview is not None
            and time.monotonic() - self._last_preview >= PREVIEW_INTERVAL_S
        ):
            self._flush_preview()

    def _flush_steps(self, steps: list[StepMetrics]) -> None:
        if not steps:
            return
        last = steps[-1]
        self.last_event = last
        self.steps_emitted.emit(steps)
        self.event_emitted.emit(last)
        self.progress.emit(last.step, last.total_steps, f"epoch {last.epoch}")

    def _deliver_event(self, event: object) -> None:
        if isinstance(event, Preview):
            self._held_preview = event
            if time.monotonic() - self._last_preview >= PREVIEW_INTERVAL_S:
                self._flush_preview()
            return
        self.last_event = event
        self.event_emitted.emit(event)
        if isinstance(event, Progress):
            self.progress.emit(event.done, event.total, event.message)

    def _flush_preview(self) -> None:
        if self._held_preview is None:
            return
        preview, self._held_preview = self._held_preview, None
        self._last_preview = time.monotonic()
        self.event_emitted.emit(preview)

    def _end(self, item: tuple) -> None:
        kind = item[0]
        if kind == "finished":
            self._state = JobState.FINISHED
            self.result = item[1]
            self.finished.emit(item[1])
        elif kind == "errored":
            self._state = JobState.ERRORED
            self.error = (item[1], item[2])
            log.error("job %r failed: %s\n%s", self.name, item[1], item[2])
            self.errored.emit(item[1], item[2])
        else:
            self._state = JobState.CANCELLED
            self.cancelled.emit()
        self.ended.emit()


class JobRunner(QObject):
    """A FIFO queue of jobs run by ``max_parallel`` worker threads."""

    job_submitted = Signal(object)  # Job
    job_started = Signal(object)
    job_ended = Signal(object)

    def __init__(
        self, parent: QObject | None = None, *, max_parallel: int = 1, torch_threads: int | None = 1
    ) -> None:
        super().__init__(parent)
        if max_parallel < 1:
            raise ValueError(f"max_parallel must be >= 1, got {max_parallel}")
        self._max_parallel = max_parallel
        self._torch_threads = torch_threads
        self._queues: dict[str, queue.Queue[Job | None]] = {}
        self._workers: list[tuple[str, threading.Thread]] = []
        self._jobs: list[Job] = []
        self._closed = False
        self._pump_timer = QTimer(self)
        self._pump_timer.setInterval(PUMP_INTERVAL_MS)
        self._pump_timer.timeout.connect(self._pump)

    @property
    def polling(self) -> bool:
        """Whether the main thread's timer is looking at mailboxes (only while jobs exist)."""
        return self._pump_timer.isActive()

    @property
    def torch_threads(self) -> int | None:
        return self._torch_threads

    def set_torch_threads(self, count: int | None) -> None:
        """CPU threads for torch in the next job (``None``: leave torch's setting alone)."""
        if count is not None and count < 1:
            raise ValueError(f"torch thread count must be >= 1, got {count}")
        self._torch_threads = count

    def submit(self, name: str, make_generator: GeneratorFactory, *, lane: str = "main") -> Job:
        """Queue ``make_generator(cancel)`` after the jobs already queued in ``lane``.

        ``lane="main"`` (training, evaluation) runs ``max_parallel`` jobs at a time;
        any other lane name gets its own FIFO and one worker (``"quick"``: short
        interactive work that must not wait behind a training run).
        """
        if self._closed:
            raise RuntimeError("JobRunner was shut down; no new jobs are accepted")
        job = Job(name, make_generator, self)
        job.lane = lane
        job.started.connect(lambda: self.job_started.emit(job))
        job.ended.connect(lambda: self._on_job_ended(job))
        self._jobs.append(job)
        self._ensure_workers(lane)
        self._queues[lane].put(job)
        if not self._pump_timer.isActive():
            self._pump_timer.start()
        self.job_submitted.emit(job)
        return job

    def jobs(self, lane: str | None = None) -> list[Job]:
        """Jobs queued or running (of ``lane``, or of all lanes), in submission order."""
        return [
            job
            for job in self._jobs
            if not job.state.is_terminal and (lane is None or job.lane == lane)
        ]

    def is_busy(self) -> bool:
        return bool(self.jobs())

    def cancel_all(self) -> None:
        for job in self._jobs:
            job.cancel()

    def shutdown(self, timeout_s: float = 10.0) -> bool:
        """Cancel every job, join the workers and deliver their last signals.

        Returns False if a generator ignored its cancel flag past ``timeout_s``.
        """
        self._closed = True
        self.cancel_all()
        for lane, _worker in self._workers:
            self._queues[lane].put(None)
        deadline = time.monotonic() + timeout_s
        joined = True
        for _lane, worker in self._workers:
            worker.join(max(0.0, deadline - time.monotonic()))
            joined = joined and not worker.is_alive()
        if not joined:
            log.warning("a job ignored its cancel flag for %.1f s; leaving it behind", timeout_s)
        else:
            self._workers.clear()
        for job in list(self._jobs):
            job._drain()
        if not self._jobs:
            self._pump_timer.stop()
        return joined

    def _pump(self) -> None:
        """The main thread's look at every mailbox; the timer stops once no job is left."""
        now = time.monotonic()
        for job in list(self._jobs):
            job._pump(now)
        if not self._jobs:
            self._pump_timer.stop()

    def _ensure_workers(self, lane: str) -> None:
        jobs_queue = self._queues.setdefault(lane, queue.Queue())
        wanted = self._max_parallel if lane == "main" else 1
        have = sum(1 for name, w in self._workers if name == lane and w.is_alive())
        for n in range(have, wanted):
            worker = threading.Thread(
                target=self._work,
                args=(jobs_queue,),
                name=f"{_WORKER_PREFIX}-{lane}-{n}",
                daemon=True,
            )
            worker.start()
            self._workers.append((lane, worker))

    def _work(self, jobs_queue: queue.Queue[Job | None]) -> None:
        while True:
            job = jobs_queue.get()
            if job is None:
                return
            job._run(self._torch_threads)

    def _on_job_ended(self, job: Job) -> None:
        if job in self._jobs:
            self._jobs.remove(job)
        self.job_ended.emit(job)


def live_worker_threads() -> list[str]:
    """Names of job worker threads still alive (tests assert this is empty)."""
    return [t.name for t in threading.enumerate() if t.name.startswith(_WORKER_PREFIX)]
