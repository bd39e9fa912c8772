"""The batch auto-label job and its CLI: sidecar only, scope, cancel and resume, fingerprints."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import pytest

from lgad_studio.cli import main
from lgad_studio.core.autolabel import (
    AutolabelProgress,
    AutolabelSettings,
    ProposalStore,
    autolabel,
    default_store_path,
    unlabelled_entries,
)
from lgad_studio.core.autolabel.labels_digest import lanes_sha
from lgad_studio.core.formats.dataset import open_dataset
from lgad_studio.core.predictors import load_predictor


def snapshot(root: Path) -> dict[str, str]:
    """sha256 of every file under ``root`` by relative path."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def drive(job) -> tuple[list, object]:
    events = []
    while True:
        try:
            events.append(next(job))
        except StopIteration as stop:
            return events, stop.value


def all_entries(ds) -> list[str]:
    return list(dict.fromkeys(e for s in ds.split_names() for e in ds.entries(s)))


def as_dicts(store_path: Path, run_key: str) -> dict[str, dict]:
    with ProposalStore(store_path) as store:
        return {e: p.to_dict() for e, p in store.load(run_key).items()}


def test_autolabel_writes_only_its_sidecar(student: Path, culane: Path) -> None:
    ds = open_dataset(culane)
    before = snapshot(culane)
    store_path = default_store_path(culane)
    predictor = load_predictor(student, device="cpu")
    events, summary = drive(autolabel(predictor, ds, all_entries(ds), store_path))
    after = snapshot(culane)
    new = sorted(set(after) - set(before))
    assert {k: after[k] for k in before} == before  # every label, list, mask, image untouched
    assert new and all(path.startswith(".lgad/proposals.sqlite") for path in new)
    assert summary.written == len(all_entries(ds)) == events[-1].done == events[-1].total
    with ProposalStore(store_path) as store:
        stored = store.load(summary.run_key)
    assert sorted(stored) == sorted(all_entries(ds))
    some = stored[ds.entries("train")[0]]
    assert some.image_size == (1640, 590) and len(some.exist) == 4
    assert any(len(p) for p in stored.values())  # the fixture model does propose lanes
    assert set(some.signals) == {"existence", "weak_lane", "label", "missing_lane", "label_support"}
    assert some.uncertainty == some.signals["label_support"]  # labelled: the measured best
    assert some.labels_sha == lanes_sha(ds.read_lanes(ds.entries("train")[0]))  # which labels


def test_out_path_that_is_not_a_store_is_refused(student: Path, culane: Path) -> None:
    ds = open_dataset(culane)
    entry = ds.entries("train")[0]
    label = ds.lines_path(entry)
    original = label.read_bytes()
    for out in (label, culane / "list" / "train_gt.txt", culane / "labels.sqlite"):
        if out.suffix == ".sqlite":
            out.write_bytes(b"my own notes, not SQLite")
        kept = out.read_bytes()
        code = main(["autolabel", "--model", str(student), "--data", str(culane),
                     "--out", str(out), "--device", "cpu"])  # fmt: skip
        assert code == 2 and out.read_bytes() == kept
    assert label.read_bytes() == original


