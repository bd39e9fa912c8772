"""The lane model: frozen lanes, slots, swaps, mirroring and the automatic slot rule."""

from __future__ import annotations

import numpy as np
import pytest

from lgad_studio.core.lanes import CULANE_SIZE, Lane, LaneSet, assign_slots, lane_direction

VANISH = (820.0, 250.0)


def converging(
    x_bottom: float, *, bottom: float = 589.0, vanish: tuple[float, float] = VANISH
) -> np.ndarray:
    """A straight lane from ``(x_bottom, bottom)`` towards the vanishing point, bottom-up."""
    ys = np.linspace(bottom, vanish[1] + 20, 12)
    t = (bottom - ys) / (bottom - vanish[1])
    return np.column_stack([x_bottom + t * (vanish[0] - x_bottom), ys])


def test_lane_points_are_read_only_float64_and_validated() -> None:
    lane = Lane([[1, 2], [3, 4]], slot=2)
    assert lane.points.dtype == np.float64 and lane.points.shape == (2, 2)
    with pytest.raises(ValueError):
        lane.points[0, 0] = 5
    with pytest.raises(ValueError, match=r"shape \(N, 2\)"):
        Lane([1, 2, 3])
    with pytest.raises(ValueError, match="slot must be 1..4"):
        Lane([[0, 0], [1, 1]], slot=5)
    assert Lane([]).points.shape == (0, 2)


def test_lane_equality_compares_points_and_slot() -> None:
    assert Lane([[1, 2], [3, 4]], 1) == Lane(np.array([[1.0, 2.0], [3.0, 4.0]]), 1)
    assert Lane([[1, 2], [3, 4]], 1) != Lane([[1, 2], [3, 4]], 2)
    assert Lane([[1, 2], [3, 4]]) != Lane([[1, 2], [3, 5]])


def test_x_at_interpolates_and_extrapolates() -> None:
    lane = Lane([[100, 500], [200, 400]])
    assert lane.x_at(450) == pytest.approx(150)
    assert lane.x_at(589) == pytest.approx(11)  # extrapolated below the lowest vertex
    assert lane.x_at(300) == pytest.approx(300)
    assert np.isnan(Lane([]).x_at(10))


def test_duplicate_slots_are_rejected() -> None:
    with pytest.raises(ValueError, match="share a slot"):
        LaneSet((Lane([[0, 0], [1, 1]], 2), Lane([[5, 0], [6, 1]], 2)))


def test_existence_by_slot_and_slot_order() -> None:
    a, b, c = Lane(converging(1500), 4), Lane(converging(300)), Lane(converging(600), 2)
    lanes = LaneSet((a, b, c))
    assert lanes.existence() == (0, 1, 0, 1)
    assert set(lanes.by_slot()) == {2, 4}
    assert lanes.in_slot_order() == (c, a, b)  # slotted by slot, then the unslotted one


def test_set_slot_swaps_with_the_previous_holder() -> None:
    lanes = LaneSet((Lane(converging(300), 1), Lane(converging(600), 2)))
    swapped = lanes.set_slot(0, 2)
    assert [ln.slot for ln in swapped] == [2, 1]
    cleared = swapped.set_slot(1, None)
    assert [ln.slot for ln in cleared] == [2, None]
    assert [ln.slot for ln in lanes] == [1, 2]  # the original is untouched (frozen)


def test_add_remove_replace() -> None:
    lanes = LaneSet((Lane(converging(300)),))
    lanes = lanes.add(Lane(converging(600)))
    assert len(lanes) == 2
    lanes = lanes.replace_lane(0, Lane(converging(200), 1))
    assert lanes[0].slot == 1
    assert len(lanes.remove(0)) == 1 and lanes.remove(0)[0] == lanes[1]


def test_mirrored_flips_x_and_slots() -> None:
    lanes = LaneSet(
        tuple(Lane(converging(x), s) for x, s in [(200, 1), (600, 2), (1000, 3), (1500, 4)])
    )
    flipped = lanes.mirrored()
    width = CULANE_SIZE[0]
    for before, after in zip(lanes, flipped, strict=True):
        assert after.slot == 5 - before.slot
        assert np.allclose(after.points[:, 0], width - 1 - before.points[:, 0])
        assert np.array_equal(after.points[:, 1], before.points[:, 1])
    twice = flipped.mirrored()
    assert [ln.slot for ln in twice] == [ln.slot for ln in lanes]
    assert all(np.allclose(a.points, b.points) for a, b in zip(twice, lanes, strict=True))
    # The automatic rule agrees with the flipped slots.
    assert [ln.slot for ln in flipped.with_auto_slots()] == [ln.slot for ln in flipped]


def test_scaled() -> None:
    lanes = LaneSet((Lane([[100, 500], [200, 300]], 2),))
    small = lanes.scaled(0.5, 0.25, (820, 148))
    assert small.image_size == (820, 148)
    assert np.array_equal(small[0].points, [[50, 125], [100, 75]])
    assert small[0].slot == 2


def test_auto_slots_on_converging_lanes() -> None:
    xs = [1500, 200, 1000, 600]  # any order in, slots by position out
    assert assign_slots([converging(x) for x in xs]) == [4, 1, 3, 2]


def test_auto_slots_uses_slope_not_only_the_image_centre() -> None:
    # The ego vehicle is off-centre: both ego lines lie right of the image centre at the
    # bottom, but the first leans right going up (a left line).
    left = converging(900, vanish=(1200, 250))
    right = converging(1500, vanish=(1200, 250))
    assert lane_direction(left) < 0 < lane_direction(right)
    assert assign_slots([left, right]) == [2, 3]


def test_auto_slots_near_vertical_lanes_fall_back_to_the_centre() -> None:
    ys = np.linspace(589, 300, 10)
    vertical_left = np.column_stack([np.full_like(ys, 700), ys])
    vertical_right = np.column_stack([np.full_like(ys, 1000), ys])
    assert assign_slots([vertical_right, vertical_left]) == [3, 2]


def test_more_than_four_lanes_keep_the_four_nearest_the_ego_vehicle() -> None:
    xs = [-600, 100, 550, 1100, 1550, 2300]
    slots = assign_slots([converging(x) for x in xs])
    assert slots == [None, 1, 2, 3, 4, None]
    lanes = LaneSet(tuple(Lane(converging(x)) for x in xs)).with_auto_slots()
    assert lanes.existence() == (1, 1, 1, 1)
    assert sum(ln.slot is None for ln in lanes) == 2


def test_lanes_with_fewer_than_two_finite_points_get_no_slot() -> None:
    one_point = np.array([[700.0, 580.0]])
    with_nan = np.array([[np.nan, 580.0], [900.0, np.inf], [800.0, 400.0]])
    assert assign_slots([one_point, with_nan, converging(400)]) == [None, None, 2]
    assert assign_slots([]) == []


def test_auto_slots_three_lanes_on_one_side() -> None:
    xs = [-300, 200, 600]  # three left lanes: the one farthest from the ego vehicle loses
    assert assign_slots([converging(x) for x in xs]) == [None, 1, 2]
