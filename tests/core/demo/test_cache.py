"""The default demo set: generated once into a hidden folder, renamed into place when complete."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

import lgad_studio.core.demo.cache as cache
from lgad_studio.core.demo.dataset import generate_demo_dataset


@pytest.fixture
def small_generation(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Make ``ensure_default_demo`` generate a tiny set and record where it wrote."""
    calls: list[Path] = []

    def tiny(out, *, progress=None, cancel=None):
        calls.append(Path(out))
        return generate_demo_dataset(out, train=1, val=0, test=9, progress=progress, cancel=cancel)

    monkeypatch.setattr(cache, "generate_demo_dataset", tiny)
    return calls


def test_default_root_is_in_the_user_cache() -> None:
    root = cache.default_demo_root()
    assert root.name == "demo-v2" and root.parent.name == "lgad-studio"


def test_generates_once_through_a_hidden_folder(
    tmp_path: Path, small_generation: list[Path]
) -> None:
    root = tmp_path / "demo-v2"
    assert cache.ensure_default_demo(root=root) == root
    assert cache.is_complete(root) and len(small_generation) == 1
    assert small_generation[0] != root and small_generation[0].name.startswith(".demo-v2.partial-")
    assert cache.ensure_default_demo(root=root) == root and len(small_generation) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["demo-v2"]


def test_cancel_leaves_nothing_behind(tmp_path: Path, small_generation: list[Path]) -> None:
    cancel = threading.Event()
    root = tmp_path / "demo-v2"
    result = cache.ensure_default_demo(progress=lambda d, t: cancel.set(), cancel=cancel, root=root)
    assert result is None and list(tmp_path.iterdir()) == []


def test_an_interrupted_generation_is_not_taken_as_finished(
    tmp_path: Path, small_generation: list[Path]
) -> None:
    root = tmp_path / "demo-v2"

    def crash(done: int, total: int) -> None:
        if done == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        cache.ensure_default_demo(progress=crash, root=root)
    assert list(tmp_path.iterdir()) == []
    assert cache.ensure_default_demo(root=root) == root and cache.is_complete(root)
