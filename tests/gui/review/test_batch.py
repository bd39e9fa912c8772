"""Batch auto-label from the studio (issue 12, item 1): a background job with progress, ETA,
cancel and resume, into the sidecar only; with a real checkpoint and with its ONNX export."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

sys.path.insert(0, str(Path(__file__).parents[1]))
from review_models import PaintedModel  # noqa: E402

from lgad_studio.core import predictors  # noqa: E402
from lgad_studio.core.autolabel import AutolabelSettings, ProposalStore, autolabel  # noqa: E402
from lgad_studio.core.autolabel.store import default_store_path  # noqa: E402
from lgad_studio.core.formats.dataset import open_dataset  # noqa: E402
from lgad_studio.core.lanes import Lane, LaneSet  # noqa: E402
from lgad_studio.gui.jobs import JobState  # noqa: E402
from lgad_studio.gui.review.batch import BatchRequest  # noqa: E402

EDGES = LaneSet((Lane([[15, 589], [60, 260]], 1), Lane([[1625, 589], [1580, 260]], 4)))


def _label_bytes(root: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def painted(monkeypatch) -> PaintedModel:
    """load_predictor gives a model that waits for the test before each image."""
    model = PaintedModel(EDGES, exist=(0.9, 0.3, 0.3, 0.8), gate=threading.Semaphore(0))
    monkeypatch.setattr(predictors, "load_predictor", lambda path, **kw: model)
    return model


def test_a_batch_runs_in_the_background_cancels_and_resumes_to_the_same_proposals(
    make_window, demo_root, painted, qtbot, tmp_path
) -> None:
    files_before = _label_bytes(demo_root)
    window = make_window(demo_root)
    panel = window.label_panel
    review = panel.review
    test = open_dataset(demo_root).entries("test")
    request = BatchRequest(tmp_path / "student.pt", "split", split="test", batch_size=2)
    job = review.start_batch(request)
    assert job is not None and job.lane == "autolabel"
    painted.gate.release(4)  # two batches
    qtbot.waitUntil(
        lambda: review.batch.state.last is not None and review.batch.state.last.done >= 4,
        timeout=30_000,
    )
    bar = review.bar
    assert bar.progress.isVisible() and bar.cancel_button.isVisible()
    assert "img/s" in bar.status_label.text() and "ETA" in bar.status_label.text()
    assert bar.progress.maximum() == len(test)
    panel.canvas.setFocus()  # the window works while the batch runs
    qtbot.keyClick(panel.canvas, Qt.Key.Key_D)
    assert panel.document.entry != window.dataset.entries("train")[0]
    qtbot.mouseClick(bar.cancel_button, Qt.MouseButton.LeftButton)
    painted.gate.release(2)  # the batch in work finishes; no other starts
    with qtbot.waitSignal(job.ended, timeout=30_000):
        pass
    assert job.state is JobState.CANCELLED
    store_path = default_store_path(demo_root)
    with ProposalStore(store_path) as store:
        (run,) = store.runs()
        done = store.done_entries(run.run_key)
    assert 4 <= len(done) < len(test) and len(done) % 2 == 0
    assert bar.resume_button.isVisible() and "cancelled" in bar.status_label.text()
    assert "they are kept" in panel.messages.text

    painted.gate.release(100)
    with qtbot.waitSignal(review.batch.ended, timeout=30_000):
        qtbot.mouseClick(bar.resume_button, Qt.MouseButton.LeftButton)
    assert review.batch.state.summary.skipped == len(done)
    assert "Auto-label done" in panel.messages.text
    with ProposalStore(store_path) as store:
        resumed = store.load(run.run_key)
    assert sorted(resumed) == sorted(test)

    # The same run uninterrupted, straight from core: the same proposals, field by field.
    reference = tmp_path / "reference.sqlite"
    plain = PaintedModel(EDGES, exist=(0.9, 0.3, 0.3, 0.8), name="painted")
    summary = None
    job_gen = autolabel(
        plain, open_dataset(demo_root), test, reference, settings=AutolabelSettings(batch_size=2)
    )
    while summary is None:
        try:
            next(job_gen)
        except StopIteration as stop:
            summary = stop.value
    with ProposalStore(reference) as store:
        expected = store.load(summary.run_key)
    assert summary.run_key == run.run_key
    assert {e: p.to_dict() for e, p in resumed.items()} == {
        e: p.to_dict() for e, p in expected.items()
    }
    after = _label_bytes(demo_root)
    assert {k: v for k, v in after.items() if "/.lgad/" not in k} == files_before  # no label


def test_finished_batch_shows_its_proposals_and_orders_the_queue(
    make_window, demo_root, painted, qtbot, tmp_path
) -> None:
    window = make_window(demo_root)
    panel = window.label_panel
    entry = panel.document.entry
    painted.gate.release(100)
    request = BatchRequest(tmp_path / "student.pt", "image", entries=(entry,))
    with qtbot.waitSignal(panel.review.batch.ended, timeout=30_000):
        panel.review.start_batch(request)
    shown = panel.document.shown_proposals()
    assert [p.slot for p in shown] == [1, 4]  # existence 0.9 and 0.8; slots 2-3 (0.3) filtered
    assert {p.slot for p in panel.document.proposals.lanes} >= {1, 4}
    assert panel.review.bar.run_box.currentText().startswith("student.pt · 1 images")
    assert panel.browser.model.scores.keys() == {entry}
    assert painted.calls == [1]


def test_the_dialog_takes_the_browser_selection_and_only_unlabelled(
    make_window, demo_root, painted, qtbot, dialogs, tmp_path
) -> None:
    model_file = tmp_path / "student.pt"
    model_file.write_bytes(b"replaced by the painted model")
    (demo_root / open_dataset(demo_root).entries("test")[1]).with_suffix(".lines.txt").unlink()
    window = make_window(demo_root)
    panel = window.label_panel
    browser = panel.browser
    browser.split_box.setCurrentText("test")
    view = browser.view
    for row in (1, 2, 4):
        rect = view.visualRect(browser.model.index(row))
        qtbot.mouseClick(
            view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier,
            rect.center(),
        )  # fmt: skip
    selected = browser.selected_entries()  # Ctrl adds to the row that was current
    assert selected == [browser.model.entries[r] for r in (0, 1, 2, 4)]

    def fill(dialog) -> None:
        assert dialog.scope() == "selection"  # the default with several rows selected
        dialog.model.setText(str(model_file))
        dialog.only_unlabelled.setChecked(True)

    painted.gate.release(100)
    dialogs.answer("Start", before=fill)
    with qtbot.waitSignal(panel.review.batch.ended, timeout=30_000):
        job = panel.review.open_batch_dialog()
        assert job is not None
    assert dialogs.seen == ["Auto-label images — LGAD Studio"]
    assert panel.proposals.checkpoint == model_file  # the Model menu's model from now on
    assert painted.calls == [1]  # only the selected image without labels
    with ProposalStore(default_store_path(demo_root)) as store:
        (run,) = store.runs()
        assert store.done_entries(run.run_key) == {browser.model.entries[1]}


@pytest.mark.parametrize("export", [False, True], ids=["checkpoint", "onnx"])
def test_a_real_student_or_its_onnx_export_labels_the_shown_image(
    make_window, demo_root, student_checkpoint, qtbot, tmp_path, export
) -> None:
    from lgad_studio.core.autolabel.proposals import proposals_from_prediction

    model = student_checkpoint
    if export:
        pytest.importorskip("onnxruntime")
        from lgad_studio.core.export import export_onnx

        model = export_onnx(student_checkpoint, tmp_path / "student.onnx")
    window = make_window(demo_root)
    panel = window.label_panel
    entry = panel.document.entry
    with qtbot.waitSignal(panel.review.batch.ended, timeout=120_000):
        panel.review.start_batch(BatchRequest(Path(model), "image", entries=(entry,)))
    assert panel.review.batch.state.job.error is None
    predictor = predictors.load_predictor(model, device="cpu")
    prediction = predictor.predict(panel.image)
    size = (panel.image.shape[1], panel.image.shape[0])
    expected = proposals_from_prediction(
        entry, prediction.prob_map, prediction.exist, image_size=size
    )
    stored = panel.document.proposals
    assert stored is not None and len(stored) == len(expected)
    for got, want in zip(stored.lanes, expected.lanes, strict=True):
        assert got.slot == want.slot and got.existence == pytest.approx(want.existence, abs=1e-4)
        assert abs(got.lane.points - want.lane.points).max() <= 0.011
