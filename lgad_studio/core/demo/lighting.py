"""Light and the sensor: shading (shadows, night, vignetting), glows, colour grading, noise.

Two low-resolution layers (light varies slowly) are composed over the rendered frame:

- the *shade* layer, ``uint8 (H/2, W/2)``: the fraction ``v/255`` of light each
  pixel loses (shadows, night darkness minus headlight and street-lamp pools,
  vignetting), applied as ``img -= img * v / 255``;
- the *glow* layer, ``float32 (H/4, W/4, 3)``: light added on top (the sun,
  headlights, tail lights, street lamps, their flares and road reflections).

Then one affine pass grades the frame (exposure, contrast, veiling glare) and
adds sensor noise, and the frame may be blurred a little. The frame is
``uint8 (590, 1640, 3)`` BGR throughout.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from lgad_studio.core.demo.camera import IMAGE_H, IMAGE_W, View
from lgad_studio.core.demo.textures import NOISE_STD, textures
from lgad_studio.core.demo.vehicles import Light

HALF = (IMAGE_W // 2, IMAGE_H // 2)  # (width, height) of the shade layer
QUARTER = (IMAGE_W // 4, IMAGE_H // 4)  # (width, height) of the glow layer: light is smooth


@dataclass(frozen=True)
class Grade:
    """Colour grading and sensor settings of one frame: ``out = gain * in + lift + noise``."""

    gain: float  # exposure x contrast (x (1 - haze) for veiling glare)
    lift: float  # grey levels added (contrast pivot, veiling glare)
    noise: float  # sensor noise standard deviation, grey levels
    blur: int  # Gaussian blur kernel (0: none)
    jpeg_quality: int


def make_grade(
    *, exposure: float, contrast: float, haze: float, noise: float, blur: int, jpeg_quality: int
) -> Grade:
    """Exposure, contrast about mid-grey and veiling glare (a fraction of white) as one affine map."""
    gain = exposure * contrast
    lift = 128.0 * (1.0 - contrast)
    return Grade(
        gain=gain * (1.0 - haze),
        lift=lift * (1.0 - haze) + 255.0 * haze,
        noise=noise,
        blur=blur,
        jpeg_quality=jpeg_quality,
    )


def new_layers() -> tuple[np.ndarray, np.ndarray]:
    """Empty shade (uint8, one channel, half size) and glow (float32 BGR, quarter size) layers."""
    (w, h), (qw, qh) = HALF, QUARTER
    return np.zeros((h, w), np.uint8), np.zeros((qh, qw, 3), np.float32)


def ground_grid(view: View, size: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Road-frame ``(s, z)`` at the pixel centres of a ``size = (w, h)`` grid over the frame.

    ``z`` is ``inf`` above the horizon; both arrays are float64 ``(h, w)``.
    """
    w, h = size
    ys = (np.arange(h, dtype=np.float64) + 0.5) * (IMAGE_H / h)
    xs = (np.arange(w, dtype=np.float64) + 0.5) * (IMAGE_W / w)
    below = ys > view.camera.horizon + 1
    z = np.full(h, np.inf)
    z[below] = view.camera.depth_at_row(ys[below])
    zc = np.where(below, z, 1e6)
    s = (xs[None, :] - view.camera.cx) * zc[:, None] / view.camera.focal
    s = s - view.road.centre_x(zc)[:, None]
    return s, np.broadcast_to(z[:, None], s.shape)


