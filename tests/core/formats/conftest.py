"""A tiny CULane root (three black images, lists, test splits) for the format tests."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from lgad_studio.core.formats.culane_lists import write_culane_lists

ENTRIES = [f"driver_00/clip_000/{i:05d}.jpg" for i in range(3)]


@pytest.fixture
def culane_root(tmp_path: Path) -> Path:
    """``ENTRIES[0:2]`` in train (flags 0), ``ENTRIES[2]`` in val; test splits normal + night."""
    root = tmp_path / "culane"
    for entry in ENTRIES:
        (root / entry).parent.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(root / entry), np.full((590, 1640, 3), 40, np.uint8))
    write_culane_lists(
        root,
        train=[(e, (0, 0, 0, 0)) for e in ENTRIES[:2]],
        val=[(ENTRIES[2], (0, 0, 0, 0))],
        test=ENTRIES,
        test_splits={"test0_normal": ENTRIES[:1], "test8_night": ENTRIES[1:]},
    )
    return root
