"""Spreading per-image metric work over threads or forked processes, results in input order.

The number of workers is the caller's: ``workers`` when given, else the thread
budget of :mod:`lgad_studio.core.cpu` (torch's thread setting where torch is
loaded -- 1 in the studio -- else the CPU count, at most 4). With one worker
the work runs in the calling thread and no pool is started.

Drawing (OpenCV) releases the GIL but the surrounding NumPy/Python work does
not, so threads give ~1.3x on two cores; forked processes give the full
factor. Forking is used only from a process that runs no other Python thread
and has no Qt loaded (the CLI, scripts, tests): forking a threaded process such
as the GUI can deadlock, so there threads are used instead.
"""

from __future__ import annotations

import multiprocessing
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from typing import TypeVar

from lgad_studio.core.cpu import thread_budget

_T = TypeVar("_T")
_R = TypeVar("_R")


def default_workers() -> int:
    """Workers to use when the caller does not say: the thread budget (:mod:`lgad_studio.core.cpu`)."""
    return thread_budget()


def can_fork() -> bool:
    """Whether forking worker processes is safe here (POSIX, no other thread, no Qt)."""
    return (
        "fork" in multiprocessing.get_all_start_methods()
        and threading.active_count() == 1
        and not any(name in sys.modules for name in _GUI_MODULES)
    )


_GUI_MODULES = ("PySide6.QtCore", "PyQt5.QtCore", "PyQt6.QtCore")


def parallel_map(
    fn: Callable[[_T], _R],
    items: Sequence[_T],
    *,
    workers: int | None = None,
    processes: bool = False,
) -> list[_R]:
    """``[fn(x) for x in items]`` on ``workers`` threads, or forked processes if
    ``processes`` and :func:`can_fork` (``fn`` and items must then pickle).
    Order is kept; the first error propagates."""
    n = default_workers() if workers is None else max(1, int(workers))
    n = min(n, len(items))
    if n <= 1:
        return [fn(x) for x in items]
    if processes and can_fork():
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=n, mp_context=context) as pool:
            return list(pool.map(fn, items))
    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(fn, items))
