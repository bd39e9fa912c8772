"""Attention maps for the eye: display normalisation, heat-map LUTs, per-stage distance.

Raw maps (a spatial softmax over ``h*w`` cells, or an L2-normalised map) have
values around ``1/(h*w)`` and look blank on a fixed scale, so every map is
min-max stretched to ``[0, 1]`` before display. The distance between a student's
and the teacher's map is computed on the maps as given (shape ``[h, w]``), not on
the stretched ones.
"""

from __future__ import annotations

import functools

import cv2
import numpy as np
import pyqtgraph as pg


def normalise_for_display(attention: np.ndarray) -> np.ndarray:
    """``[h, w]`` any float -> ``float32 [h, w]`` in ``[0, 1]`` (a flat map gives zeros)."""
    a = np.asarray(attention, dtype=np.float32)
    if not np.isfinite(a).all():
        a = np.nan_to_num(a, nan=0.0, posinf=0.0, neginf=0.0)
    if a.size == 0:
        return a
    lo, hi = float(a.min()), float(a.max())
    if hi - lo <= 1e-12 * max(1.0, abs(hi)):
        return np.zeros_like(a)
    return (a - lo) / (hi - lo)


def to_uint8(attention: np.ndarray) -> np.ndarray:
    """``[h, w]`` -> C-contiguous ``uint8 [h, w]``, stretched to 0..255 for a LUT."""
    return np.ascontiguousarray(np.round(normalise_for_display(attention) * 255.0).astype(np.uint8))


@functools.lru_cache(maxsize=8)
def heat_lut(*, blended: bool, name: str = "inferno") -> np.ndarray:
    """A 256-entry ``uint8 [256, 4]`` RGBA LUT (cached, read-only); ``blended`` ramps alpha
    so that cold cells show the image underneath."""
    lut = pg.colormap.get(name).getLookupTable(nPts=256, alpha=True).astype(np.uint8)
    if blended:
        lut[:, 3] = np.round(np.linspace(0.0, 1.0, 256) ** 0.7 * 220.0).astype(np.uint8)
    lut = np.ascontiguousarray(lut)
    lut.flags.writeable = False
    return lut


def attention_distance(student: np.ndarray, teacher: np.ndarray) -> float:
    """Distance between two maps, 0 for maps equal up to scale, at most sqrt(2).

    The student's ``[h, w]`` map is resized bilinearly to the teacher's shape, both
    are flattened and L2-normalised (Zagoruyko & Komodakis' attention transfer), and
    the Euclidean distance of the two unit vectors is returned.
    """
    s = np.asarray(student, dtype=np.float32)
    t = np.asarray(teacher, dtype=np.float32)
    if s.ndim != 2 or t.ndim != 2:
        raise ValueError(f"attention maps must be [h, w], got {s.shape} and {t.shape}")
    if s.shape != t.shape:
        s = cv2.resize(s, (t.shape[1], t.shape[0]), interpolation=cv2.INTER_LINEAR)
    s, t = s.ravel().astype(np.float64), t.ravel().astype(np.float64)
    ns, nt = np.linalg.norm(s), np.linalg.norm(t)
    if ns == 0.0 or nt == 0.0:
        return float(np.sqrt(2.0)) if ns != nt else 0.0
    return float(np.linalg.norm(s / ns - t / nt))
