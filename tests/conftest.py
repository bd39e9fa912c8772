"""Shared fixtures: the read-only real data next to the repository (``../shared``).

Tests that need that data skip with a reason starting ``shared data missing:``
when it is absent. Under CI (``CI`` set to true, as ``.ci/run`` does) such a skip
is turned into a failure: a broken CI layout must not pass by skipping the
golden tests.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
MISSING = "shared data missing:"


def _under_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if not (report.skipped and _under_ci()):
        return
    reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
    if MISSING in reason:
        report.outcome = "failed"
        report.longrepr = f"CI=true refuses to skip a golden test: {reason}"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """``../shared`` next to the repository; the test is skipped when it is absent."""
    if not SHARED.is_dir():
        pytest.skip(f"{MISSING} folder {SHARED} is absent (expected next to the repository)")
    return SHARED


@pytest.fixture(scope="session")
def tusimple_sample(shared_dir: Path) -> Path:
    """The 300 real TuSimple test annotations."""
    path = shared_dir / "tusimple" / "test_label_sample.json"
    if not path.is_file():
        pytest.skip(f"{MISSING} {path} is absent")
    return path
