"""Render ``lgad-studio.svg`` to the PNG sizes desktops ask for (``make icons``)."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

SIZES = (16, 24, 32, 48, 64, 128, 256)


def main() -> int:
    folder = Path(__file__).resolve().parent
    app = QGuiApplication(sys.argv[:1])  # noqa: F841 (QImage painting needs the application)
    svg = QSvgRenderer(str(folder / "lgad-studio.svg"))
    if not svg.isValid():
        print(f"{folder / 'lgad-studio.svg'}: not a valid SVG", file=sys.stderr)
        return 1
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        svg.render(painter, QRectF(0, 0, size, size))
        painter.end()
        target = folder / f"lgad-studio-{size}.png"
        if not image.save(str(target)):
            print(f"{target}: could not be written", file=sys.stderr)
            return 1
        print(target)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
