"""Attention maps for the eye (display stretch, heat-map LUTs, per-stage distance).

The computations live in :mod:`lgad_studio.core.attention_render`, shared with
``lgad-studio attention`` and the grid's PNG export, so the view and the exported
picture use the same inferno LUT; other colour maps (e.g. the probability
overlay's) come from pyqtgraph.
"""

from __future__ import annotations

import functools

import numpy as np
import pyqtgraph as pg

from lgad_studio.core.attention_render import (
    attention_distance,
    blend_alpha,
    normalise_for_display,
    to_uint8,
)
from lgad_studio.core.attention_render import heat_lut as _inferno_lut

__all__ = ["attention_distance", "heat_lut", "normalise_for_display", "to_uint8"]


@functools.lru_cache(maxsize=8)
def heat_lut(*, blended: bool, name: str = "inferno") -> np.ndarray:
    """A 256-entry ``uint8 [256, 4]`` RGBA LUT (cached, read-only); ``blended`` ramps alpha
    so that cold cells show the image underneath. ``inferno`` is the core's LUT."""
    if name == "inferno":
        return _inferno_lut(blended=blended)
    lut = pg.colormap.get(name).getLookupTable(nPts=256, alpha=True).astype(np.uint8)
    if blended:
        lut[:, 3] = blend_alpha()
    lut = np.ascontiguousarray(lut)
    lut.flags.writeable = False
    return lut
