"""MainThreadCollector: cyclic garbage is collected by the window's thread, never a job thread."""

from __future__ import annotations

import gc
import threading

from lgad_studio.gui.collector import MainThreadCollector


class _Cycle:
    """Garbage only the cyclic collector can free; records the thread that freed it."""

    def __init__(self, freed_in: list[str]) -> None:
        self.me = self
        self._freed_in = freed_in

    def __del__(self) -> None:
        self._freed_in.append(threading.current_thread().name)


def _allocate_in_a_worker() -> list:
    """What a job does while it builds a network: many container objects, kept."""
    built: list = []

    def work() -> None:
        built.extend([i] for i in range(50_000))

    worker = threading.Thread(target=work, name="allocating-worker")
    worker.start()
    worker.join()
    return built


def test_without_the_collector_a_worker_that_allocates_frees_the_main_threads_cycles() -> None:
    # The hazard itself: the interpreter collects in whichever thread crosses its threshold.
    gc.enable()  # as without the collector (every GUI test's fixture started one)
    try:
        gc.collect()
        freed_in: list[str] = []
        _Cycle(freed_in)
        _allocate_in_a_worker()
        assert freed_in == ["allocating-worker"]
    finally:
        gc.disable()


def test_cycles_are_freed_by_the_main_threads_timer_not_by_an_allocating_worker(qtbot) -> None:
    gc.enable()
    collector = MainThreadCollector(interval_ms=20)
    collector.start()
    try:
        assert not gc.isenabled()
        gc.collect()
        freed_in: list[str] = []
        _Cycle(freed_in)
        built = _allocate_in_a_worker()  # far past generation 0's threshold
        assert len(built) > gc.get_threshold()[0]
        assert freed_in == []
        qtbot.waitUntil(lambda: freed_in != [], timeout=5000)
        assert freed_in == ["MainThread"]
    finally:
        collector.stop()
        assert gc.isenabled()
        gc.disable()


def test_stop_restores_the_interpreters_setting_and_nothing_is_collected_early() -> None:
    gc.enable()
    collector = MainThreadCollector()
    collector.start()
    assert collector.active and not gc.isenabled()
    gc.collect()
    freed_in: list[str] = []
    _Cycle(freed_in)
    assert collector.collect_due() == 0 and freed_in == []  # one object: nothing is due yet
    collector.stop()
    assert gc.isenabled() and not collector.active
    gc.disable()  # this test's fixture started with collection off
