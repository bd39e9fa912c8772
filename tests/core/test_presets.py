"""The training presets and the other data files of resources/, as the installed package has them."""

from __future__ import annotations

import configparser

import pytest

from lgad_studio.core.presets import (
    PresetError,
    load_preset,
    preset_configs,
    preset_names,
    resource_root,
)
from lgad_studio.core.training.config import StudentConfig, TeacherConfig


def test_the_experiments_train_with_the_shipped_presets() -> None:
    """``demo`` / ``experiment`` and the Train tab read the same JSON files."""
    from lgad_studio.core.experiment.presets import get_preset, presets

    assert preset_names() == ["default", "quick", "gpu"] == list(presets())
    for name, expected in presets().items():
        preset = load_preset(name)
        assert preset["name"] == name and preset["description"]
        teacher, student = preset_configs(name)
        assert teacher == expected.teacher_config()
        assert student == expected.student_config(mode="lgad", teacher=None)
    custom = get_preset("default", student_epochs=3, width=0.25)
    assert custom.name == "default+custom" and custom.student["epochs"] == 3
    assert custom.teacher["width"] == custom.student["width"] == 0.25


def test_preset_configs_build_valid_configs() -> None:
    teacher, student = preset_configs("quick", data="/data", out="runs/x")
    assert isinstance(teacher, TeacherConfig) and isinstance(student, StudentConfig)
    assert teacher.epochs == 3 and student.epochs == 5 and student.mode == "lgad"
    assert teacher.data == student.data == "/data" and teacher.input_size == (200, 72)
    teacher.validate()
    student.replace(teacher="t.pt").validate()


def test_errors_name_the_preset_and_the_field(monkeypatch, tmp_path) -> None:
    with pytest.raises(PresetError, match=r"no preset 'fast', expected one of \['default'"):
        load_preset("fast")
    from lgad_studio.core import presets

    (tmp_path / "presets").mkdir()
    (tmp_path / "presets" / "odd.json").write_text('{"teacher": {"epoch": 3}, "student": {}}')
    (tmp_path / "presets" / "bad.json").write_text('{"teacher": ')
    monkeypatch.setattr(presets, "resource_root", lambda: tmp_path)
    assert preset_names() == ["bad", "odd"]
    with pytest.raises(PresetError, match=r"presets/odd.json: field\(s\) \['epoch'\] of 'teacher'"):
        load_preset("odd")
    with pytest.raises(PresetError, match=r"presets/bad.json:1: not JSON"):
        load_preset("bad")


def test_icon_and_desktop_entry_are_installed() -> None:
    root = resource_root()
    icons = root / "icons"
    assert (icons / "lgad-studio.svg").is_file()
    for size in (16, 32, 48, 64, 128, 256):
        data = (icons / f"lgad-studio-{size}.png").read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        assert int.from_bytes(data[16:20], "big") == size  # IHDR width
    entry = configparser.ConfigParser(interpolation=None)
    entry.read_string((root / "lgad-studio.desktop").read_text(encoding="utf-8"))
    desktop = entry["Desktop Entry"]
    assert desktop["Type"] == "Application" and desktop["Exec"].split()[0] == "lgad-studio"
    assert desktop["Icon"] == "lgad-studio" and desktop["Name"] == "LGAD Studio"


def test_training_commands_start_from_a_preset_and_flags_override_it(tmp_path) -> None:
    """``train-teacher`` / ``distill --preset gpu`` take the preset's fields; a flag wins."""
    import argparse

    from lgad_studio.commands import distill, train_teacher
    from lgad_studio.commands._training_cli import build_config
    from lgad_studio.core.errors import StudioError

    def parse(module, *argv: str) -> argparse.Namespace:
        parser = argparse.ArgumentParser()
        module.add_arguments(parser)
        return parser.parse_args(["--data", str(tmp_path), "--out", str(tmp_path / "r"), *argv])

    gpu = load_preset("gpu")
    teacher = build_config(TeacherConfig, parse(train_teacher, "--preset", "gpu"))
    assert teacher.input_size == gpu["teacher"]["input_size"] == (800, 288)
    assert teacher.epochs == gpu["teacher"]["epochs"]
    student = build_config(
        StudentConfig, parse(distill, "--preset", "gpu", "--mode", "none", "--epochs", "2")
    )
    assert student.width == gpu["student"]["width"] and student.epochs == 2
    with pytest.raises(StudioError, match="--preset nosuch: no preset 'nosuch'"):
        build_config(StudentConfig, parse(distill, "--preset", "nosuch", "--mode", "none"))
