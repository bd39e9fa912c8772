"""Shared fixtures: the read-only real data next to the repository (``../shared``)."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """``../shared`` next to the repository; the test is skipped when it is absent."""
    if not SHARED.is_dir():
        pytest.skip(f"shared data folder {SHARED} is absent (expected next to the repository)")
    return SHARED


@pytest.fixture(scope="session")
def tusimple_sample(shared_dir: Path) -> Path:
    """The 300 real TuSimple test annotations."""
    path = shared_dir / "tusimple" / "test_label_sample.json"
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    return path
