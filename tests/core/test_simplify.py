"""Control points for dense lanes: the evaluator spline stays within the tolerance, checked
exactly (shapely point-to-polyline distances), and untouched lanes are written back byte for byte."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from lgad_studio.core.formats.culane_lines import format_lines_text, parse_lines_text
from lgad_studio.core.geometry import finite_points, spline_points
from lgad_studio.core.lanes import Lane, LaneSet
from lgad_studio.core.simplify import simplify_lane, spline_deviation


def exact_deviation(a: np.ndarray, b: np.ndarray) -> float:
    """Symmetric distance between the evaluator polylines of two lanes, exact (shapely)."""
    ca = finite_points(spline_points(a).astype(np.float64))
    cb = finite_points(spline_points(b).astype(np.float64))
    la, lb = shapely.LineString(ca), shapely.LineString(cb)
    return float(
        max(
            shapely.distance(shapely.points(ca), lb).max(),
            shapely.distance(shapely.points(cb), la).max(),
        )
    )


def dense_lane(fn, top: float = 260.0) -> np.ndarray:
    """A CULane-style lane: one vertex every 10 rows from the bottom up."""
    ys = np.arange(589.0, top, -10.0)
    return np.stack([fn(ys), ys], axis=1).round(3)


def test_a_straight_dense_lane_needs_its_two_ends() -> None:
    lane = dense_lane(lambda y: 300 + 0.9 * (589 - y))
    result = simplify_lane(lane)
    assert len(lane) == 33 and len(result.points) == 2
    assert result.indices == (0, 32)
    assert exact_deviation(lane, result.points) <= 1.0


@pytest.mark.parametrize("tolerance", [0.25, 0.5, 1.0, 2.0])
def test_a_curved_lane_keeps_few_of_its_own_vertices_within_the_tolerance(tolerance) -> None:
    lane = dense_lane(lambda y: 800 + 0.004 * (589 - y) ** 2 - 0.6 * (589 - y))
    result = simplify_lane(lane, tolerance_px=tolerance)
    assert 3 <= len(result.points) <= 8
    np.testing.assert_array_equal(result.points, lane[list(result.indices)])  # unmoved vertices
    assert result.indices[0] == 0 and result.indices[-1] == len(lane) - 1
    exact = exact_deviation(lane, result.points)
    assert exact <= tolerance
    assert exact <= result.deviation_px <= exact + 0.06  # the estimate is conservative


def test_a_tighter_tolerance_never_needs_fewer_points() -> None:
    lane = dense_lane(lambda y: 700 + 40 * np.sin((589 - y) / 60.0))
    counts = [len(simplify_lane(lane, tolerance_px=t).points) for t in (4.0, 1.0, 0.25)]
    assert counts == sorted(counts) and counts[0] < counts[-1]


def test_short_or_degenerate_lanes_come_back_unchanged() -> None:
    two = np.array([[1.0, 2.0], [3.0, 4.0]])
    assert simplify_lane(two).points.tolist() == two.tolist()
    repeated = np.array([[1.0, 2.0], [1.0, 2.0], [5.0, 9.0]])
    assert simplify_lane(repeated).points.tolist() == repeated.tolist()
    assert spline_deviation(two, two) == 0.0


def test_untouched_lanes_keep_their_file_line_and_edited_ones_are_formatted() -> None:
    text = "10.500 590 20.25 580 \n1400 590 1300.0 500\n"
    lanes = parse_lines_text(text)
    from lgad_studio.core.formats.culane_lines import parse_lines_records

    records = parse_lines_records(text)
    lane_set = LaneSet(tuple(Lane(p, source=s) for p, s in records)).with_auto_slots()
    assert format_lines_text(lane_set) == text  # byte for byte, odd number formats included
    edited = lane_set.replace_lane(1, lane_set[1].with_points(lanes[1] + 1))
    assert edited[1].source is None and edited[0].source is not None
    assert format_lines_text(edited) == "10.500 590 20.25 580 \n1401 591 1301 501\n"
    assert lane_set[0].with_slot(None).source == lane_set[0].source  # a slot is not a point


def test_simplify_then_save_every_lane_of_the_demo_set(tmp_path) -> None:
    """The issue's proof: over a generated demo set, (1) every lane simplified and saved keeps
    its evaluator spline within 1 px of the original's, and (2) editing one lane of an image
    and saving leaves every other lane's line of its .lines.txt byte-identical."""
    from lgad_studio.core.demo.dataset import generate_demo_dataset
    from lgad_studio.core.formats.dataset import open_dataset

    root = tmp_path / "demo"
    generate_demo_dataset(root, train=20, val=5, test=9, seed=11)
    dataset = open_dataset(root)
    entries = [e for split in ("train", "val", "test") for e in dataset.entries(split)]
    checked = edited_files = 0
    for entry in entries:
        path = dataset.lines_path(entry)
        original_lines = path.read_bytes().splitlines(keepends=True)
        lanes = dataset.read_lanes(entry)
        if not len(lanes):
            continue
        # (2) one lane edited through its control points; the others untouched.
        first = lanes.in_slot_order()[0]
        index = next(i for i, lane in enumerate(lanes) if lane is first)
        simplified = simplify_lane(first.points, tolerance_px=1.0).points
        dataset.write_lanes(entry, lanes.replace_lane(index, first.with_points(simplified)))
        written = path.read_bytes().splitlines(keepends=True)
        assert written[1:] == original_lines[1:], entry  # untouched lanes byte-identical
        assert written[0] != original_lines[0] or len(simplified) == len(first)
        edited_files += 1
        # (1) every lane simplified, saved, read back: within the tolerance of the original.
        everything = LaneSet(
            tuple(lane.with_points(simplify_lane(lane.points).points) for lane in lanes),
            image_size=lanes.image_size,
        )
        dataset.write_lanes(entry, everything)
        back = dataset.read_lanes(entry)
        assert len(back) == len(lanes)
        originals = {lane.slot: lane.points for lane in lanes}
        for lane in back:
            assert len(lane) < len(originals[lane.slot]) or len(lane) <= 3
            assert exact_deviation(originals[lane.slot], lane.points) <= 1.0, (entry, lane.slot)
            checked += 1
    assert edited_files >= 25 and checked >= 60
