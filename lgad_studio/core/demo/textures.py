"""Textures computed once per process: ground plates, wear field, sensor noise, light sprites.

A *plate* is a ground texture already seen in perspective by a reference
camera whose horizon is row :data:`PLATE_HORIZON`. A scene crops a
``(590, 1640)`` window whose top row is ``PLATE_HORIZON - horizon``, so the
texture's foreshortening lines up with the scene's horizon. Every plate is
``uint8 (PLATE_H, PLATE_W, 3)`` BGR (the wear field is one channel). Building
them takes a fraction of a second; per image only slices are taken.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np

from lgad_studio.core.demo.camera import IMAGE_H, IMAGE_W

PLATE_HORIZON = 330
PLATE_H = PLATE_HORIZON - 220 + IMAGE_H  # room for horizons from row 220 down
PLATE_W = IMAGE_W + 128  # room for a sideways shift of the crop
_PLATE_FOCAL, _PLATE_HEIGHT = 1050.0, 1.6
_TILE, _TEXEL = 1024, 0.02  # top-down tile: 1024 texels of 2 cm, repeated

# Base BGR colours of the plates.
ASPHALT_TONES = ((78, 80, 82), (104, 106, 108), (138, 140, 140))
ROADSIDE_TONES = ((62, 112, 86), (72, 104, 126), (128, 134, 138))  # grass, dry earth, pavement


@dataclass(frozen=True)
class Textures:
    asphalt: tuple[np.ndarray, ...]  # one plate per ASPHALT_TONES
    roadside: tuple[np.ndarray, ...]  # one plate per ROADSIDE_TONES
    wear: np.ndarray  # uint8 (PLATE_H, PLATE_W), uniform histogram: threshold t wears t/255
    noise: np.ndarray  # uint8 (IMAGE_H + 64, IMAGE_W + 64, 3), N(128, NOISE_STD)
    vignette: np.ndarray  # uint8 (IMAGE_H // 2, IMAGE_W // 2) darkening at half resolution
    glow: np.ndarray  # float32 (256, 256) radial light sprite, 1 at the centre


NOISE_STD = 24.0


@lru_cache(maxsize=1)
def textures() -> Textures:
    """The process's textures (deterministic: built from a fixed seed)."""
    rng = np.random.default_rng(20210401)
    mapx, mapy, footprint = _ground_maps()
    asphalt = tuple(
        _plate(_asphalt_tile(rng), tone, mapx, mapy, footprint, grain=1.0) for tone in ASPHALT_TONES
    )
    roadside = tuple(
        _plate(tile, tone, mapx, mapy, footprint, grain=1.0)
        for tile, tone in zip(_roadside_tiles(rng), ROADSIDE_TONES, strict=True)
    )
    wear_tile = _octaves(rng, [(64, 1.0), (256, 0.6), (1024, 0.25)])
    wear = cv2.remap(wear_tile, mapx, mapy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_WRAP)
    wear = cv2.equalizeHist(_to_u8(wear))
    noise = np.clip(rng.normal(128.0, NOISE_STD, (IMAGE_H + 64, IMAGE_W + 64, 3)), 0, 255)
    return Textures(
        asphalt=asphalt,
        roadside=roadside,
        wear=wear,
        noise=noise.astype(np.uint8),
        vignette=_vignette(),
        glow=_glow(),
    )


def _ground_maps() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Remap tables from plate pixels to tile texels, and each pixel's footprint in texels."""
    v, u = np.mgrid[0:PLATE_H, 0:PLATE_W].astype(np.float64)
    dv = np.maximum(v - PLATE_HORIZON, 0.5)
    z = _PLATE_FOCAL * _PLATE_HEIGHT / dv
    x = (u - PLATE_W / 2) * z / _PLATE_FOCAL
    footprint = np.maximum(z / _PLATE_FOCAL, z * z / (_PLATE_FOCAL * _PLATE_HEIGHT)) / _TEXEL
    mapx = (x / _TEXEL).astype(np.float32)
    mapy = (z / _TEXEL).astype(np.float32)
    return mapx, mapy, footprint.astype(np.float32)


