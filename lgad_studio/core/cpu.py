"""The CPU thread budget: the one place that says how many threads core work may use.

The caller owns the budget. Where torch is loaded it is torch's intra-op thread
count, which the caller sets (the studio's job runner sets 1 while the window is
open, ``--threads N`` sets N); elsewhere (e.g. ``lgad-studio evaluate culane``,
which never loads torch) it is the CPU count, at most :data:`MAX_DEFAULT`.
The metric pools (:mod:`lgad_studio.core.metrics.parallel`) and the evaluation
pipeline (:mod:`lgad_studio.core.evaluation.scoring`) size themselves from it
and never start more threads or processes than it allows.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

MAX_DEFAULT = 4


def thread_budget() -> int:
    """Threads core work may use in this process (at least 1); see the module docstring."""
    torch = sys.modules.get("torch")
    if torch is not None and hasattr(torch, "get_num_threads"):
        return max(1, int(torch.get_num_threads()))
    return max(1, min(MAX_DEFAULT, os.cpu_count() or 1))


def resolve_threads(threads: int | None) -> int:
    """``threads`` if the caller gave it (at least 1), else :func:`thread_budget`."""
    return thread_budget() if threads is None else max(1, int(threads))


@contextmanager
def torch_threads(n: int) -> Iterator[None]:
    """Run the block with torch at ``n`` intra-op threads, then restore the caller's setting.

    Used by the evaluation pipeline to give one thread of its budget to decoding
    and matching while inference runs on the others.
    """
    import torch

    before = torch.get_num_threads()
    if n == before:
        yield
        return
    torch.set_num_threads(max(1, n))
    try:
        yield
    finally:
        torch.set_num_threads(before)
