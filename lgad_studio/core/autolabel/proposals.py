"""Proposals: model- or propagation-made lanes with their scores, kept apart from the labels.

A :class:`LaneProposal` is one lane in ``xy_image`` with its slot and scores; an
:class:`ImageProposals` holds one image's proposals, the existence probabilities
of all four slots, the rows that were sampled and the image's uncertainty
signals. Both are frozen and serialise to plain JSON (:meth:`ImageProposals.to_dict`)
for the sidecar store. Values are rounded when a proposal is made (x to 1/100 px
like a click in the editor, probabilities to 1e-4), so what is stored is exactly
what was computed.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from lgad_studio.core.autolabel.settings import DEFAULT_MIN_EXISTENCE, AutolabelSettings
from lgad_studio.core.decode import lanes_from_profile, row_profile
from lgad_studio.core.lanes import NUM_SLOTS, Lane, LaneSet

X_DECIMALS = 2
P_DECIMALS = 4


@dataclass(frozen=True, eq=False)
class LaneProposal:
    """One proposed lane and its scores.

    ``row_probs`` is ``float64 [R]``: the slot's probability maximum on each of
    the image's sampled rows (``ImageProposals.rows``), also where it fell below
    the threshold and no point was kept; empty for a lane without a model.
    """

    lane: Lane
    existence: float  # the model's existence probability of the slot (1.0 for propagated lanes)
    mean_prob: float | None  # mean lane probability over the lane's points; None without a model
    row_probs: np.ndarray = field(default_factory=lambda: np.zeros(0))
    source: str = "model"  # "model" | "propagated"

    def __post_init__(self) -> None:
        probs = np.asarray(self.row_probs, dtype=np.float64).reshape(-1)
        probs.setflags(write=False)
        object.__setattr__(self, "row_probs", probs)

    @property
    def slot(self) -> int | None:
        return self.lane.slot

    def span_probs(self, rows: np.ndarray) -> np.ndarray:
        """``row_probs`` on the rows from the lane's lowest to its highest point (gaps included)."""
        if len(self.row_probs) == 0 or len(self.lane) == 0:
            return np.zeros(0)
        ys = self.lane.points[:, 1]
        inside = (rows >= ys.min()) & (rows <= ys.max())
        return self.row_probs[inside]

    def to_dict(self) -> dict:
        return {
            "slot": self.lane.slot,
            "points": self.lane.points.tolist(),
            "existence": self.existence,
            "mean_prob": self.mean_prob,
            "row_probs": self.row_probs.tolist(),
            "source": self.source,
        }

    @classmethod
    def from_dict(cls, data: dict) -> LaneProposal:
        return cls(
            Lane(np.asarray(data["points"], dtype=np.float64).reshape(-1, 2), data["slot"]),
            float(data["existence"]),
            None if data["mean_prob"] is None else float(data["mean_prob"]),
            np.asarray(data["row_probs"], dtype=np.float64),
            str(data["source"]),
        )


