"""Image switching in the editor: time from "next image" to the new image painted.

Generates a demo dataset of 1640x590 JPEGs with lanes, opens it in a real
studio window (offscreen unless a display is given), then presses "next image"
through the panel and forces a synchronous repaint of the canvas each time.
Two passes: plain switching, and switching that autosaves an edited image
(``.lines.txt`` + mask + list flags, all atomic). Prints the median and p90.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/editor_switch.py [--images 40]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings  # noqa: E402

from lgad_studio.core.demo import generate_demo_dataset  # noqa: E402
from lgad_studio.gui.app import make_application  # noqa: E402
from lgad_studio.gui.main_window import MainWindow  # noqa: E402
from lgad_studio.gui.settings import StudioSettings  # noqa: E402

TARGET_MS = 100.0


def _switch_times(window: MainWindow, count: int, *, edit: bool) -> list[float]:
    app = make_application()
    panel = window.label_panel
    times = []
    for _ in range(count):
        if edit and len(panel.document.lanes):
            panel.document.apply(panel.document.lanes.remove(0), "benchmark edit")
        start = time.perf_counter()
        moved = panel.go(+1)
        panel.canvas.viewport().repaint()  # paints now: the new image is on screen
        times.append((time.perf_counter() - start) * 1000)
        app.processEvents()  # what Qt had queued meanwhile, outside the timed span
        if not moved:
            break
    return times


def _report(label: str, times: list[float]) -> float:
    ordered = sorted(times)
    median = statistics.median(ordered)
    p90 = ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]
    print(f"{label}: median {median:.1f} ms, p90 {p90:.1f} ms over {len(times)} switches")
    return median


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=40, help="train images to generate")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tmp)
        root = Path(tmp) / "demo"
        generate_demo_dataset(root, train=args.images, val=1, test=9)
        make_application()
        window = MainWindow(StudioSettings())
        window.resize(1400, 820)
        window.show()
        window.open_dataset(root)
        half = args.images // 2 - 1
        plain = _report("image switch (1640x590 JPEG)", _switch_times(window, half, edit=False))
        _report("image switch with autosave", _switch_times(window, half, edit=True))
        window.jobs.shutdown()
        window.label_panel.store.clear()
        window.deleteLater()
    verdict = "OK" if plain < TARGET_MS else "SLOWER THAN TARGET"
    print(f"target < {TARGET_MS:.0f} ms median: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
