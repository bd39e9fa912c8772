"""Remaining time from progress reports, and how durations are written (``1:05``)."""

from __future__ import annotations

import time


def format_duration(seconds: float) -> str:
    """``3725`` -> ``"1:02:05"``, ``65`` -> ``"1:05"``."""
    seconds = max(0, int(round(seconds)))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class EtaEstimator:
    """Remaining time from the rate since the first progress report (excludes start-up)."""

    def __init__(self) -> None:
        self._origin: tuple[float, int] | None = None
        self._last: tuple[float, int] | None = None

    def reset(self) -> None:
        self._origin = self._last = None

    def update(self, done: int, *, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        if self._origin is None or done < self._origin[1]:
            self._origin = (now, done)
        self._last = (now, done)

    def remaining_s(self, total: int) -> float | None:
        if self._origin is None or self._last is None:
            return None
        (t0, d0), (t1, d1) = self._origin, self._last
        if d1 <= d0 or t1 <= t0:
            return None
        return (total - d1) * (t1 - t0) / (d1 - d0)
