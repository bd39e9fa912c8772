"""Merging proposals into labels: accept one / all, replace matching lanes only when asked, undo."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from lgad_studio.core.autolabel import (
    ImageProposals,
    LaneProposal,
    accept,
    accept_all,
    accept_one,
    matching_labels,
)
from lgad_studio.core.formats.culane_lines import format_lines_text
from lgad_studio.core.formats.dataset import open_dataset
from lgad_studio.core.lanes import Lane, LaneSet

YS = np.arange(589, 250, -10.0)


def straight(x_bottom: float, x_top: float, slot: int | None) -> Lane:
    xs = x_bottom + (x_top - x_bottom) * (589 - YS) / (589 - 250)
    return Lane(np.column_stack([xs, YS]), slot)


LABELS = LaneSet((straight(300, 700, 1), straight(700, 780, 2), straight(1100, 880, 3)))


def proposals(*lanes: Lane, existence: float = 0.9) -> ImageProposals:
    return ImageProposals(
        "a.jpg", (1640, 590), tuple(LaneProposal(ln, existence, 0.8) for ln in lanes),
        [existence] * 4, YS,
    )  # fmt: skip


def test_accepting_nothing_returns_the_same_object() -> None:
    props = proposals(straight(1400, 950, 4))
    assert accept(LABELS, props, []) is LABELS
    assert accept_all(LABELS, proposals()) is LABELS
    assert accept_all(LABELS, props.filtered(min_existence=0.95)) is LABELS


def test_accept_one_and_all_add_new_lanes_with_their_slots() -> None:
    props = proposals(straight(1400, 950, 4), straight(1250, 900, None))
    one = accept_one(LABELS, props, 0)
    assert len(one) == 4 and one.by_slot()[4] == props.lanes[0].lane
    both = accept_all(LABELS, props)
    assert len(both) == 5 and both.lanes[:3] == LABELS.lanes
    with pytest.raises(IndexError, match="proposal 2"):
        accept_one(LABELS, props, 2)


def test_a_matching_lane_replaces_the_label_only_when_asked() -> None:
    moved = straight(705, 785, 3)  # the labelled slot-2 lane, 5 px right; the model calls it 3
    props = proposals(moved, straight(1400, 950, 4))
    assert matching_labels(LABELS, props) == {0: 1}
    kept = accept_all(LABELS, props)
    assert kept.lanes[:3] == LABELS.lanes and len(kept) == 4  # the match is skipped, not doubled
    assert accept_one(LABELS, props, 0) is LABELS
    replaced = accept_all(LABELS, props, replace_matching=True)
    assert len(replaced) == 4
    assert np.array_equal(replaced.lanes[1].points, moved.points)
    assert replaced.lanes[1].slot == 2  # the labelled lane keeps its slot
    far = proposals(straight(745, 825, 2))  # 45 px off: IoU < 0.5 at 30-px lines, no match
    assert matching_labels(LABELS, far) == {}


def test_a_taken_slot_is_not_stolen() -> None:
    props = proposals(straight(1450, 960, 3))  # slot 3 is labelled elsewhere (at x 1100)
    merged = accept_all(LABELS, props)
    assert merged.by_slot()[3] == LABELS.by_slot()[3]
    assert merged.lanes[-1].slot is None and np.array_equal(
        merged.lanes[-1].points, props.lanes[0].lane.points
    )


def test_accept_all_then_undo_restores_the_exact_labels(culane: Path) -> None:
    ds = open_dataset(culane)
    entry = ds.entries("train")[0]
    on_disk = ds.lines_path(entry).read_bytes()
    before = ds.read_lanes(entry)
    snapshot = [ln.points.copy() for ln in before]
    nudged = Lane(before.lanes[0].points + [4.0, 0.0], None)
    props = proposals(nudged, *(straight(x, x + 200, None) for x in (50, 1600)))
    after = accept_all(before, props, replace_matching=True)
    assert len(after) == len(before) + 2  # one lane replaced, two added
    assert np.array_equal(after.lanes[0].points, nudged.points)
    # The editor's undo swaps the frozen snapshot back: it must be untouched ...
    assert all(np.array_equal(a, ln.points) for a, ln in zip(snapshot, before, strict=True))
    # ... and writing it gives back the file byte for byte.
    ds.write_lanes(entry, after)
    assert ds.lines_path(entry).read_bytes() != on_disk
    ds.write_lanes(entry, before)
    assert ds.lines_path(entry).read_bytes() == on_disk
    assert format_lines_text(ds.read_lanes(entry)) == format_lines_text(before)
