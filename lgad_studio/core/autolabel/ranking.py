"""The review queue: images ordered most uncertain first, clips, and how well an order finds errors.

The queue is a pure ordering of ``{entry: score}`` (descending, ties by entry
name), so the studio's "next most uncertain" key and the browser's sort use the
same order and need no model run. :func:`clips` groups entries into clips (their
folder, frames by name), the unit of temporal signals and of propagation.
:func:`hits_at_fraction` and :func:`random_hits` are the measurement of
``benchmarks/review_ranking.py``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from pathlib import PurePosixPath

from lgad_studio.core.autolabel.proposals import ImageProposals
from lgad_studio.core.autolabel.signals import model_disagreement, temporal_jumps
from lgad_studio.core.lanes import LaneSet


def review_queue(scores: Mapping[str, float], *, skip: Collection[str] = ()) -> list[str]:
    """Entries by descending score (NaN last), ties by entry; ``skip`` left out (e.g. reviewed)."""

    def key(entry: str) -> tuple[float, str]:
        value = scores[entry]
        return (math.inf if math.isnan(value) else -value, entry)

    return sorted((e for e in scores if e not in skip), key=key)


def next_uncertain(
    queue: Sequence[str], current: str | None, *, skip: Collection[str] = ()
) -> str | None:
    """The queue's entry after ``current`` (its first if ``current`` is not in it), not in ``skip``."""
    start = queue.index(current) + 1 if current in queue else 0
    for entry in queue[start:]:
        if entry != current and entry not in skip:
            return entry
    return None


def _natural_key(name: str) -> list:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def clips(entries: Iterable[str]) -> dict[str, list[str]]:
    """``{clip folder: frames}``, frames in natural name order (``2.jpg`` before ``10.jpg``)."""
    grouped: dict[str, list[str]] = {}
    for entry in entries:
        grouped.setdefault(str(PurePosixPath(entry.lstrip("/")).parent), []).append(entry)
    return {
        clip: sorted(frames, key=lambda e: _natural_key(PurePosixPath(e).name))
        for clip, frames in grouped.items()
    }


def temporal_scores(entries: Iterable[str], lanes_of: Callable[[str], LaneSet]) -> dict[str, float]:
    """The ``temporal`` signal of every entry: its clip's :func:`temporal_jumps`."""
    scores: dict[str, float] = {}
    for frames in clips(entries).values():
        scores.update(zip(frames, temporal_jumps([lanes_of(f) for f in frames]), strict=True))
    return scores


def model_disagreement_scores(
    a: Mapping[str, ImageProposals], b: Mapping[str, ImageProposals]
) -> dict[str, float]:
    """The ``models`` signal of every entry two runs share (e.g. ``store.load`` of an LGAD and
    a baseline run): the best order for unlabelled images when two models ran."""
    return {e: model_disagreement(a[e], b[e]) for e in sorted(set(a) & set(b))}


def hits_at_fraction(queue: Sequence[str], positives: Collection[str], fraction: float) -> int:
    """How many ``positives`` the first ``round(fraction * len(queue))`` entries contain."""
    top = queue[: round(fraction * len(queue))]
    return sum(1 for entry in top if entry in positives)


def random_hits(total: int, positives: int, drawn: int) -> tuple[float, float, float]:
    """Random order: the expected hits among ``drawn`` of ``total``, and the hypergeometric
    central 95 % interval ``(mean, low, high)``."""
    mean = drawn * positives / total
    pmf = [
        math.comb(positives, k) * math.comb(total - positives, drawn - k) / math.comb(total, drawn)
        for k in range(min(positives, drawn) + 1)
    ]
    cdf, low, high = 0.0, None, None
    for k, p in enumerate(pmf):
        cdf += p
        if low is None and cdf >= 0.025:
            low = k
        if high is None and cdf >= 0.975:
            high = k
    return mean, float(low or 0), float(high if high is not None else len(pmf) - 1)
