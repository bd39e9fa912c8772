"""The road's cross-section: lanes, their widths, the lines between them and the paved edges.

Lateral offsets ``s`` are metres in the road frame of :mod:`.camera` (0 = ego
lane centre, right positive). The two lines nearest the ego vehicle on each
side are annotated (CULane slots 1-4), further ones are painted but not
annotated, as in CULane where at most four lanes are labelled.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lgad_studio.core.demo.markings import WHITE, YELLOW, LaneLine


@dataclass(frozen=True)
class TrafficLane:
    """A driveable lane: its centre offset, width and traffic direction (+1 ours, -1 oncoming)."""

    s: float
    width: float
    direction: int


@dataclass(frozen=True)
class RoadLayout:
    lines: tuple[LaneLine, ...]  # left to right
    lanes: tuple[TrafficLane, ...]  # left to right
    paved_left: float  # s of the asphalt's left edge
    paved_right: float


def sample_layout(
    rng: np.random.Generator, *, noline: bool = False, oncoming_traffic: bool = False
) -> RoadLayout:
    """A road of 1-5 lanes our way around the ego lane plus 0-2 oncoming, with CULane-like paint.

    ``noline`` wears the paint off: some lines vanish completely (style ``none``)
    while staying annotated. ``oncoming_traffic`` guarantees an oncoming lane.
    """
    width = float(rng.uniform(2.9, 3.9))
    n_left = int(rng.choice([0, 1, 2], p=[0.35, 0.45, 0.2]))
    n_right = int(rng.choice([0, 1, 2], p=[0.35, 0.45, 0.2]))
    oncoming = int(rng.choice([0, 1, 2], p=[0.55, 0.3, 0.15]))
    if oncoming_traffic:
        oncoming = max(oncoming, 1)
    widths = [width + float(rng.uniform(-0.15, 0.15)) for _ in range(n_left + n_right + 1)]
    # Lane edges left to right: boundary i sits left of lane i.
    centre_index = n_left
    edges = np.concatenate([[0.0], np.cumsum(widths)])
    edges = edges - (edges[centre_index] + edges[centre_index + 1]) / 2
    lanes = [
        TrafficLane(float((edges[i] + edges[i + 1]) / 2), widths[i], 1) for i in range(len(widths))
    ]
    interior = _interior_style(rng)
    styles: list[tuple[str, tuple[int, int, int]]] = [(interior, WHITE)] * len(edges)
    styles[-1] = ("solid", WHITE)
    if oncoming:
        centre = rng.choice(["double", "solid", "solid_dashed"], p=[0.6, 0.3, 0.1])
        styles[0] = (str(centre), YELLOW)
    else:
        styles[0] = ("solid", WHITE if rng.random() < 0.7 else YELLOW)
    offsets = list(edges)
    for k in range(oncoming):  # oncoming lanes left of the centre line
        w = width + float(rng.uniform(-0.15, 0.15))
        lanes.insert(0, TrafficLane(offsets[0] - w / 2, w, -1))
        offsets.insert(0, offsets[0] - w)
        styles.insert(0, ("solid", WHITE) if k == oncoming - 1 else (interior, WHITE))
    lines = _paint(rng, offsets, styles, noline=noline)
    return RoadLayout(
        lines=lines,
        lanes=tuple(lanes),
        paved_left=float(offsets[0] - rng.uniform(0.3, 1.6)),
        paved_right=float(offsets[-1] + rng.uniform(0.3, 1.6)),
    )


def _interior_style(rng: np.random.Generator) -> str:
    return str(rng.choice(["dashed", "solid"], p=[0.85, 0.15]))


def _paint(
    rng: np.random.Generator,
    offsets: list[float],
    styles: list[tuple[str, tuple[int, int, int]]],
    *,
    noline: bool,
) -> tuple[LaneLine, ...]:
    dash = float(rng.choice([2.0, 3.0, 4.0, 6.0]))
    gap = dash * float(rng.uniform(1.3, 2.2))
    stripe = float(rng.uniform(0.12, 0.2))
    left = sorted((s for s in offsets if s < 0), reverse=True)[:2]
    right = sorted(s for s in offsets if s > 0)[:2]
    annotated = set(left) | set(right)
    lines = []
    for s, (style, colour) in zip(offsets, styles, strict=True):
        if noline and rng.random() < 0.35:
            style = "none"
        tint = int(rng.integers(-14, 6)) + rng.integers(-3, 4, 3)  # brightness, then a faint hue
        lines.append(
            LaneLine(
                s=float(s),
                style=style,
                colour=tuple(
                    min(255, max(0, c + int(t))) for c, t in zip(colour, tint, strict=True)
                ),
                width=stripe,
                dash=dash,
                gap=gap,
                phase=float(rng.uniform(0.0, dash + gap)),
                annotated=s in annotated,
            )
        )
    return tuple(lines)
