"""Fixtures of the GUI tests: isolated QSettings, a tiny demo dataset, studio windows.

Every test gets its own ``QSettings`` folder (the user's settings are never
touched) and its own copy of a tiny demo dataset generated once per session.
Windows come from the ``make_window`` factory, which closes them, shuts their
job queue down and checks that no worker thread outlives the test.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from lgad_studio.gui import main_window
from lgad_studio.gui.jobs import live_worker_threads
from lgad_studio.gui.main_window import MainWindow
from lgad_studio.gui.settings import StudioSettings


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path: Path, monkeypatch) -> Path:
    """Point the user-scope INI settings, and the user cache (where the default demo dataset
    lives), at folders of this test."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    folder = tmp_path / "settings"
    folder.mkdir()
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    return folder


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny demo dataset (4 train, 2 val, 9 test images), generated once per session."""
    from lgad_studio.core.demo.dataset import generate_demo_dataset

    root = tmp_path_factory.mktemp("demo") / "culane"
    generate_demo_dataset(root, train=4, val=2, test=9, seed=3)
    return root


@pytest.fixture
def demo_root(demo_template: Path, tmp_path: Path) -> Path:
    """This test's own writable copy of the tiny demo dataset."""
    root = tmp_path / "demo"
    shutil.copytree(demo_template, root)
    return root


@pytest.fixture
def make_window(qtbot, monkeypatch) -> Iterator[Callable[..., MainWindow]]:
    """Factory of shown studio windows; unsaved work is discarded at teardown unless a test says."""
    windows: list[MainWindow] = []
    monkeypatch.setattr(main_window, "ask_unsaved", lambda parent, count: "discard")

    def make(dataset: Path | None = None) -> MainWindow:
        window = MainWindow(StudioSettings())
        qtbot.addWidget(window)
        window.resize(1280, 720)
        window.show()
        qtbot.waitExposed(window)
        window.activateWindow()  # shortcuts need an active window; offscreen activates async
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)
        if dataset is not None:
            assert window.open_dataset(dataset)
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.close()
    assert live_worker_threads() == []


class CanvasDriver:
    """Mouse and keys on a real canvas, addressed in image pixels (``xy_image``)."""

    def __init__(self, qtbot, canvas) -> None:
        self.qtbot = qtbot
        self.canvas = canvas

    def viewport_pos(self, xy: tuple[float, float]):
        from PySide6.QtCore import QPointF

        self.canvas.ensureVisible(xy[0] - 1, xy[1] - 1, 2, 2, 40, 40)
        return self.canvas.mapFromScene(QPointF(*xy))

    def scene_xy(self, xy: tuple[float, float]) -> tuple[float, float]:
        """Where a click aimed at ``xy`` really lands (clicks fall on whole screen pixels)."""
        point = self.canvas.mapToScene(self.viewport_pos(xy))
        return point.x(), point.y()

    def click(self, xy: tuple[float, float]) -> None:
        from PySide6.QtCore import Qt

        self.qtbot.mouseClick(
            self.canvas.viewport(), Qt.MouseButton.LeftButton, pos=self.viewport_pos(xy)
        )

    def double_click(self, xy: tuple[float, float]) -> None:
        from PySide6.QtCore import Qt

        self.qtbot.mouseDClick(
            self.canvas.viewport(), Qt.MouseButton.LeftButton, pos=self.viewport_pos(xy)
        )

    def drag(self, start: tuple[float, float], end: tuple[float, float], *, steps: int = 4) -> None:
        from PySide6.QtCore import QPoint, Qt

        viewport = self.canvas.viewport()
        a, b = self.viewport_pos(start), self.viewport_pos(end)
        self.qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=a)
        for i in range(1, steps + 1):
            p = QPoint(a.x() + (b.x() - a.x()) * i // steps, a.y() + (b.y() - a.y()) * i // steps)
            self.qtbot.mouseMove(viewport, pos=p)
        self.qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=b)

    def key(self, key, modifier=None) -> None:
        from PySide6.QtCore import Qt

        self.canvas.setFocus()
        self.qtbot.keyClick(self.canvas, key, modifier or Qt.KeyboardModifier.NoModifier)


@pytest.fixture
def driver(qtbot) -> Callable[[object], CanvasDriver]:
    return lambda canvas: CanvasDriver(qtbot, canvas)
