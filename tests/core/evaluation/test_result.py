"""The Evaluate tab's job and its result: bounded memory, details on demand, files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from lgad_studio.core.errors import StudioError
from lgad_studio.core.evaluation.job import evaluate_checkpoints
from lgad_studio.core.evaluation.packed import PackedLanesBuilder
from lgad_studio.core.evaluation.result import EvaluationResult
from lgad_studio.core.evaluation.store import ProbMapStore
from lgad_studio.core.evaluation.view import image_view
from lgad_studio.core.lanes import Lane, LaneSet
from lgad_studio.core.metrics import evaluate_culane


def _run(job):
    events = []
    while True:
        try:
            events.append(next(job))
        except StopIteration as stop:
            return events, stop.value


def test_packed_lanes_give_back_every_lane() -> None:
    builder = PackedLanesBuilder()
    builder._FLUSH = 3  # several chunks
    sets = [
        LaneSet((Lane([[1.5, 2.0], [3.0, 4.0]], 2), Lane([[5.0, 6.0]], None)), image_size=(9, 9)),
        LaneSet((), image_size=(9, 9)),
        LaneSet(tuple(Lane([[k, 1.0], [k, 2.0], [k, 3.0]], k) for k in (1, 3, 4))),
    ]
    for lanes in sets:
        builder.append(lanes)
    packed = builder.build()
    assert len(packed) == 3
    for k, lanes in enumerate(sets):
        back = packed.lane_set(k, image_size=lanes.image_size)
        assert back == LaneSet(lanes.lanes, image_size=lanes.image_size)


def test_the_job_keeps_counts_and_lanes_and_a_bounded_store(
    demo_root: Path, constant_checkpoint: Path, tmp_path: Path
) -> None:
    store = ProbMapStore(budget_bytes=3 * 24 * 64)  # three 64x24 maps, not nine
    events, result = _run(
        evaluate_checkpoints(
            demo_root,
            "test",
            [constant_checkpoint, constant_checkpoint],
            device="cpu",
            store=store,
            batch_size=2,
            threads=1,
        )  # fmt: skip
    )
    assert events[0].done == 0 and events[-1].done == events[-1].total == 9
    assert len(store) == 3 and store.nbytes <= store.budget_bytes
    first = result.checkpoints[0]
    assert first.image(result.entries[0]).lane_prob is None  # dropped, recomputed on demand
    # The pooled table is the metric's own output on the same pairs.
    dataset = result.dataset
    pairs = {}
    for k, entry in enumerate(result.entries):
        det = result.lanes[0].lane_points(k)
        pairs[entry] = ([ln.points for ln in dataset.read_lanes(entry)], det)
    expected = evaluate_culane(pairs, workers=1)
    total = first.by_category()["total"]
    assert (total.tp, total.fp, total.fn) == (expected.tp, expected.fp, expected.fn)
    assert list(first.by_category())[:2] == ["normal", "crowd"]
    image = first.images[3]
    assert image.result.counts == image.counts == tuple(expected.per_image_counts()[image.entry])
    # An image's view recomputes a map the store no longer has, identical to the job's.
    kept = next(e for e in result.entries if first.image(e).lane_prob is not None)
    stored = first.image(kept).lane_prob.copy()
    result.store = ProbMapStore(budget_bytes=0)  # keeps nothing
    view = image_view(result, 0, kept, predictors={})
    assert view.lane_prob is not None and np.array_equal(view.lane_prob, stored)
    assert view.result.counts == first.image(kept).counts and view.image.shape == (590, 1640, 3)


def test_a_result_survives_save_and_load_and_foreign_files_are_named(
    demo_root: Path, constant_checkpoint: Path, tmp_path: Path
) -> None:
    _, result = _run(
        evaluate_checkpoints(demo_root, "test", [constant_checkpoint], device="cpu", threads=1)
    )
    path = result.save(tmp_path / "eval.npz")
    back = EvaluationResult.load(path)
    assert back.entries == result.entries and back.split == "test"
    assert back.infos == result.infos
    assert np.array_equal(back.counts[0], result.counts[0])

    def table(r):
        return {k: (v.tp, v.fp, v.fn) for k, v in r.checkpoints[0].by_category().items()}

    assert table(back) == table(result)
    assert back.categories() == result.categories()
    entry = result.entries[5]
    assert (
        back.checkpoints[0].image(entry).result.counts == result.checkpoints[0].image(entry).counts
    )
    foreign = tmp_path / "foreign.npz"
    np.savez(foreign, x=np.zeros(3))
    with pytest.raises(StudioError, match="not an LGAD Studio evaluation result"):
        EvaluationResult.load(foreign)
    with pytest.raises(StudioError, match="no such evaluation result"):
        EvaluationResult.load(tmp_path / "missing.npz")


def test_the_evaluate_checkpoints_command_prints_the_table_and_saves_the_result(
    demo_root: Path, constant_checkpoint: Path, tmp_path: Path, capsys
) -> None:
    from lgad_studio.cli import main

    out = tmp_path / "eval.npz"
    assert main(["evaluate", "checkpoints", "--data", str(demo_root), "--checkpoints",
                 str(constant_checkpoint), "--device", "cpu", "--threads", "1",
                 "--save", str(out)]) == 0  # fmt: skip
    printed = capsys.readouterr().out
    result = EvaluationResult.load(out)
    total = result.checkpoints[0].by_category()["total"]
    assert (
        "9 images of test" in printed
        and f"baseline · {constant_checkpoint.parent.name}/student" in printed
    )
    line = next(ln for ln in printed.splitlines() if ln.startswith("total"))
    assert line.split()[1:4] == [str(total.tp), str(total.fp), str(total.fn)]
    assert [ln.split()[0] for ln in printed.splitlines()[4:13]] == [
        "normal", "crowd", "hlight", "shadow", "noline", "arrow", "curve", "cross", "night",
    ]  # fmt: skip
