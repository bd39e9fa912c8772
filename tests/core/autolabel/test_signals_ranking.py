"""Uncertainty signals and the review queue."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import hypergeom

from lgad_studio.core.autolabel import (
    ImageProposals,
    LaneProposal,
    clips,
    next_uncertain,
    review_queue,
)
from lgad_studio.core.autolabel.laneness import Laneness
from lgad_studio.core.autolabel.ranking import (
    hits_at_fraction,
    model_disagreement_scores,
    random_hits,
    temporal_scores,
)
from lgad_studio.core.autolabel.rows import x_at_rows
from lgad_studio.core.autolabel.signals import (
    existence_ambiguity,
    image_signals,
    label_disagreement,
    label_support,
    lane_disagreement,
    missing_lane,
    model_disagreement,
    temporal_jumps,
    uncertainty_of,
    unsupported_label,
    weak_lane,
)
from lgad_studio.core.lanes import Lane, LaneSet

ROWS = 589.0 - 20.0 * np.arange(18)


def lane(x: float, slot: int | None = None) -> Lane:
    return Lane(np.column_stack([x + 0.8 * (589 - ROWS), ROWS]), slot)


def image(exist, lanes=(), row_probs=None) -> ImageProposals:
    props = tuple(
        LaneProposal(ln, float(exist[(ln.slot or 1) - 1]), 0.8,
                     np.full(18, 0.8) if row_probs is None else row_probs[i])
        for i, ln in enumerate(lanes)
    )  # fmt: skip
    return ImageProposals("a.jpg", (1640, 590), props, exist, ROWS)


def test_existence_near_one_half_is_uncertain() -> None:
    assert existence_ambiguity(image([0.99, 0.01, 1.0, 0.0])) == pytest.approx(0.02)
    assert existence_ambiguity(image([0.99, 0.5, 1.0, 0.0])) == pytest.approx(1.0)
    assert existence_ambiguity(image([0.99, 0.75, 1.0, 0.0])) == pytest.approx(0.5)
    assert existence_ambiguity(image([np.nan] * 4)) == 0.0


def test_weak_lane_sees_low_and_patchy_lanes() -> None:
    solid = np.full(18, 0.9)
    patchy = solid.copy()
    patchy[4:12] = 0.1  # a gap in the middle: the rows are still inside the lane's span
    exist = [0.9, 0.9, 0.9, 0.9]
    assert weak_lane(image(exist, [lane(300, 1)], [solid])) == pytest.approx(0.1)
    assert weak_lane(image(exist, [lane(300, 1), lane(800, 2)], [solid, patchy])) == pytest.approx(
        1 - (10 * 0.9 + 8 * 0.1) / 18
    )
    assert weak_lane(
        image([0.9, 0.2, 0.9, 0.9], [lane(300, 1), lane(800, 2)], [solid, patchy])
    ) == pytest.approx(0.1)  # hidden lane ignored
    assert weak_lane(image(exist)) == 0.0


def test_lane_disagreement_is_the_metrics_soft_f1() -> None:
    a = LaneSet((lane(300, 1), lane(800, 2)))
    assert lane_disagreement(a, a) == 0.0
    assert lane_disagreement(LaneSet(), LaneSet()) == 0.0
    assert lane_disagreement(a, LaneSet()) == 1.0
    one = lane_disagreement(a, LaneSet((lane(300, 1),)))
    assert one == pytest.approx(1 - 2 / 3)  # one of two lanes missing
    shifted = lane_disagreement(a, LaneSet((lane(312, 1), lane(800, 2))))
    far = lane_disagreement(a, LaneSet((lane(360, 1), lane(800, 2))))
    assert 0 < shifted < far < 0.5 + 1e-9
    props = image([0.9, 0.9, 0.2, 0.2], [lane(300, 1), lane(800, 2), lane(1200, 3)])
    assert label_disagreement(props, a) == 0.0  # slot 3 is below the existence filter
    assert label_disagreement(props, a, min_existence=0.1) == pytest.approx(1 - 4 / 5)
    other = image([0.9, 0.9, 0.9, 0.2], [lane(300, 1), lane(800, 2), lane(1200, 3)])
    assert model_disagreement(props, other) == pytest.approx(1 - 4 / 5)
    scores = model_disagreement_scores({"a.jpg": props, "b.jpg": props}, {"a.jpg": other})
    assert scores == {"a.jpg": pytest.approx(1 - 4 / 5)}  # only the entries both runs have


def test_temporal_jumps_single_out_a_corrupted_frame() -> None:
    frames = [LaneSet((lane(300 + 2 * t, 1), lane(800 + 2 * t, 2))) for t in range(6)]
    frames[3] = LaneSet((lane(306 + 60, 1), lane(806, 2)))  # one lane shifted by 60 px
    jumps = temporal_jumps(frames)
    assert int(np.argmax(jumps)) == 3 and jumps[3] > 0.2
    assert max(jumps[:3] + jumps[4:]) < 0.1  # its neighbours keep one clean side
    assert temporal_jumps(frames[:1]) == [0.0]
    entries = [f"c/{t}.jpg" for t in range(6)]
    lookup = dict(zip(entries, frames, strict=True))
    assert temporal_scores(entries[::-1], lookup.__getitem__) == dict(
        zip(entries, jumps, strict=True)
    )


def ridge_field(lanes: LaneSet, value: float = 0.9) -> Laneness:
    """The lane-ness of a model that sees exactly ``lanes`` (a ridge 2 columns wide)."""
    wide = np.zeros((5, 288, 800), np.float32)
    wide[0] = 1.0
    cols = np.arange(800)
    for row in range(288):
        y = (row + 0.5) * 590 / 288 - 0.5
        for ln in lanes:
            c = (x_at_rows(ln.points, np.array([y]))[0] + 0.5) * 800 / 1640 - 0.5
            wide[0, row] = np.minimum(
                wide[0, row], 1 - value * np.exp(-0.5 * ((cols - c) / 2) ** 2)
            )
    return Laneness.from_wide(wide, (1640, 590))


def test_label_support_asks_whether_the_model_sees_a_lane_where_the_label_is() -> None:
    field = ridge_field(LaneSet((lane(300, 1), lane(800, 2))))
    good = LaneSet((lane(305, 1), lane(800, 2)))  # 5 px off: inside the 15-px window
    moved = LaneSet((lane(360, 1), lane(800, 2)))  # one lane 60 px off
    extra = LaneSet((lane(300, 1), lane(800, 2), lane(1300, 3)))
    assert label_support(field, good, ROWS) == pytest.approx([0.9, 0.9], abs=0.02)
    assert unsupported_label(field, good, ROWS) == pytest.approx(0.1, abs=0.02)
    assert unsupported_label(field, moved, ROWS) > 0.95
    assert unsupported_label(field, extra, ROWS) > 0.95
    assert unsupported_label(field, LaneSet(), ROWS) == 0.0
    props = image([0.9, 0.9, 0.1, 0.1], [lane(300, 1), lane(800, 2)])
    assert missing_lane(props, good) == 0.0
    assert missing_lane(props, LaneSet((lane(300, 1),))) == pytest.approx(0.9 * 0.8)


def test_image_signals_and_default_uncertainty() -> None:
    props = image([0.9, 0.6, 0.1, 0.1], [lane(300, 1), lane(800, 2)])
    signals = image_signals(props, None)
    assert set(signals) == {"existence", "weak_lane"}
    assert uncertainty_of(signals) == signals["weak_lane"]  # unlabelled: the weak-lane signal
    labelled = image_signals(props, LaneSet((lane(300, 1),)))
    assert set(labelled) == {"existence", "weak_lane", "label", "missing_lane"}
    assert uncertainty_of(labelled) == labelled["label"] == pytest.approx(1 - 2 / 3)
    field = ridge_field(LaneSet((lane(300, 1), lane(800, 2))))
    full = image_signals(props, LaneSet((lane(360, 1),)), field=field)
    assert uncertainty_of(full) == full["label_support"] > 0.95  # measured best: label support


def test_review_queue_order_next_and_clips() -> None:
    scores = {"b.jpg": 0.5, "a.jpg": 0.5, "c.jpg": 0.9, "d.jpg": float("nan"), "e.jpg": 0.1}
    queue = review_queue(scores)
    assert queue == ["c.jpg", "a.jpg", "b.jpg", "e.jpg", "d.jpg"]
    assert review_queue(scores, skip={"c.jpg"})[0] == "a.jpg"
    assert next_uncertain(queue, None) == "c.jpg"
    assert next_uncertain(queue, "a.jpg") == "b.jpg"
    assert next_uncertain(queue, "a.jpg", skip={"b.jpg"}) == "e.jpg"
    assert next_uncertain(queue, "d.jpg") is None
    grouped = clips(["/d/c1/10.jpg", "/d/c1/2.jpg", "d/c2/1.jpg", "/d/c1/1.jpg"])
    assert grouped == {
        "d/c1": ["/d/c1/1.jpg", "/d/c1/2.jpg", "/d/c1/10.jpg"],
        "d/c2": ["d/c2/1.jpg"],
    }


def test_measurement_arithmetic() -> None:
    queue = [f"{i}" for i in range(100)]
    assert hits_at_fraction(queue, {"0", "5", "50"}, 0.1) == 2
    mean, low, high = random_hits(400, 80, 40)
    assert mean == pytest.approx(8.0)
    dist = hypergeom(400, 80, 40)
    assert (low, high) == (dist.ppf(0.025), dist.ppf(0.975))
