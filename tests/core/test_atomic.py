"""Atomic writes: a crash or a full disk mid-save leaves the old file intact and no temp file."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from lgad_studio.core import atomic
from lgad_studio.core.atomic import atomic_open, atomic_write_bytes, atomic_write_text
from lgad_studio.core.formats.culane_lines import write_label_map, write_lines_txt
from lgad_studio.core.lanes import Lane, LaneSet


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def _full_disk(*_args, **_kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_write_replaces_the_content(tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    atomic_write_text(target, "old\n")
    atomic_write_text(target, "new\n")
    assert target.read_text() == "new\n"
    atomic_write_bytes(target, b"\x00\x01")
    assert target.read_bytes() == b"\x00\x01"
    assert _leftovers(tmp_path) == []


def test_existing_permissions_are_kept(tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    target.write_text("old")
    target.chmod(0o640)
    atomic_write_text(target, "new")
    assert target.stat().st_mode & 0o777 == 0o640


def test_exception_mid_write_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "a.lines.txt"
    target.write_text("old content\n")
    with pytest.raises(RuntimeError, match="crash"), atomic_open(target) as handle:
        handle.write("half of the new")
        raise RuntimeError("crash")
    assert target.read_text() == "old content\n"
    assert _leftovers(tmp_path) == []


def test_full_disk_at_fsync_keeps_the_old_file(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "a.lines.txt"
    target.write_text("old content\n")
    monkeypatch.setattr(atomic.os, "fsync", _full_disk)
    with pytest.raises(OSError) as info:
        atomic_write_text(target, "new content\n")
    assert info.value.errno == errno.ENOSPC
    assert target.read_text() == "old content\n"
    assert _leftovers(tmp_path) == []


def test_full_disk_at_write_keeps_the_old_file(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "mask.png"
    target.write_bytes(b"old")
    real_fdopen = os.fdopen

    class FullDiskFile:
        def __init__(self, handle) -> None:
            self._handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc) -> None:
            self._handle.close()

        def write(self, data) -> int:
            self._handle.write(data[: len(data) // 2])
            raise OSError(errno.ENOSPC, "No space left on device")

        def __getattr__(self, name):
            return getattr(self._handle, name)

    monkeypatch.setattr(atomic.os, "fdopen", lambda *a, **k: FullDiskFile(real_fdopen(*a, **k)))
    with pytest.raises(OSError, match="No space left"):
        atomic_write_bytes(target, b"new content that does not fit")
    assert target.read_bytes() == b"old"
    assert _leftovers(tmp_path) == []


def test_label_writers_are_atomic(tmp_path: Path, monkeypatch) -> None:
    lanes = LaneSet((Lane([[100, 589], [400, 300], [500, 250]], 2),))
    lines, mask = tmp_path / "a.lines.txt", tmp_path / "a.png"
    write_lines_txt(lines, lanes)
    write_label_map(mask, lanes)
    before = lines.read_bytes(), mask.read_bytes()
    monkeypatch.setattr(atomic.os, "fsync", _full_disk)
    moved = LaneSet((Lane([[900, 589], [800, 300]], 3),))
    with pytest.raises(OSError):
        write_lines_txt(lines, moved)
    with pytest.raises(OSError):
        write_label_map(mask, moved)
    assert (lines.read_bytes(), mask.read_bytes()) == before
    assert _leftovers(tmp_path) == []


def test_missing_folder_and_read_mode_are_errors(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        atomic_write_text(tmp_path / "no" / "such" / "dir.txt", "x")
    with pytest.raises(ValueError, match="writes only"), atomic_open(tmp_path / "a", "r"):
        pass
    assert os.listdir(tmp_path) == []


def test_write_problem_probes_the_folder_and_leaves_nothing(tmp_path: Path, monkeypatch) -> None:
    from lgad_studio.core.atomic import write_problem

    assert write_problem(tmp_path) is None
    assert write_problem(tmp_path / "not" / "yet") is None  # judged by the existing parent
    assert os.listdir(tmp_path) == []
    real = atomic.tempfile.mkstemp

    def refused(*args, dir=None, **kwargs):
        if dir is not None and Path(dir) == tmp_path:
            raise PermissionError(13, "Permission denied", str(dir))
        return real(*args, dir=dir, **kwargs)

    monkeypatch.setattr(atomic.tempfile, "mkstemp", refused)
    assert write_problem(tmp_path) == "Permission denied"
    assert write_problem(tmp_path / "sub") == "Permission denied"
