"""Train tab: a run reads the prepared image cache chosen in the options; a file that is
not a cache is refused before a job starts."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from PySide6.QtWidgets import QFileDialog

from lgad_studio.core.formats.dataset import open_dataset
from lgad_studio.core.training import TeacherConfig
from lgad_studio.core.training.image_cache_build import build_image_cache

sys.path.insert(0, str(Path(__file__).parent))
from trainui_models import FAST, tiny_demo  # noqa: E402
from trainui_models import click as _click  # noqa: E402


def test_a_run_reads_the_chosen_image_cache_and_a_wrong_file_is_refused(
    qtbot, make_tab, tmp_path_factory, tmp_path, monkeypatch
) -> None:
    data = tiny_demo(tmp_path_factory)
    dataset = open_dataset(data)
    cache = tmp_path / "demo.lgadcache"
    for _ in build_image_cache(dataset, dataset.entries("train"), FAST["input_size"], cache):
        pass
    tab = make_tab()
    tab.set_dataset(data)
    tab.teacher_form.set_config(TeacherConfig(**FAST))
    # a file that is not a cache: refused before a job starts, the file named
    notes = tmp_path / "notes.lgadcache"
    notes.write_text("not a cache")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(notes), ""))
    _click(qtbot, tab.options.cache_button)
    assert tab.options.image_cache.text() == str(notes) and tab.options.cache_clear.isEnabled()
    submitted: list[object] = []
    tab.runner.job_submitted.connect(submitted.append)
    _click(qtbot, tab.teacher_form.train_button)
    assert submitted == [] and "notes.lgadcache: not an LGAD Studio image cache" in (
        tab.errors.label.text()
    )
    # the real cache: the run reads its images from it
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(cache), ""))
    _click(qtbot, tab.options.cache_button)
    with qtbot.waitSignal(tab.run_ended, timeout=120_000) as ended:
        _click(qtbot, tab.teacher_form.train_button)
    record = ended.args[0]
    assert record.state == "finished" and record.config["image_cache"] == str(cache)
    info = json.loads((record.run_dir / "run_info.json").read_text())
    assert info["image_cache"]["train"] == {"fresh": 8, "stale": 0, "missing": 0}
    _click(qtbot, tab.options.cache_clear)
    assert tab.options.image_cache_path() is None and not tab.options.cache_clear.isEnabled()


def test_build_writes_the_cache_of_the_open_dataset_and_the_options_read_it(
    qtbot, make_tab, tmp_path_factory, tmp_path, monkeypatch
) -> None:
    from lgad_studio.core.training.image_cache import ImageCache

    data = tiny_demo(tmp_path_factory)
    dataset = open_dataset(data)
    tab = make_tab(runs_root=tmp_path / "runs")
    assert not tab.options.cache_build.isEnabled()  # no dataset yet
    tab.set_dataset(data)
    tab.student_form.fields.input_w.setValue(64)  # the size the cache is built for
    tab.student_form.fields.input_h.setValue(24)
    offered: list[str] = []
    answer = {"path": ""}  # first the user closes the dialog
    target = tmp_path / "cache" / "demo.lgadcache"
    target.parent.mkdir()

    def save_dialog(_parent, _title, start, _filter):
        offered.append(start)
        return answer["path"], ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_dialog)
    submitted: list[object] = []
    tab.runner.job_submitted.connect(submitted.append)
    _click(qtbot, tab.options.cache_build)
    # no runs folder yet: offered beside the dataset, named after it and the input size
    name = f"{data.name}-64x24.lgadcache"
    assert offered == [str(data.parent / name)] and submitted == []
    (tmp_path / "runs").mkdir()
    answer["path"] = str(target)
    with qtbot.waitSignal(tab.cache_builder.built, timeout=60_000) as built:
        _click(qtbot, tab.options.cache_build)
        assert tab.options.cache_build.text() == "Cancel build"
    summary = built.args[0]
    assert offered[-1] == str(tmp_path / "runs" / name)  # beside the runs, once there are some
    wanted = [*dataset.entries("train"), *dataset.entries("val")]
    assert ImageCache(target).entries == wanted
    assert (summary["images"], summary["decoded"], summary["reused"]) == (len(wanted), 10, 0)
    assert tab.options.image_cache_path() == target and tab.options.cache_build.text() == "Build…"
    assert f"{len(wanted)} images (10 decoded, 0 unchanged)" in tab.progress.label.text()
    # building again over it: nothing changed, nothing decoded
    with qtbot.waitSignal(tab.cache_builder.built, timeout=60_000) as again:
        _click(qtbot, tab.options.cache_build)
    assert (again.args[0]["decoded"], again.args[0]["reused"]) == (0, len(wanted))
    assert offered[-1] == str(target)  # the chosen cache is offered the next time


def test_cancel_build_leaves_no_file_and_a_failure_names_the_file(
    qtbot, make_tab, tmp_path_factory, tmp_path, monkeypatch
) -> None:
    import time

    from lgad_studio.core.training import image_cache_build

    data = tiny_demo(tmp_path_factory)
    tab = make_tab(runs_root=tmp_path / "runs")
    tab.set_dataset(data)
    real = image_cache_build.build_image_cache

    def slow_build(*args, **kwargs):
        for event in real(*args, **kwargs):
            time.sleep(0.2)
            yield event

    monkeypatch.setattr(image_cache_build, "build_image_cache", slow_build)
    folder = tmp_path / "cache"
    folder.mkdir()
    target = folder / "demo.lgadcache"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    job = tab.cache_builder.request(data, (64, 24))
    qtbot.waitUntil(lambda: "/ 10" in tab.progress.label.text(), timeout=30_000)  # building
    with qtbot.waitSignal(job.cancelled, timeout=30_000):
        _click(qtbot, tab.options.cache_build)  # now "Cancel build"
    assert list(folder.iterdir()) == [] and tab.options.image_cache_path() is None
    assert "cancelled" in tab.progress.label.text() and tab.options.cache_build.text() == "Build…"
    # a file there that is not a cache is never overwritten; the banner names it
    target.write_text("my notes")
    with qtbot.waitSignal(tab.cache_builder.failed, timeout=30_000):
        tab.cache_builder.request(data, (64, 24))
    assert target.read_text() == "my notes" and list(folder.iterdir()) == [target]
    assert str(target) in tab.errors.label.text()