def test_only_unlabelled_leaves_labelled_images_byte_identical(
    student: Path, culane: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    ds = open_dataset(culane)
    entries = all_entries(ds)
    unlabelled = entries[1::3]
    for entry in unlabelled:
        ds.lines_path(entry).unlink()
    labelled = [e for e in entries if e not in unlabelled]
    assert unlabelled_entries(ds, entries) == unlabelled
    before = snapshot(culane)
    out = tmp_path / "side" / "proposals.sqlite"
    code = main(["autolabel", "--model", str(student), "--data", str(culane), "--only-unlabelled",
                 "--out", str(out), "--device", "cpu", "--batch-size", "2"])  # fmt: skip
    assert code == 0
    assert snapshot(culane) == before  # labelled images, their labels and masks byte-identical
    for entry in labelled:
        assert ds.lines_path(entry).is_file()
    with ProposalStore(out) as store:
        (run,) = store.runs()
        stored = store.load(run.run_key)
    assert sorted(stored) == sorted(unlabelled)
    assert all("label" not in p.signals and p.labels_sha == "" for p in stored.values())
    text = capsys.readouterr().out
    assert f"autolabel: {len(unlabelled)} images proposed, 0 already done" in text


def test_cancel_then_resume_equals_an_uninterrupted_run(
    student: Path, culane: Path, tmp_path: Path
) -> None:
    ds = open_dataset(culane)
    entries = all_entries(ds)
    predictor = load_predictor(student, device="cpu")
    settings = AutolabelSettings(batch_size=3)
    _, whole = drive(autolabel(predictor, ds, entries, tmp_path / "a.sqlite", settings=settings))

    cancel = threading.Event()
    job = autolabel(predictor, ds, entries, tmp_path / "b.sqlite", settings=settings, cancel=cancel)
    first = next(job)  # before any batch
    assert first.done == 0 and first.total == len(entries)
    second = next(job)  # one batch done
    assert second.done == 3
    cancel.set()
    events, cut = drive(job)
    assert events == [] and cut.cancelled and cut.written == 3
    assert len(as_dicts(tmp_path / "b.sqlite", cut.run_key)) == 3

    events, resumed = drive(
        autolabel(predictor, ds, entries, tmp_path / "b.sqlite", settings=settings)
    )
    assert resumed.skipped == 3 and resumed.written == len(entries) - 3 and not resumed.cancelled
    assert events[0].done == 3 and events[0].skipped == 3 and events[-1].done == len(entries)
    assert resumed.run_key == whole.run_key
    assert as_dicts(tmp_path / "b.sqlite", resumed.run_key) == as_dicts(
        tmp_path / "a.sqlite", whole.run_key
    )
    _, again = drive(autolabel(predictor, ds, entries, tmp_path / "b.sqlite", settings=settings))
    assert again.written == 0 and again.skipped == len(entries)


def test_another_model_or_setting_never_mixes_into_a_run(
    student: Path, other_student: Path, culane: Path, tmp_path: Path
) -> None:
    ds = open_dataset(culane)
    entries = ds.entries("train")
    store = tmp_path / "p.sqlite"
    one = load_predictor(student, device="cpu")
    _, a = drive(autolabel(one, ds, entries[:2], store))
    _, b = drive(autolabel(load_predictor(other_student, device="cpu"), ds, entries, store))
    _, c = drive(
        autolabel(one, ds, entries, store, settings=AutolabelSettings(prob_threshold=0.32))
    )
    _, d = drive(autolabel(one, ds, entries, store, settings=AutolabelSettings(batch_size=1)))
    assert len({a.run_key, b.run_key, c.run_key}) == 3
    assert b.skipped == 0 and c.skipped == 0  # nothing of run a reused
    assert d.run_key == a.run_key and d.skipped == 2  # batch size does not change proposals
    with ProposalStore(store) as s:
        assert [r.run_key for r in s.runs()] == [a.run_key, b.run_key, c.run_key]
        assert len(s.load(a.run_key)) == len(entries)
        assert s.run(c.run_key).settings["prob_threshold"] == 0.32


def test_a_checkpoint_resaved_keeps_its_run(student: Path, culane: Path, tmp_path: Path) -> None:
    import shutil

    copy = shutil.copy(student, tmp_path / "renamed.pt")
    ds = open_dataset(culane)
    store = tmp_path / "p.sqlite"
    entries = ds.entries("val")
    _, a = drive(autolabel(load_predictor(student, device="cpu"), ds, entries, store))
    _, b = drive(autolabel(load_predictor(copy, device="cpu"), ds, entries, store))
    assert a.run_key == b.run_key and b.skipped == len(entries)


def test_progress_has_eta_inputs_and_unreadable_images_are_skipped(
    student: Path, culane: Path, tmp_path: Path
) -> None:
    ds = open_dataset(culane)
    entries = ds.entries("train")
    ds.image_path(entries[2]).write_bytes(b"not a jpeg")
    predictor = load_predictor(student, device="cpu")
    events, summary = drive(
        autolabel(
            predictor, ds, entries, tmp_path / "p.sqlite", settings=AutolabelSettings(batch_size=2)
        )
    )
    assert all(isinstance(e, AutolabelProgress) for e in events)
    assert [e.done for e in events] == [0, 2, 4, 6]
    assert events[0].eta_s is None and events[-1].eta_s == 0.0
    assert events[1].images_per_s > 0 and events[1].eta_s == pytest.approx(
        4 / events[1].images_per_s
    )
    assert summary.written == len(entries) - 1 and not summary.cancelled
    (problem,) = summary.problems
    assert str(ds.image_path(entries[2])) in str(problem)
    assert entries[2] not in as_dicts(tmp_path / "p.sqlite", summary.run_key)
