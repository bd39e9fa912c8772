"""Settings of an auto-label run, and the rows its proposals sit on.

**Rows.** A model proposal is the decoder's output (METHOD.md section 5): one
point per sampled image row ``y = H - 1 - row_step * i`` for ``i = 0 ..
num_rows - 1`` where the lane's (smoothed) probability exceeds
``prob_threshold``. With the defaults (``row_step`` 20, ``num_rows`` 18) on a
590-px CULane image these are rows 589, 569, ..., 249: exactly the points
``lgad-studio predict`` writes and the CULane evaluator reads, so a proposal
accepted unchanged scores what the model scores. Other image heights keep the
20-px spacing from the bottom row. The defaults are read from
:func:`~lgad_studio.core.decode.decode_prob_map`, not copied.

Every lane of every slot that yields ``min_points`` points is stored, whatever
its existence probability, so that a confidence filter over the cached
proposals can go below the decoder's ``exist_threshold`` as well as above it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from lgad_studio.core.decode import DECODE_WIDTH, decode_defaults

DECODE_DEFAULTS = decode_defaults()
# The decoder's existence threshold: the default of the review's confidence filter.
DEFAULT_MIN_EXISTENCE = float(DECODE_DEFAULTS["exist_threshold"])


@dataclass(frozen=True)
class AutolabelSettings:
    """How predictions become proposals. All fields but ``batch_size`` enter the run key."""

    prob_threshold: float = DECODE_DEFAULTS["prob_threshold"]
    smooth_kernel: int = DECODE_DEFAULTS["smooth_kernel"]
    row_step: int = DECODE_DEFAULTS["row_step"]
    num_rows: int = DECODE_DEFAULTS["num_rows"]
    min_points: int = DECODE_DEFAULTS["min_points"]
    decode_width: int = DECODE_WIDTH
    batch_size: int = 8

    def __post_init__(self) -> None:
        checks = {
            "prob_threshold": 0.0 <= self.prob_threshold < 1.0,
            "smooth_kernel": self.smooth_kernel >= 0,
            "row_step": self.row_step >= 1,
            "num_rows": self.num_rows >= 1,
            "min_points": self.min_points >= 2,
            "decode_width": self.decode_width >= 8,
            "batch_size": self.batch_size >= 1,
        }
        bad = [name for name, ok in checks.items() if not ok]
        if bad:
            values = ", ".join(f"{name}={getattr(self, name)!r}" for name in bad)
            raise ValueError(f"autolabel settings out of range: {values}")

    def keyed(self) -> dict:
        """The fields that change proposals (the run key's settings part)."""
        fields = asdict(self)
        fields.pop("batch_size")
        return fields
