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
