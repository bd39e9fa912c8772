"""Merging proposals into an image's labels: pure functions ``LaneSet -> LaneSet``.

The editor wraps each call in one undo step (``LabelDocument.apply``): accepting
one lane, accepting all shown lanes, with or without replacing the lanes they
match. A proposal *matches* a labelled lane when the CULane metric's official
assignment pairs them with IoU above ``iou_threshold`` (0.5, the metric's TP
rule; :mod:`lgad_studio.core.metrics`). Rules, for each accepted proposal:

- it matches a labelled lane: with ``replace_matching`` the labelled lane takes
  the proposal's points and keeps its own slot (the slot is the user's); without
  it the proposal is skipped, since the label already has that lane;
- it matches none: it is added, with its slot if no labelled lane holds it, else
  without a slot (``S`` re-assigns slots) so that no labelled lane loses its slot.

Labels are never changed otherwise, and accepting nothing (or only skipped
proposals) returns the very same ``LaneSet`` object, so the editor pushes no step.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from lgad_studio.core.autolabel.proposals import ImageProposals, LaneProposal
from lgad_studio.core.lanes import Lane, LaneSet
from lgad_studio.core.metrics import evaluate_image
from lgad_studio.core.metrics.culane import DEFAULT_IOU

Proposed = ImageProposals | Sequence[LaneProposal] | Sequence[Lane]


def _lanes(proposals: Proposed) -> list[Lane]:
    items = proposals.lanes if isinstance(proposals, ImageProposals) else proposals
    return [p.lane if isinstance(p, LaneProposal) else p for p in items]


def matching_labels(
    labels: LaneSet, proposals: Proposed, *, iou_threshold: float = DEFAULT_IOU
) -> dict[int, int]:
    """``{proposal index: labelled lane index}`` for the pairs the metric would count as TPs."""
    lanes = _lanes(proposals)
    if not len(labels) or not lanes:
        return {}
    result = evaluate_image(
        [ln.points for ln in labels],
        [ln.points for ln in lanes],
        image_size=labels.image_size,
        iou_threshold=iou_threshold,
    )
    return {d: g for g, d, _ in result.matches}


def accept(
    labels: LaneSet,
    proposals: Proposed,
    indices: Iterable[int] | None = None,
    *,
    replace_matching: bool = False,
    iou_threshold: float = DEFAULT_IOU,
) -> LaneSet:
    """``labels`` with the proposals at ``indices`` (all when ``None``) merged in; see the module."""
    lanes = _lanes(proposals)
    chosen = list(range(len(lanes))) if indices is None else list(dict.fromkeys(indices))
    for i in chosen:
        if not 0 <= i < len(lanes):
            raise IndexError(f"proposal {i} does not exist; the image has {len(lanes)}")
    if not chosen:
        return labels
    matches = matching_labels(labels, lanes, iou_threshold=iou_threshold)
    result = list(labels.lanes)
    changed = False
    for i in chosen:
        lane = lanes[i]
        if i in matches:
            if replace_matching:
                target = matches[i]
                result[target] = Lane(lane.points, result[target].slot)
                changed = True
            continue
        taken = {ln.slot for ln in result if ln.slot is not None}
        result.append(Lane(lane.points, lane.slot if lane.slot not in taken else None))
        changed = True
    if not changed:
        return labels
    return LaneSet(tuple(result), image_size=labels.image_size)


def accept_all(
    labels: LaneSet,
    proposals: Proposed,
    *,
    replace_matching: bool = False,
    iou_threshold: float = DEFAULT_IOU,
) -> LaneSet:
    """Every proposal merged in (filter first: ``proposals.filtered(min_existence=...)``)."""
    return accept(
        labels, proposals, None, replace_matching=replace_matching, iou_threshold=iou_threshold
    )


def accept_one(
    labels: LaneSet,
    proposals: Proposed,
    index: int,
    *,
    replace_matching: bool = False,
    iou_threshold: float = DEFAULT_IOU,
) -> LaneSet:
    """Proposal ``index`` merged in."""
    return accept(
        labels, proposals, [index], replace_matching=replace_matching, iou_threshold=iou_threshold
    )
