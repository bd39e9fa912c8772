"""A small demo dataset generated once per test session (one image per test category)."""

from __future__ import annotations

from pathlib import Path

import cv2
import pytest

from lgad_studio.core.demo.dataset import DemoSummary, generate_demo_dataset

SMALL = {"train": 4, "val": 2, "test": 9, "seed": 1}


@pytest.fixture(scope="session")
def small_demo(tmp_path_factory: pytest.TempPathFactory) -> DemoSummary:
    cv2.setNumThreads(1)
    root = tmp_path_factory.mktemp("demo") / "root"
    calls: list[tuple[int, int]] = []
    summary = generate_demo_dataset(root, progress=lambda d, t: calls.append((d, t)), **SMALL)
    assert calls[-1] == (15, 15) and len(calls) == 15
    return summary


@pytest.fixture(scope="session")
def small_root(small_demo: DemoSummary) -> Path:
    return small_demo.root
