"""Propose lanes with a real (tiny) student checkpoint: shown dashed, accepted in one undo step."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from PySide6.QtCore import Qt

from lgad_studio.core.inference import LanePredictor
from lgad_studio.core.lanes import Lane, LaneSet
from lgad_studio.gui.editor.items import LaneItem


@pytest.fixture(scope="session")
def student_checkpoint(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A baseline student trained for two steps at 64x24 on the tiny demo (seconds on CPU)."""
    from lgad_studio.core.training import StudentConfig, distill

    torch.set_num_threads(1)
    out = tmp_path_factory.mktemp("student")
    config = StudentConfig(
        data=str(demo_template), out=str(out), mode="none", width=0.25, input_size=(64, 24),
        batch_size=2, epochs=1, steps_per_epoch=2, val_limit=0, threads=1, device="cpu",
        preview_interval_s=0.0,
    )  # fmt: skip
    finished = list(distill(config))[-1]
    return finished.last_checkpoint


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
    if len(expected.lanes):
        assert document.proposal.lanes == expected.lanes.lanes
        assert "proposed lane" in panel.messages.text
    else:  # a two-step student often finds nothing: then there is nothing to accept
        assert document.proposal is None and "found no lanes" in panel.messages.text
    dashed = [i for i in panel.canvas.items() if isinstance(i, LaneItem) and i.proposed]
    assert len(dashed) == len(expected.lanes)
    assert panel.actions["accept_proposal"].isEnabled() == bool(len(expected.lanes))


def test_propose_accept_undo_and_discard(
    make_window, demo_root, driver, qtbot, monkeypatch, tmp_path
) -> None:
    # The job as it runs, with a predictor that proposes two fixed lanes.
    from types import SimpleNamespace

    from lgad_studio.core import inference

    loads: list[object] = []

    class TwoLanes:
        def predict(self, image):
            lanes = (Lane([[400, 589], [700, 330]]), Lane([[1250, 589], [950, 330]]))
            return SimpleNamespace(lanes=LaneSet(lanes).with_auto_slots())

    def from_checkpoint(cls, path, **kwargs):
        loads.append(path)
        return TwoLanes()

    monkeypatch.setattr(inference.LanePredictor, "from_checkpoint", classmethod(from_checkpoint))
    window = make_window(demo_root)
    panel = window.label_panel
    document = panel.document
    before = document.lanes
    panel.proposals.set_checkpoint(tmp_path / "student.pt")
    with qtbot.waitSignal(panel.proposals.proposal_ready, timeout=60_000):
        driver(panel.canvas).key(Qt.Key.Key_P)
    expected = TwoLanes().predict(None).lanes
    assert document.proposal.lanes == expected.lanes and document.lanes == before
    assert panel.actions["accept_proposal"].isEnabled()
    assert f"replacing this image's {len(before)} lanes" in panel.messages.text

    driver(panel.canvas).key(Qt.Key.Key_Return)  # accept
    assert document.proposal is None and document.lanes.lanes == expected.lanes
    assert document.undo_stack.undoText() == "Accept proposed lanes"
    assert "Accepted 2 proposed lane(s)" in panel.messages.text
    driver(panel.canvas).key(Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert document.lanes == before

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
    # A two-step student proposes few or no lanes, so the drawing is checked with a set
    # proposal too: what the job delivers goes through the same document call.
    window = make_window(demo_root)
    panel = window.label_panel
    document = panel.document
    proposal = LaneSet(
        (Lane([[400, 589], [700, 330]], 2), Lane([[1250, 589], [950, 330]], 3)),
        image_size=document.lanes.image_size,
    )
    document.set_proposal(proposal)
    items = [i for i in panel.canvas.items() if isinstance(i, LaneItem)]
    dashed = [i for i in items if i.proposed]
    assert len(dashed) == 2 and all(i.pen().style() == Qt.PenStyle.DashLine for i in dashed)
    assert {i.slot for i in dashed} == {2, 3}
    driver(panel.canvas).key(Qt.Key.Key_Return)
    assert document.lanes.lanes == proposal.lanes and document.proposal is None
    panel.canvas.select_lane(0)
    driver(panel.canvas).key(Qt.Key.Key_Delete)  # an ordinary lane now: deletable
    assert len(document.lanes) == 1
