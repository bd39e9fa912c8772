"""Driving a core job generator from the command line: a progress bar, then its return value."""

from __future__ import annotations

import sys
from collections.abc import Generator


def run_with_progress(job: Generator, *, desc: str, unit: str = "img"):
    """Iterate ``job`` (it yields ``Progress`` events with ``done`` and ``total``) with a
    tqdm bar on stderr (rate and ETA over this call's items); return what it returns."""
    from tqdm import tqdm

    bar = None
    try:
        while True:
            try:
                event = next(job)
            except StopIteration as stop:
                return stop.value
            if bar is None:
                bar = tqdm(
                    total=event.total, initial=event.done, desc=desc, unit=unit, file=sys.stderr
                )
            bar.update(event.done - bar.n)
    finally:
        if bar is not None:
            bar.close()