def _octaves(rng: np.random.Generator, octaves: list[tuple[int, float]]) -> np.ndarray:
    """Sum of smooth noise fields: ``(cells across the tile, amplitude)`` pairs; float32 tile."""
    out = np.zeros((_TILE, _TILE), np.float32)
    for cells, amp in octaves:
        field = rng.standard_normal((cells, cells)).astype(np.float32)
        if cells != _TILE:
            # Upsample a 3x3 tiling and keep the middle: the field stays periodic, so the
            # wrapped tile shows no seams.
            big = cv2.resize(
                np.tile(field, (3, 3)), (3 * _TILE, 3 * _TILE), interpolation=cv2.INTER_CUBIC
            )
            field = big[_TILE : 2 * _TILE, _TILE : 2 * _TILE]
        out += amp * field
    return out


def _asphalt_tile(rng: np.random.Generator) -> np.ndarray:
    """Grey asphalt: slow patches, mid-scale mottling and aggregate grain; float32, zero mean."""
    tile = _octaves(rng, [(6, 7.0), (40, 4.0), (200, 3.0), (1024, 9.0)])
    # Sparse bright aggregate stones.
    stones = rng.random((_TILE, _TILE)) > 0.985
    tile += stones.astype(np.float32) * 18.0
    return tile - tile.mean()


def _roadside_tiles(rng: np.random.Generator) -> list[np.ndarray]:
    grass = _octaves(rng, [(10, 14.0), (80, 8.0), (1024, 16.0)])
    earth = _octaves(rng, [(8, 12.0), (60, 8.0), (400, 6.0), (1024, 10.0)])
    paving = _octaves(rng, [(12, 6.0), (1024, 6.0)])
    # Paving slabs: dark joints every 0.5 m (25 texels).
    joints = (np.arange(_TILE) % 25 == 0).astype(np.float32) * -22.0
    paving += joints[None, :] + joints[:, None]
    return [grass, earth, paving]


def _plate(
    tile: np.ndarray,
    tone: tuple[int, int, int],
    mapx: np.ndarray,
    mapy: np.ndarray,
    footprint: np.ndarray,
    *,
    grain: float,
) -> np.ndarray:
    """The tile in perspective around ``tone``; detail fades where a pixel covers many texels."""
    seen = cv2.remap(tile, mapx, mapy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_WRAP)
    # Far away a pixel averages many texels: its contrast drops (and aliasing stays hidden).
    seen *= grain * np.minimum(1.0, 1.0 / np.sqrt(np.maximum(footprint, 1e-3)))
    seen[:PLATE_HORIZON] = 0.0
    out = np.empty((PLATE_H, PLATE_W, 3), np.uint8)
    for c in range(3):
        out[..., c] = np.clip(tone[c] + seen, 0, 255).astype(np.uint8)
    return out


def _to_u8(a: np.ndarray) -> np.ndarray:
    lo, hi = float(a.min()), float(a.max())
    return ((a - lo) * (255.0 / max(hi - lo, 1e-6))).astype(np.uint8)


def _vignette() -> np.ndarray:
    h, w = IMAGE_H // 2, IMAGE_W // 2
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    r2 = ((x - w / 2) / (w / 2)) ** 2 + ((y - h / 2) / (h / 1.1)) ** 2
    return np.clip(55.0 * r2**1.5, 0, 255).astype(np.uint8)


def _glow() -> np.ndarray:
    y, x = np.mgrid[-128:128, -128:128].astype(np.float32) + 0.5
    r = np.sqrt(x * x + y * y) / 128.0
    core = np.exp(-((r / 0.08) ** 2))
    halo = 0.35 / (1.0 + (r / 0.12) ** 2) * np.clip(1.0 - r, 0.0, 1.0) ** 2
    g = core + halo
    return (g / g.max()).astype(np.float32)
