"""The prefetching loop and the CPU thread budget that sizes it and the metric pools."""

from __future__ import annotations

import threading
import time

import pytest
import torch

from lgad_studio.core import cpu
from lgad_studio.core.evaluation.pipeline import prefetched
from lgad_studio.core.metrics import parallel


def test_prefetched_keeps_order_and_runs_ahead_on_one_thread() -> None:
    produced: list[int] = []

    def items():
        for k in range(5):
            produced.append(k)
            yield k

    out = []
    for k in prefetched(items(), ahead=True):
        time.sleep(0.01)
        out.append((k, len(produced)))
    assert [k for k, _ in out] == list(range(5))
    assert out[0][1] >= 2  # the producer was already on the next item
    assert [k for k in prefetched(iter(range(3)), ahead=False)] == [0, 1, 2]


def test_prefetched_raises_the_producers_error_and_stops_it_when_closed() -> None:
    def failing():
        yield 1
        raise ValueError("unreadable image")

    with pytest.raises(ValueError, match="unreadable image"):
        list(prefetched(failing(), ahead=True))

    def endless():
        k = 0
        while True:
            k += 1
            yield k

    gen = prefetched(endless(), ahead=True)
    assert next(gen) == 1
    gen.close()
    assert not any(t.name == "lgad-evaluation-prefetch" for t in threading.enumerate())


def test_the_budget_is_torchs_setting_and_sizes_the_metric_pools(monkeypatch) -> None:
    torch.set_num_threads(1)
    assert cpu.thread_budget() == 1 and parallel.default_workers() == 1
    assert cpu.resolve_threads(None) == 1 and cpu.resolve_threads(3) == 3

    def no_pool(*args, **kwargs):
        raise AssertionError("a pool was started with a budget of one thread")

    monkeypatch.setattr(parallel, "ThreadPoolExecutor", no_pool)
    monkeypatch.setattr(parallel, "ProcessPoolExecutor", no_pool)
    assert parallel.parallel_map(lambda x: 2 * x, [1, 2, 3]) == [2, 4, 6]
    from lgad_studio.core.metrics import evaluate_culane

    lane = [[100.0, 589.0], [150.0, 300.0]]
    assert evaluate_culane([([lane], [lane])] * 40).tp == 40  # 3 chunks, no pool
    torch.set_num_threads(2)
    try:
        assert cpu.thread_budget() == 2
        with cpu.torch_threads(1):
            assert torch.get_num_threads() == 1
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(1)
