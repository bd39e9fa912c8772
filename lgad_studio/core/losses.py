"""The training losses: segmentation, existence, attention distillation, and their composition.

``L = L_seg + 0.1 * L_exist + lambda(step) * sum_k L_at(k)`` where

- ``L_seg``: cross-entropy of ``[B, 5, H, W]`` logits against the ``[B, H, W]`` slot
  map, class weights ``(0.4, 1, 1, 1, 1)``;
- ``L_exist``: binary cross-entropy of ``[B, 4]`` logits against ``[B, 4]`` flags;
- ``L_at(k)``: squared difference of two normalised ``[B, h, w]`` attention maps,
  **summed over h x w** and averaged over the batch (a mean over h x w makes it
  vanish); the target is always detached, so gradients reach the student only.

Mimic paths: ``lgad`` pairs student stage k with the frozen teacher's stage k;
``sad`` pairs student stage k with student stage k+1; ``none`` is the baseline.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor
from torch.nn import functional as F

from lgad_studio.core.attention import stage_attention

MODES = ("lgad", "sad", "none")
STAGE_ORDER = ("initial", "stage1", "stage2", "stage3")


def segmentation_loss(logits: Tensor, label: Tensor, *, background_weight: float = 0.4) -> Tensor:
    """Weighted cross-entropy of ``[B, K, H, W]`` logits against the ``[B, H, W]`` label."""
    weight = torch.ones(logits.shape[1], device=logits.device)
    weight[0] = background_weight
    return F.cross_entropy(logits.float(), label.long(), weight=weight)


def existence_loss(logits: Tensor, exist: Tensor) -> Tensor:
    """Binary cross-entropy of ``[B, 4]`` logits against ``[B, 4]`` 0/1 flags."""
    return F.binary_cross_entropy_with_logits(logits.float(), exist.float())


def attention_loss(student: Tensor, target: Tensor) -> Tensor:
    """``sum_{h,w} (student - target)^2`` averaged over the batch; ``target`` is detached."""
    return (student - target.detach()).pow(2).sum(dim=(1, 2)).mean()


def mimic_pairs(mode: str, stages: Sequence[str]) -> list[tuple[str, str]]:
    """(student stage, target stage) pairs: the same stage (``lgad``) or the next (``sad``)."""
    if mode not in MODES:
        raise ValueError(f"distillation mode {mode!r} unknown, expected one of {MODES}")
    for s in stages:
        if s not in STAGE_ORDER:
            raise ValueError(f"stage {s!r} unknown, expected some of {STAGE_ORDER}")
    if mode == "none":
        return []
    if mode == "lgad":
        return [(s, s) for s in stages]
    pairs = []
    for s in stages:
        i = STAGE_ORDER.index(s)
        if i + 1 >= len(STAGE_ORDER):
            raise ValueError(f"SAD stage {s!r} has no deeper stage to mimic")
        pairs.append((s, STAGE_ORDER[i + 1]))
    return pairs


def distillation_terms(
    student: dict[str, Tensor],
    target: dict[str, Tensor],
    pairs: Sequence[tuple[str, str]],
    *,
    norm: str = "l2",
    p: float = 2.0,
) -> dict[str, Tensor]:
    """``{"at_<stage>": L_at}`` for each pair; the student map is resized to the target's size."""
    terms = {}
    for src, tgt in pairs:
        with torch.no_grad():
            t_map = stage_attention(target[tgt].detach(), norm=norm, p=p)
        s_map = stage_attention(student[src], size=tuple(t_map.shape[-2:]), norm=norm, p=p)
        terms[f"at_{src}"] = attention_loss(s_map, t_map)
    return terms


def ramp_weight(step: int, *, weight: float, start: int, ramp: int) -> float:
    """lambda at ``step``: 0 before ``start``, then linear up to ``weight`` over ``ramp`` steps."""
    if step < start:
        return 0.0
    if ramp <= 0:
        return weight
    return weight * min(1.0, (step - start + 1) / ramp)


def compose_losses(
    seg_logits: Tensor,
    exist_logits: Tensor,
    label: Tensor,
    exist: Tensor,
    *,
    at_terms: dict[str, Tensor] | None = None,
    at_weight: float = 0.0,
    exist_weight: float = 0.1,
    background_weight: float = 0.4,
) -> dict[str, Tensor]:
    """Named losses ``{"loss", "seg", "exist", "at", "at_<stage>"...}``; ``loss`` is the total."""
    seg = segmentation_loss(seg_logits, label, background_weight=background_weight)
    ex = existence_loss(exist_logits, exist)
    losses = {"seg": seg, "exist": ex}
    total = seg + exist_weight * ex
    if at_terms:
        at = torch.stack(list(at_terms.values())).sum()
        losses.update(at_terms)
        losses["at"] = at
        if at_weight > 0:
            total = total + at_weight * at
    losses["loss"] = total
    return losses