@dataclass(frozen=True, eq=False)
class ImageProposals:
    """One image's proposals; ``signals`` maps an uncertainty signal's name to its value."""

    entry: str
    image_size: tuple[int, int]
    lanes: tuple[LaneProposal, ...]
    exist: np.ndarray  # float64 [4]: existence of slots 1-4 (NaN where unknown)
    rows: np.ndarray  # float64 [R]: the sampled rows (bottom-up)
    signals: dict[str, float] = field(default_factory=dict)
    uncertainty: float = 0.0
    labels_sha: str = ""  # label_hash.lanes_sha of the labels the signals compared with ("" none)

    def __post_init__(self) -> None:
        object.__setattr__(self, "lanes", tuple(self.lanes))
        object.__setattr__(self, "image_size", (int(self.image_size[0]), int(self.image_size[1])))
        for name in ("exist", "rows"):
            arr = np.asarray(getattr(self, name), dtype=np.float64).reshape(-1)
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)

    def __len__(self) -> int:
        return len(self.lanes)

    def filtered(
        self, *, min_existence: float = DEFAULT_MIN_EXISTENCE, min_mean_prob: float = 0.0
    ) -> ImageProposals:
        """The proposals whose existence is at least ``min_existence`` (and mean probability
        at least ``min_mean_prob`` where known): the confidence filter, no model run."""
        kept = tuple(
            p
            for p in self.lanes
            if p.existence >= min_existence
            and (p.mean_prob is None or p.mean_prob >= min_mean_prob)
        )
        return replace(self, lanes=kept)

    def lane_set(self, *, min_existence: float = DEFAULT_MIN_EXISTENCE) -> LaneSet:
        """The filtered proposals as a :class:`LaneSet` (for display or for a metric)."""
        lanes = tuple(p.lane for p in self.filtered(min_existence=min_existence).lanes)
        return LaneSet(lanes, image_size=self.image_size)

    def with_signals(
        self, signals: dict[str, float], uncertainty: float, *, labels_sha: str = ""
    ) -> ImageProposals:
        """With the image's signals, its uncertainty and which labels they were computed against."""
        return replace(
            self, signals=dict(signals), uncertainty=float(uncertainty), labels_sha=labels_sha
        )

    def to_dict(self) -> dict:
        return {
            "entry": self.entry,
            "image_size": list(self.image_size),
            "lanes": [p.to_dict() for p in self.lanes],
            "exist": [None if np.isnan(e) else e for e in self.exist.tolist()],
            "rows": self.rows.tolist(),
            "signals": dict(self.signals),
            "uncertainty": self.uncertainty,
            "labels_sha": self.labels_sha,
        }

    @classmethod
    def from_dict(cls, data: dict) -> ImageProposals:
        exist = [np.nan if e is None else float(e) for e in data["exist"]]
        return cls(
            str(data["entry"]),
            tuple(data["image_size"]),
            tuple(LaneProposal.from_dict(p) for p in data["lanes"]),
            np.asarray(exist, dtype=np.float64),
            np.asarray(data["rows"], dtype=np.float64),
            {str(k): float(v) for k, v in data["signals"].items()},
            float(data["uncertainty"]),
            str(data.get("labels_sha", "")),
        )


def proposals_from_prediction(
    entry: str,
    prob_map: np.ndarray,
    exist: np.ndarray,
    *,
    image_size: tuple[int, int],
    settings: AutolabelSettings | None = None,
    wide: np.ndarray | None = None,
) -> ImageProposals:
    """Decode one prediction into proposals for every slot (any existence), with scores.

    Args:
        prob_map: ``float32 [5, h, w]`` softmax at the network input size (``Prediction.prob_map``).
        exist: ``float32 [4]`` existence probabilities of slots 1-4.
        image_size: ``(W, H)`` of the image the lanes are reported in.

    The map is widened to ``settings.decode_width`` columns (or ``wide``, that map
    already widened, is used) and decoded as
    :func:`~lgad_studio.core.decode.decode_prob_map` does, but for all slots.
    Signals and the uncertainty are left empty (see :mod:`.signals`).
    """
    settings = settings or AutolabelSettings()
    if wide is None:
        from lgad_studio.core.autolabel.laneness import widen  # torch: only when decoding

        wide = widen(prob_map, width=settings.decode_width)
    profile = row_profile(
        wide, image_size=image_size, smooth_kernel=settings.smooth_kernel,
        row_step=settings.row_step, num_rows=settings.num_rows,
    )  # fmt: skip
    exist = np.round(np.asarray(exist, dtype=np.float64).reshape(NUM_SLOTS), P_DECIMALS)
    decoded = dict(
        lanes_from_profile(
            profile, prob_threshold=settings.prob_threshold, min_points=settings.min_points
        )
    )
    lanes = []
    for k, slot in enumerate(profile.slots):
        if slot not in decoded:
            continue
        points = decoded[slot].copy()
        points[:, 0] = np.round(points[:, 0], X_DECIMALS)
        kept = profile.p[k][profile.p[k] > settings.prob_threshold]
        lanes.append(
            LaneProposal(
                Lane(points, slot),
                float(exist[slot - 1]),
                round(float(kept.mean()), P_DECIMALS),
                np.round(profile.p[k], P_DECIMALS),
            )
        )
    return ImageProposals(entry, image_size, tuple(lanes), exist, profile.ys)
