"""Qt application set-up and the studio's entry point, :func:`run_gui`."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from lgad_studio import __version__
from lgad_studio.gui.collector import MainThreadCollector
from lgad_studio.gui.main_window import MainWindow
from lgad_studio.gui.settings import APPLICATION, ORGANIZATION, StudioSettings


def make_application(argv: Sequence[str] = ()) -> QApplication:
    """The process's ``QApplication`` (created once), named so ``QSettings`` finds its file."""
    app = QApplication.instance()
    if app is None:
        app = QApplication(["lgad-studio", *argv])  # Qt takes its own options out of argv
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName("LGAD Studio")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("lgad-studio")  # resources/lgad-studio.desktop
    app.setWindowIcon(application_icon())
    return app  # type: ignore[return-value]


def application_icon() -> QIcon:
    """The studio's icon (``resources/icons``): the SVG plus its rendered PNG sizes."""
    from lgad_studio.core.presets import resource_root

    icons = resource_root() / "icons"
    icon = QIcon()
    for entry in sorted(icons.iterdir(), key=lambda e: e.name):
        if entry.name.startswith("lgad-studio") and entry.name.endswith((".png", ".svg")):
            icon.addFile(str(entry))
    return icon


def run_gui(argv: Sequence[str] = ()) -> int:
    """Open the studio and run until its window closes; returns the exit code.

    ``argv``: Qt's own options (``-platform offscreen``, ``-style fusion`` …), then
    an optional dataset path (CULane root, TuSimple JSON, folder of images).
    Without one the default demo dataset opens, generated on first use.
    """
    created = QApplication.instance() is None
    app = make_application(argv)
    # Arguments Qt left over; an application made elsewhere (tests) took none of ours.
    left = app.arguments()[1:] if created else list(argv)
    rest = [a for a in left if not a.startswith("-")]
    collector = MainThreadCollector(app)  # job threads must never destroy Qt objects
    collector.start()
    try:
        window = MainWindow(StudioSettings())
        window.show()
        if rest:
            window.open_dataset(rest[0])
        else:
            window.open_default_demo()
        return int(app.exec())
    finally:
        collector.stop()
        collector.deleteLater()


if __name__ == "__main__":
    raise SystemExit(run_gui(sys.argv[1:]))
