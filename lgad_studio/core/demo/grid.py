"""A contact sheet of the demo dataset: one test image per category, labelled, in a 3x3 grid.

``python -m lgad_studio.core.demo.grid OUT.jpg [--seed S]`` writes the picture
shown in the README (``docs/images/demo_grid.jpg``); :func:`category_grid`
returns it as ``uint8 (3*h, 3*w, 3)`` BGR.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2
import numpy as np

from lgad_studio.core.demo.dataset import render_sample
from lgad_studio.core.demo.scene import CATEGORIES


def category_grid(seed: int = 0, *, tile: tuple[int, int] = (546, 196)) -> np.ndarray:
    """Test images 0..8 of ``seed`` (one per category, in test0..test8 order), downscaled to ``tile``."""
    tiles = []
    for index, category in enumerate(CATEGORIES):
        sample = render_sample(seed, "test", index)
        quality = [cv2.IMWRITE_JPEG_QUALITY, sample.jpeg_quality]
        stored = cv2.imdecode(cv2.imencode(".jpg", sample.image, quality)[1], cv2.IMREAD_COLOR)
        small = cv2.resize(stored, tile, interpolation=cv2.INTER_AREA)
        label = f"test{index}_{category}"
        cv2.putText(small, label, (9, 25), cv2.FONT_HERSHEY_SIMPLEX, 0.7, (0, 0, 0), 4, cv2.LINE_AA)
        cv2.putText(
            small, label, (9, 25), cv2.FONT_HERSHEY_SIMPLEX, 0.7, (255, 255, 255), 2, cv2.LINE_AA
        )
        tiles.append(small)
    rows = [np.hstack(tiles[k : k + 3]) for k in range(0, 9, 3)]
    return np.vstack(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="image file to write (.jpg or .png)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quality", type=int, default=82, help="JPEG quality (default 82)")
    args = parser.parse_args(argv)
    grid = category_grid(args.seed)
    ext = args.out.suffix.lower() or ".jpg"
    params = [cv2.IMWRITE_JPEG_QUALITY, args.quality] if ext in (".jpg", ".jpeg") else []
    ok, buf = cv2.imencode(ext, grid, params)
    if not ok:
        parser.error(f"{args.out}: cannot encode an image with suffix {args.out.suffix!r}")
    args.out.write_bytes(buf.tobytes())
    print(f"wrote {args.out} ({len(buf) // 1024} KB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
