"""The procedural demo dataset: road scenes in the nine CULane test categories, in CULane layout.

Public API: :func:`generate_demo_dataset` (write a dataset), :func:`render_sample`
(one image and its lanes, in memory), :func:`default_demo_root` and
:func:`ensure_default_demo` (the cached default set the studio opens).
"""

from __future__ import annotations

from lgad_studio.core.demo.cache import default_demo_root, ensure_default_demo
from lgad_studio.core.demo.dataset import (
    DemoSample,
    DemoSummary,
    generate_demo_dataset,
    render_sample,
)
from lgad_studio.core.demo.scene import CATEGORIES

__all__ = [
    "CATEGORIES",
    "DemoSample",
    "DemoSummary",
    "default_demo_root",
    "ensure_default_demo",
    "generate_demo_dataset",
    "render_sample",
]
