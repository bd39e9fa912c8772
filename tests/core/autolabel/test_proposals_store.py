"""Proposals from predictions (same lanes as the decoder), the confidence filter, the sidecar store."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from lgad_studio.core.autolabel import (
    ImageProposals,
    LaneProposal,
    ProposalStore,
    RunInfo,
    StoreError,
)
from lgad_studio.core.autolabel.proposals import proposals_from_prediction
from lgad_studio.core.decode import decode_prob_map, lanes_from_profile, row_profile
from lgad_studio.core.formats.dataset import open_dataset
from lgad_studio.core.lanes import Lane
from lgad_studio.core.predictors import load_predictor


def test_row_profile_decodes_exactly_like_decode_prob_map() -> None:
    rng = np.random.default_rng(3)
    for _ in range(30):
        prob = rng.random((5, int(rng.integers(8, 90)), int(rng.integers(8, 400)))).astype(
            np.float32
        )
        prob /= prob.sum(axis=0)
        exist = rng.random(4)
        options = {"smooth_kernel": int(rng.choice([0, 9])), "crop_top": int(rng.integers(0, 100))}
        slots = tuple(s for s in range(1, 5) if exist[s - 1] > 0.5)
        ours = lanes_from_profile(row_profile(prob, slots=slots, **options), prob_threshold=0.21)
        theirs = decode_prob_map(prob, exist, prob_threshold=0.21, **options)
        assert [s for s, _ in ours] == [s for s, _ in theirs]
        for (_, a), (_, b) in zip(ours, theirs, strict=True):
            assert np.array_equal(a, b)


def test_proposals_hold_the_predictors_lanes_and_more(student: Path, culane: Path) -> None:
    ds = open_dataset(culane)
    predictor = load_predictor(student, device="cpu")
    below = 0
    for entry in ds.entries("train"):
        image = ds.read_image(entry)
        pred = predictor.predict(image)
        props = proposals_from_prediction(entry, pred.prob_map, pred.exist, image_size=(1640, 590))
        shown = props.lane_set()  # the default filter: the decoder's existence threshold
        assert [ln.slot for ln in shown] == [ln.slot for ln in pred.lanes]
        for ours, theirs in zip(shown, pred.lanes, strict=True):
            assert np.abs(ours.points - theirs.points).max() <= 0.005 + 1e-9  # 1/100 px
        assert np.allclose(props.exist, pred.exist, atol=5e-5)
        assert props.rows.tolist() == [589 - 20 * i for i in range(18)]
        for lane in props.lanes:
            kept = np.isin(props.rows, lane.lane.points[:, 1])
            # kept rows exceed 0.3 before rounding to 1e-4, so they may read 0.3 after it
            assert np.all(lane.row_probs[kept] >= 0.3) and np.all(lane.row_probs[~kept] <= 0.3)
            assert lane.mean_prob == pytest.approx(lane.row_probs[kept].mean(), abs=1e-4)
        below += sum(1 for p in props.lanes if p.existence < 0.5)
    assert below > 0  # lanes under the threshold are kept for the filter to reveal


def _image(entry: str = "a/1.jpg") -> ImageProposals:
    lanes = (
        LaneProposal(Lane([[100, 589], [140, 569]], 2), 0.9, 0.7, [0.7, 0.7, 0.1]),
        LaneProposal(Lane([[900, 589], [860, 569]], 3), 0.4, 0.35, [0.4, 0.3, 0.0]),
        LaneProposal(Lane([[1500, 589], [1400, 569]], 4), 0.8, 0.2, [0.2, 0.2, 0.2]),
    )
    exist = [0.1, 0.9, 0.4, 0.8]
    return ImageProposals(
        entry, (1640, 590), lanes, exist, [589, 569, 549], {"existence": 0.8}, 0.8
    )


def test_confidence_filter_needs_no_model_and_changes_nothing() -> None:
    props = _image()
    assert [p.slot for p in props.filtered().lanes] == [2, 4]
    assert [p.slot for p in props.filtered(min_existence=0.3).lanes] == [2, 3, 4]
    assert [p.slot for p in props.filtered(min_existence=0.0, min_mean_prob=0.3).lanes] == [2, 3]
    assert len(props) == 3  # the cached proposals stay whole
    assert [ln.slot for ln in props.lane_set(min_existence=0.85)] == [2]


def test_round_trip_through_json_is_exact() -> None:
    props = _image()
    again = ImageProposals.from_dict(json.loads(json.dumps(props.to_dict())))
    assert again.to_dict() == props.to_dict()
    assert again.lanes[0].lane == props.lanes[0].lane


def test_store_keeps_runs_apart_and_refuses_foreign_files(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite"
    with ProposalStore(path) as store:
        store.ensure_run(RunInfo("k1", "model", "fp1", "m.pt", {"a": 1}))
        store.ensure_run(RunInfo("k2", "model", "fp2", "n.pt", {"a": 1}))
        assert store.put("k1", [_image("a/1.jpg"), _image("a/2.jpg")]) == 2
        store.put("k2", [_image("a/1.jpg")])
        assert store.done_entries("k1") == {"a/1.jpg", "a/2.jpg"}
        assert store.done_entries("k2") == {"a/1.jpg"}
        assert store.uncertainties("k1") == {"a/1.jpg": 0.8, "a/2.jpg": 0.8}
        assert store.counts() == {"k1": 2, "k2": 1}
        assert store.get("k1", "a/3.jpg") is None
        with pytest.raises(sqlite3.IntegrityError):  # an unknown run: nothing of the batch lands
            store.put("nope", [_image("a/9.jpg")])
        store.delete_run("k2")
        assert [r.run_key for r in store.runs()] == ["k1"]
    with ProposalStore(path) as store:  # reopened: still there
        assert store.get("k1", "a/2.jpg").to_dict() == _image("a/2.jpg").to_dict()

    for name, content in (("notes.sqlite", b"plain text"), ("labels.txt", b"x")):
        foreign = tmp_path / name
        foreign.write_bytes(content)
        with pytest.raises(StoreError, match=name):
            ProposalStore(foreign)
        assert foreign.read_bytes() == content
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE t (x)")
    before = other.read_bytes()
    with pytest.raises(StoreError, match="not a proposals store"):
        ProposalStore(other)
    assert other.read_bytes() == before
    (tmp_path / "dir.sqlite").mkdir()
    with pytest.raises(StoreError, match="folder"):
        ProposalStore(tmp_path / "dir.sqlite")


def test_store_from_a_newer_studio_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite"
    ProposalStore(path).close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value = '99' WHERE key = 'version'")
    with pytest.raises(StoreError, match="newer"):
        ProposalStore(path)
