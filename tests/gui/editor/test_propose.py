"""Propose lanes (P) with a real (tiny) student or a model with known answers: shown dashed,
merged into the labels in one undo step."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt

sys.path.insert(0, str(Path(__file__).parents[1]))
from review_models import PaintedModel  # noqa: E402

from lgad_studio.core.autolabel.proposals import proposals_from_prediction  # noqa: E402
from lgad_studio.core.inference import LanePredictor  # noqa: E402
from lgad_studio.core.lanes import Lane, LaneSet  # noqa: E402
from lgad_studio.gui.editor.items import LaneItem  # noqa: E402


def test_a_real_student_proposes_what_its_predictor_predicts(
    make_window, demo_root, driver, student_checkpoint, qtbot
) -> None:
    window = make_window(demo_root)
    panel = window.label_panel
    document = panel.document
    before = document.lanes
    panel.proposals.set_checkpoint(student_checkpoint)
    assert not panel.actions["accept_proposal"].isEnabled()
    with qtbot.waitSignal(panel.proposals.proposal_ready, timeout=60_000):
        driver(panel.canvas).key(Qt.Key.Key_P)
    expected = LanePredictor.from_checkpoint(student_checkpoint, device="cpu").predict(panel.image)
    assert document.lanes == before  # not labels until accepted
    decoded = expected.lanes.lanes  # the decoder's lanes: existence above 0.5
    if decoded:
        shown = document.proposal.lanes
        assert [ln.slot for ln in shown] == [ln.slot for ln in decoded]
        for lane, want in zip(shown, decoded, strict=True):  # x is stored to 1/100 px
            assert np.abs(lane.points - want.points).max() <= 0.005 + 1e-9
        assert "proposed lane" in panel.messages.text
    else:  # a two-step student often finds nothing above 0.5: then nothing is shown
        assert document.proposal is None or len(document.proposal) == 0
        assert "unchanged" in panel.messages.text
    dashed = [i for i in panel.canvas.items() if isinstance(i, LaneItem) and i.proposed]
    assert len(dashed) == len(decoded)
    assert panel.actions["accept_proposal"].isEnabled() == bool(decoded)


def test_propose_accept_undo_and_discard(
    make_window, demo_root, driver, qtbot, monkeypatch, tmp_path
) -> None:
    from lgad_studio.core import inference

    edges = LaneSet((Lane([[15, 589], [60, 260]], 1), Lane([[1625, 589], [1580, 260]], 4)))
    model = PaintedModel(edges)
    loads: list[object] = []

    def from_checkpoint(cls, path, **kwargs):
        loads.append(path)
        return model

    monkeypatch.setattr(inference.LanePredictor, "from_checkpoint", classmethod(from_checkpoint))
    window = make_window(demo_root)
    panel = window.label_panel
    document = panel.document
    before = document.lanes
    panel.proposals.set_checkpoint(tmp_path / "student.pt")
    with qtbot.waitSignal(panel.proposals.proposal_ready, timeout=60_000):
        driver(panel.canvas).key(Qt.Key.Key_P)
    prediction = model.predict(panel.image)
    size = (panel.image.shape[1], panel.image.shape[0])
    expected = proposals_from_prediction(
        document.entry, prediction.prob_map, prediction.exist, image_size=size
    ).lane_set()
    assert len(expected) == 2 and document.proposal.lanes == expected.lanes
    assert document.lanes == before
    assert panel.actions["accept_proposal"].isEnabled()
    assert "2 proposed lanes" in panel.messages.text

    driver(panel.canvas).key(Qt.Key.Key_Return)  # accept all: the labelled lanes stay
    assert document.lanes.lanes[: len(before)] == before.lanes
    assert [ln.points.tolist() for ln in document.lanes.lanes[len(before) :]] == [
        ln.points.tolist() for ln in expected
    ]
    assert document.undo_stack.undoText() == "Accept 2 proposed lanes"
    assert "Accepted 2 proposed lanes" in panel.messages.text
    assert len(document.proposal) == 0 and not panel.actions["accept_proposal"].isEnabled()
    driver(panel.canvas).key(Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert document.lanes == before and len(document.proposal) == 2

    with qtbot.waitSignal(panel.proposals.proposal_ready, timeout=60_000):
        panel.actions["propose"].trigger()
    assert len(loads) == 1  # the predictor is reused
    driver(panel.canvas).key(Qt.Key.Key_Escape)  # discard
    assert document.proposal is None and document.lanes == before


def test_a_foreign_checkpoint_is_reported_in_the_window(
    make_window, demo_root, tmp_path, qtbot
) -> None:
    window = make_window(demo_root)
    panel = window.label_panel
    bogus = tmp_path / "notes.pt"
    bogus.write_text("not a checkpoint")
    panel.proposals.set_checkpoint(bogus)
    job = panel.proposals.propose()
    with qtbot.waitSignal(job.errored, timeout=60_000):
        pass
    text = panel.messages.text
    assert (
        "Propose lanes failed" in text
        and str(bogus) in text
        and "not an LGAD Studio checkpoint" in text
    )
    assert panel.document.proposal is None


def test_proposed_lanes_are_drawn_dashed_until_enter_makes_them_editable(
    make_window, demo_root, driver
) -> None:
    # What the job delivers goes through the same document call as this set proposal.
    window = make_window(demo_root)
    panel = window.label_panel
    document = panel.document
    before = len(document.lanes)
    proposal = LaneSet(
        (Lane([[300, 200], [800, 60]], 2), Lane([[1000, 60], [1500, 200]], 3)),
        image_size=document.lanes.image_size,
    )
    document.set_proposal(proposal)
    items = [i for i in panel.canvas.items() if isinstance(i, LaneItem)]
    dashed = [i for i in items if i.proposed]
    assert len(dashed) == 2 and all(i.pen().style() == Qt.PenStyle.DashLine for i in dashed)
    assert {i.slot for i in dashed} == {2, 3}
    driver(panel.canvas).key(Qt.Key.Key_Return)
    added = document.lanes.lanes[before:]
    assert [ln.points.tolist() for ln in added] == [ln.points.tolist() for ln in proposal]
    assert len(document.proposal) == 0  # accepted: lanes now, no longer dashed
    assert not [i for i in panel.canvas.items() if isinstance(i, LaneItem) and i.proposed]
    panel.canvas.select_lane(before)
    driver(panel.canvas).key(Qt.Key.Key_Delete)  # an ordinary lane now: deletable
    assert len(document.lanes) == before + 1
