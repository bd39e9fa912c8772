"""The teacher's input adapter: a label map ``[B, H, W]`` (0 background, 1-4 slots) as a tensor.

Encodings (``TeacherConfig.encoding``):

- ``onehot`` (default): ``[B, 5, H, W]``, one channel per class, background included.
- ``lanes``: ``[B, 4, H, W]``, the four slot channels only (background implied).
- ``scalar``: ``[B, 1, H, W]``, the slot number divided by 4 (an ordinal code).
"""

from __future__ import annotations

from torch import Tensor
from torch.nn import functional as F

ENCODINGS = {"onehot": 5, "lanes": 4, "scalar": 1}


def encoding_channels(encoding: str) -> int:
    """Input channel count of the teacher for ``encoding``."""
    try:
        return ENCODINGS[encoding]
    except KeyError:
        raise ValueError(
            f"teacher encoding {encoding!r} unknown, expected one of {sorted(ENCODINGS)}"
        ) from None


def encode_label(label: Tensor, encoding: str = "onehot", num_classes: int = 5) -> Tensor:
    """``label: [B, H, W]`` integer slot map -> float ``[B, C, H, W]`` teacher input."""
    encoding_channels(encoding)
    if encoding == "scalar":
        return (label.float() / (num_classes - 1)).unsqueeze(1)
    onehot = F.one_hot(label.long(), num_classes).permute(0, 3, 1, 2).float()
    return onehot[:, 1:] if encoding == "lanes" else onehot
