"""Opening a 100k-image CULane list in the studio: the window must not block on its size.

Writes a CULane root whose ``list/train_gt.txt`` has ``--entries`` lines (only the
first image exists: entries are indexed lazily and images read when shown),
then times ``open_dataset`` and the studio window's "open dataset" (browser
filled, first image shown) and a search over the whole list. Prints seconds.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/open_large_list.py [--entries 100000]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import cv2  # noqa: E402
import numpy as np  # noqa: E402
from PySide6.QtCore import QSettings  # noqa: E402

from lgad_studio.core.formats.dataset import open_dataset  # noqa: E402
from lgad_studio.gui.app import make_application  # noqa: E402
from lgad_studio.gui.main_window import MainWindow  # noqa: E402
from lgad_studio.gui.settings import StudioSettings  # noqa: E402

TARGET_S = 2.0


def write_root(root: Path, count: int) -> str:
    """A CULane root with ``count`` train entries; returns the first entry."""
    (root / "list").mkdir(parents=True)
    entries = [
        f"driver_{i // 10000:02d}/clip_{i // 100:04d}/{i % 100:05d}.jpg" for i in range(count)
    ]
    lines = (f"/{e} /laneseg_label_w16/{e[:-4]}.png 0 1 1 0\n" for e in entries)
    (root / "list" / "train_gt.txt").write_text("".join(lines))
    first = root / entries[0]
    first.parent.mkdir(parents=True)
    cv2.imwrite(str(first), np.full((590, 1640, 3), 90, np.uint8))
    return entries[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tmp)
        root = Path(tmp) / "culane"
        first = write_root(root, args.entries)
        app = make_application()
        start, cpu = time.perf_counter(), time.process_time()
        dataset = open_dataset(root)
        count = len(dataset.entries("train"))
        index_s, index_cpu = time.perf_counter() - start, time.process_time() - cpu
        window = MainWindow(StudioSettings())
        window.show()
        start, cpu = time.perf_counter(), time.process_time()
        window.open_dataset(root)
        app.processEvents()
        window_s, window_cpu = time.perf_counter() - start, time.process_time() - cpu
        assert window.label_panel.document.entry == first
        assert window.label_panel.browser.model.rowCount() == count == args.entries
        start = time.perf_counter()
        window.label_panel.browser.search.setText("clip_0999/")
        app.processEvents()
        search_s = time.perf_counter() - start
        window.jobs.shutdown()
        window.deleteLater()
    # CPU time next to wall time: on a shared machine the difference is waiting for a core.
    print(f"open_dataset + entries ({count:,} lines): {index_s:.2f} s (CPU {index_cpu:.2f} s)")
    print(
        f"studio window opens it (list shown, first image drawn): {window_s:.2f} s "
        f"(CPU {window_cpu:.2f} s)"
    )
    print(f"search over the whole list: {search_s * 1000:.0f} ms")
    verdict = "OK" if window_s < TARGET_S else "SLOWER THAN TARGET"
    print(f"target < {TARGET_S:.0f} s: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
