"""Attention maps of feature maps, and the per-step distillation pairs of LGAD and SAD.

The attention map of ``F: [B, C, H, W]`` is ``A = sum_c |F_c|^p`` (``[B, H, W]``,
p = 2), resized bilinearly to a target size and normalised per sample:

- ``softmax``: spatial softmax over the flattened ``H*W`` of ``A / C`` (the channel
  *mean*: with the raw sum of squares the softmax saturates to a one-hot map;
  SAD's released code used the mean too); each map sums to 1.
- ``l2``: ``A / ||A||_2`` over ``H*W`` (Zagoruyko & Komodakis); each map has norm 1.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor
from torch.nn import functional as F

NORMALISATIONS = ("softmax", "l2")


def attention_map(features: Tensor, *, p: float = 2.0) -> Tensor:
    """``[B, C, H, W]`` -> ``[B, H, W]``: ``sum_c |F_c|^p`` (float32 even under autocast)."""
    return features.float().abs().pow(p).sum(dim=1)


def normalise_attention(
    attention: Tensor,
    *,
    size: tuple[int, int] | None = None,
    norm: str = "l2",
    channels: int = 1,
) -> Tensor:
    """Resize ``[B, H, W]`` bilinearly to ``size`` (h, w) and normalise each sample.

    ``channels`` is the channel count the map was summed over (the softmax
    temperature, see the module docstring). Returns ``[B, h, w]``.
    """
    if norm not in NORMALISATIONS:
        raise ValueError(
            f"attention normalisation {norm!r} unknown, expected one of {NORMALISATIONS}"
        )
    if size is not None and tuple(attention.shape[-2:]) != tuple(size):
        attention = F.interpolate(
            attention.unsqueeze(1), size=size, mode="bilinear", align_corners=False
        ).squeeze(1)
    b, h, w = attention.shape
    flat = attention.reshape(b, h * w)
    if norm == "softmax":
        flat = torch.softmax(flat / channels, dim=1)
    else:
        flat = F.normalize(flat, p=2.0, dim=1, eps=1e-12)
    return flat.reshape(b, h, w)


def stage_attention(
    features: Tensor, *, size: tuple[int, int] | None = None, norm: str = "l2", p: float = 2.0
) -> Tensor:
    """:func:`attention_map` then :func:`normalise_attention` of one stage's features."""
    return normalise_attention(
        attention_map(features, p=p), size=size, norm=norm, channels=features.shape[1]
    )


def attention_maps(
    model: torch.nn.Module,
    batch: Tensor,
    stages: Sequence[str],
    *,
    norm: str = "l2",
    size: tuple[int, int] | None = None,
) -> list[Tensor]:
    """Normalised attention maps ``[B, h, w]`` of ``model``'s named encoder ``stages``.

    ``batch`` is what the model takes: images ``[B, 3, H, W]`` for a student, the
    encoded label map for a teacher. Each map keeps its stage's resolution unless
    ``size`` is given. Runs without gradients in the model's current mode.
    """
    with torch.no_grad():
        features = model(batch).features
    unknown = [s for s in stages if s not in features]
    if unknown:
        raise ValueError(f"stages {unknown} unknown, expected some of {list(features)}")
    return [stage_attention(features[s], size=size, norm=norm) for s in stages]
