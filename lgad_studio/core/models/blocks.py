"""Small helpers shared by the architectures: channel scaling for the width multiplier."""

from __future__ import annotations

MIN_CHANNELS = 8


def scaled_channels(channels: int, width: float) -> int:
    """``channels * width`` rounded to a multiple of 4, at least :data:`MIN_CHANNELS`.

    Multiples of 4 keep the bottlenecks' ``channels // 4`` inner width whole.
    """
    if width <= 0:
        raise ValueError(f"width multiplier must be > 0, got {width}")
    return max(MIN_CHANNELS, int(round(channels * width / 4)) * 4)
