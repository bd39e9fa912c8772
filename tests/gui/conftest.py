"""Fixtures of the GUI tests: isolated QSettings, a tiny demo dataset, studio windows.

Every test gets its own ``QSettings`` folder (the user's settings are never
touched) and its own copy of a tiny demo dataset generated once per session.
Windows come from the ``make_window`` factory, which closes them, shuts their
job queue down and checks that no worker thread outlives the test.
"""

from __future__ import annotations

import errno
import gc
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QAbstractButton, QApplication, QMessageBox

from lgad_studio.core import atomic
from lgad_studio.gui import main_window
from lgad_studio.gui.collector import MainThreadCollector
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


@pytest.fixture(scope="session")
def student_checkpoint(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A baseline student trained for two steps at 64x24 on the tiny demo (seconds on CPU)."""
    import torch

    from lgad_studio.core.training import StudentConfig, distill

    torch.set_num_threads(1)
    out = tmp_path_factory.mktemp("student")
    config = StudentConfig(
        data=str(demo_template), out=str(out), mode="none", width=0.25, input_size=(64, 24),
        batch_size=2, epochs=1, steps_per_epoch=2, val_limit=0, threads=1, device="cpu",
        preview_interval_s=0.0,
    )  # fmt: skip
    finished = list(distill(config))[-1]
    return finished.last_checkpoint


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

    def drag(
        self,
        start: tuple[float, float],
        end: tuple[float, float],
        *,
        steps: int = 4,
        modifier=None,
    ) -> None:
        from PySide6.QtCore import QPoint, Qt

        viewport = self.canvas.viewport()
        a, b = self.viewport_pos(start), self.viewport_pos(end)
        modifier = modifier or Qt.KeyboardModifier.NoModifier
        self.qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, modifier, pos=a)
        for i in range(1, steps + 1):
            p = QPoint(a.x() + (b.x() - a.x()) * i // steps, a.y() + (b.y() - a.y()) * i // steps)
            self.qtbot.mouseMove(viewport, pos=p)
        self.qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, modifier, pos=b)

    def move(self, xy: tuple[float, float]) -> None:
        self.qtbot.mouseMove(self.canvas.viewport(), pos=self.viewport_pos(xy))

    def key(self, key, modifier=None) -> None:
        from PySide6.QtCore import Qt

        window = self.canvas.window()
        if QApplication.activeWindow() is not window:  # e.g. a dialog just closed (offscreen
            window.activateWindow()  # hands activation back asynchronously): shortcuts need it
            self.qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)
        self.canvas.setFocus()
        self.qtbot.keyClick(self.canvas, key, modifier or Qt.KeyboardModifier.NoModifier)


@pytest.fixture
def driver(qtbot) -> Callable[[object], CanvasDriver]:
    return lambda canvas: CanvasDriver(qtbot, canvas)


class ReadOnlyFolders:
    """The demo's image folders made read-only, and made writable again on request."""

    def __init__(self, folders) -> None:
        self.folders = folders
        self.real = {os.path.realpath(f) for f in folders}
        self.active = True
        for folder in folders:
            folder.chmod(0o555)

    def make_writable(self) -> None:
        self.active = False
        for folder in self.folders:
            folder.chmod(0o755)


@pytest.fixture
def read_only_labels(demo_root, monkeypatch):
    """Tests run as root, which ignores mode bits, so the temporary file that every atomic
    write starts with is refused too, with the error a real read-only folder gives."""
    state = ReadOnlyFolders(sorted({p.parent for p in demo_root.rglob("*.jpg")}))
    real_mkstemp = tempfile.mkstemp

    def mkstemp(*args, dir=None, **kwargs):
        if state.active and dir is not None and os.path.realpath(dir) in state.real:
            raise PermissionError(errno.EACCES, "Permission denied", str(dir))
        return real_mkstemp(*args, dir=dir, **kwargs)

    monkeypatch.setattr(atomic.tempfile, "mkstemp", mkstemp)
    yield state
    state.make_writable()


class DialogAnswerer:
    """Clicks a button of the next modal dialog the app opens, as a user would.

    The test's ``dialogs`` fixture; without it, a modal dialog that opens is closed
    after a second and fails the test (``no_stray_dialogs``) instead of hanging it.

    ``answer("Discard")`` arms it; when a modal box appears (within ``timeout_ms``) its
    text is recorded in ``seen`` and the button whose text (without ``&``) matches is
    clicked. A dialog that never appears leaves ``seen`` empty.
    """

    def __init__(self) -> None:
        self.seen: list[str] = []
        self._timers: list[QTimer] = []

    armed = 0  # answers waiting for their dialog, over all answerers

    def answer(self, button_text: str, *, timeout_ms: int = 3000, before=None) -> None:
        """Arm for the next dialog; ``before(dialog)`` runs first (e.g. to fill in a field)."""
        tries = {"left": max(1, timeout_ms // 20)}
        DialogAnswerer.armed += 1
        timer = QTimer()
        timer.setInterval(20)

        def poll() -> None:
            box = QApplication.activeModalWidget()
            tries["left"] -= 1
            if box is None:
                if tries["left"] <= 0:
                    timer.stop()
                    DialogAnswerer.armed -= 1
                return
            timer.stop()
            DialogAnswerer.armed -= 1
            text = box.text() if isinstance(box, QMessageBox) else box.windowTitle()
            self.seen.append(text)
            if before is not None:
                before(box)
            for button in box.findChildren(QAbstractButton):
                if button.text().replace("&", "") == button_text:
                    button.click()
                    return
            names = [b.text() for b in box.findChildren(QAbstractButton)]
            box.reject()
            raise AssertionError(f"no button {button_text!r} in the dialog, only {names}")

        timer.timeout.connect(poll)
        timer.start()
        self._timers.append(timer)

    def stop(self) -> None:
        for timer in self._timers:
            if timer.isActive():
                timer.stop()
                DialogAnswerer.armed -= 1


@pytest.fixture
def dialogs() -> Iterator[DialogAnswerer]:
    answerer = DialogAnswerer()
    yield answerer
    answerer.stop()


@pytest.fixture(autouse=True)
def collected_in_the_main_thread(qapp) -> Iterator[None]:
    """As in the studio (``gui/app.py``): a job thread never runs the cyclic collector. This
    test's cycles are collected after it, in the main thread, once its job threads ended."""
    collector = MainThreadCollector()
    collector.start()
    yield
    collector.stop()
    gc.collect()


@pytest.fixture(autouse=True)
def no_stray_dialogs(qapp) -> Iterator[None]:
    """Fail, not hang, when a modal dialog opens that the test did not expect."""
    stray: list[str] = []
    seen_for = {"polls": 0}
    timer = QTimer()
    timer.setInterval(100)

    def poll() -> None:
        box = QApplication.activeModalWidget()
        if box is None or DialogAnswerer.armed > 0:
            seen_for["polls"] = 0
            return
        seen_for["polls"] += 1
        if seen_for["polls"] >= 10:
            stray.append(box.text() if isinstance(box, QMessageBox) else box.windowTitle())
            box.reject()
            seen_for["polls"] = 0

    timer.timeout.connect(poll)
    timer.start()
    yield
    timer.stop()
    assert stray == [], f"unexpected modal dialog(s): {stray}"


@pytest.fixture
def make_tab(qtbot, tmp_path: Path):
    """``make(runs_root=None) -> TrainTab``: a shown Train tab on its own job runner, whose
    threads must all have ended when the test does."""
    from lgad_studio.gui.jobs import JobRunner
    from lgad_studio.gui.train import TrainTab

    runners: list[JobRunner] = []

    def make(runs_root: Path | None = None) -> TrainTab:
        runner = JobRunner()
        runners.append(runner)
        tab = TrainTab(runner, runs_root=runs_root or tmp_path / "runs")
        qtbot.addWidget(tab)
        tab.resize(1300, 800)
        tab.show()
        qtbot.waitExposed(tab)
        return tab

    yield make
    for runner in runners:
        assert runner.shutdown(30.0)
    assert live_worker_threads() == []