def night_shade(
    shade: np.ndarray, view: View, *, darkness: float, lamps: tuple[tuple[float, float], ...]
) -> None:
    """Darken everything by ``darkness`` (0-1) except the headlight beam and lamp pools.

    Light varies slowly, so it is computed on a 1/8-resolution grid and resized.
    """
    s, z = ground_grid(view, (IMAGE_W // 8, IMAGE_H // 8))
    with np.errstate(over="ignore", invalid="ignore"):
        beam = np.exp(-((s / (1.2 + 0.12 * z)) ** 2)) * np.clip(1.3 - z / 45.0, 0.0, 1.0)
        lit = 0.9 * np.nan_to_num(beam)
        for ls, lz in lamps:
            lit += 0.55 * np.exp(-((s - ls) ** 2 + (z - lz) ** 2) / 40.0)
    dark = (255.0 * darkness * (1.0 - np.clip(lit, 0.0, 0.85))).astype(np.uint8)
    cv2.resize(dark, HALF, dst=shade, interpolation=cv2.INTER_LINEAR)


def add_glow(
    glow: np.ndarray,
    x: float,
    y: float,
    *,
    rx: float,
    ry: float | None = None,
    colour: tuple[int, int, int],
    strength: float,
) -> None:
    """Add the radial light sprite centred on full-resolution ``(x, y)`` with radii ``rx, ry``."""
    ry = rx if ry is None else ry
    cx, cy, ax, ay = x / 4, y / 4, max(rx / 4, 1.0), max(ry / 4, 1.0)
    x0, y0 = int(np.floor(cx - ax)), int(np.floor(cy - ay))
    x1, y1 = int(np.ceil(cx + ax)), int(np.ceil(cy + ay))
    h, w = glow.shape[:2]
    if x1 <= 0 or y1 <= 0 or x0 >= w or y0 >= h:
        return
    sprite = cv2.resize(textures().glow, (x1 - x0, y1 - y0), interpolation=cv2.INTER_LINEAR)
    sx0, sy0 = max(0, -x0), max(0, -y0)
    sx1, sy1 = sprite.shape[1] - max(0, x1 - w), sprite.shape[0] - max(0, y1 - h)
    roi = glow[max(y0, 0) : min(y1, h), max(x0, 0) : min(x1, w)]
    part = sprite[sy0:sy1, sx0:sx1, None] * (np.asarray(colour, np.float32) * strength)
    roi += part


def add_lights(glow: np.ndarray, lights: list[Light], *, scale: float, reflections: bool) -> None:
    """Glows around lamps; ``scale`` enlarges them (dazzle); ``reflections`` adds streaks below.

    Lamps whose glow stays under ~6 px get the core glow only (halo and streak vanish there).
    """
    for lt in lights:
        r = max(lt.radius, 2.0) * scale
        add_glow(glow, lt.x, lt.y, rx=r, colour=lt.colour, strength=lt.strength)
        if r < 6.0:
            continue
        add_glow(
            glow, lt.x, lt.y, rx=3.0 * r, ry=0.5 * r, colour=lt.colour, strength=0.3 * lt.strength
        )
        if reflections:
            add_glow(
                glow,
                lt.x,
                lt.y + 2.5 * r,
                rx=0.5 * r,
                ry=5.0 * r,
                colour=lt.colour,
                strength=0.25 * lt.strength,
            )


def compose(img: np.ndarray, shade: np.ndarray, glow: np.ndarray | None) -> None:
    """Apply the shade layer (with vignetting) then the glow layer to ``img`` in place."""
    shade = cv2.add(shade, textures().vignette)
    full = cv2.resize(shade, (IMAGE_W, IMAGE_H), interpolation=cv2.INTER_LINEAR)
    full = cv2.cvtColor(full, cv2.COLOR_GRAY2BGR)
    cv2.subtract(img, cv2.multiply(img, full, scale=1 / 255), dst=img)
    if glow is not None:
        light = cv2.resize(np.clip(glow, 0, 255).astype(np.uint8), (IMAGE_W, IMAGE_H))
        cv2.add(img, light, dst=img)


def finish(img: np.ndarray, grade: Grade, noise_offset: tuple[int, int]) -> np.ndarray:
    """Grade and add sensor noise in one pass, then blur: the frame as the camera stores it."""
    oy, ox = noise_offset  # a different window of the noise plate for every frame
    noise = textures().noise[oy : oy + IMAGE_H, ox : ox + IMAGE_W]
    k = grade.noise / NOISE_STD
    out = cv2.addWeighted(img, grade.gain, noise, k, grade.lift - 128.0 * k)
    if grade.blur:
        out = cv2.GaussianBlur(out, (grade.blur, grade.blur), 0)
    return out
