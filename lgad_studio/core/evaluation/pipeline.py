"""Running the producing half of a loop one step ahead, on one background thread.

The evaluation reads images and runs inference in the producer while the
caller's thread decodes, matches and consumes the previous batch. Torch, OpenCV
and file reads release the GIL, so the two halves overlap on two cores. With
``ahead=False`` (a thread budget of 1) it is a plain loop in the caller's thread.
Errors of the producer are raised in the caller; closing the consumer stops the
producer after its current item.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Iterable, Iterator
from typing import TypeVar

_T = TypeVar("_T")
_ITEM, _DONE, _ERROR = "item", "done", "error"


def prefetched(items: Iterable[_T], *, ahead: bool, depth: int = 1) -> Iterator[_T]:
    """The items of ``items`` in order; with ``ahead``, up to ``depth`` are computed in advance."""
    if not ahead:
        yield from items
        return
    mailbox: queue.Queue = queue.Queue(maxsize=max(1, depth))
    stop = threading.Event()

    def produce() -> None:
        try:
            source = iter(items)
            while not stop.is_set():
                try:
                    item = next(source)
                except StopIteration:
                    break
                mailbox.put((_ITEM, item))
            mailbox.put((_DONE, None))
        except BaseException as exc:  # carried to the consumer, raised there
            mailbox.put((_ERROR, exc))

    worker = threading.Thread(target=produce, name="lgad-evaluation-prefetch", daemon=True)
    worker.start()
    try:
        while True:
            kind, value = mailbox.get()
            if kind == _DONE:
                return
            if kind == _ERROR:
                raise value
            yield value
    finally:
        stop.set()
        while worker.is_alive():  # let a producer blocked on a full mailbox finish
            with contextlib.suppress(queue.Empty):
                mailbox.get(timeout=0.05)
        worker.join()
