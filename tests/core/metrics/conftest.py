"""Golden data of the official tools, read from ``<repo>/../shared`` (never copied into the repo)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[3].parent / "shared"
CULANE_GOLDEN = SHARED / "culane_golden"
TUSIMPLE_GOLDEN = SHARED / "tusimple"


@pytest.fixture(scope="session")
def culane_golden() -> Path:
    if not (CULANE_GOLDEN / "expected.json").is_file():
        pytest.skip(
            f"shared data missing: CULane golden data not found at {CULANE_GOLDEN} (CI has ../shared)"
        )
    return CULANE_GOLDEN


@pytest.fixture(scope="session")
def culane_expected(culane_golden: Path) -> dict:
    return json.loads((culane_golden / "expected.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def golden_result(culane_golden: Path):
    """The whole golden set evaluated once (about 5 s of CPU) and shared by the tests."""
    from lgad_studio.core.metrics import evaluate_culane_dirs

    return evaluate_culane_dirs(
        culane_golden / "anno", culane_golden / "det", culane_golden / "list.txt", workers=2
    )


@pytest.fixture(scope="session")
def tusimple_golden() -> Path:
    if not (TUSIMPLE_GOLDEN / "expected.json").is_file():
        pytest.skip(
            f"shared data missing: TuSimple golden data not found at {TUSIMPLE_GOLDEN} (CI has ../shared)"
        )
    return TUSIMPLE_GOLDEN
