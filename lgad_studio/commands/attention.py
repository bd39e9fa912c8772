"""``lgad-studio attention``: the attention grid of one image, as a PNG, headless.

Rows are the teacher (fed the label map of the image's lanes; added from an
LGAD student's config when not given), then the students; columns the distilled
stages. The picture is the studio's attention view exported as PNG
(:func:`lgad_studio.core.attention_render.render_attention_grid`), at the image's
full resolution with row and column names and each student's distance to the
teacher. The lanes come from ``--lanes`` or the ``.lines.txt`` next to the image.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from lgad_studio.core.errors import StudioError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--checkpoints", nargs="+", required=True, metavar="CKPT", help="teacher and/or students"
    )
    parser.add_argument("--image", required=True, type=Path, help="the image (any size)")
    parser.add_argument(
        "--lanes",
        type=Path,
        help="its lanes as a CULane .lines.txt (default: the one next to the image)",
    )
    parser.add_argument("--out", required=True, type=Path, help="the PNG to write")
    parser.add_argument(
        "--stages", nargs="+", help="stages to show (default: the LGAD student's, else 1-3)"
    )
    parser.add_argument(
        "--no-blend", action="store_true", help="maps only, not blended over the image"
    )
    parser.add_argument("--threads", type=int, help="torch CPU threads")


def _lanes(image_path: Path, lanes_path: Path | None, size: tuple[int, int]):
    from lgad_studio.core.formats.culane_lines import read_lines_txt
    from lgad_studio.core.lanes import LaneSet

    path = lanes_path or image_path.with_suffix(".lines.txt")
    if not path.is_file():
        if lanes_path is not None:
            raise StudioError(f"{path}: no such lanes file, expected a CULane .lines.txt")
        return None
    return LaneSet(read_lines_txt(path, image_size=size).lanes, image_size=size)


def run(args: argparse.Namespace) -> int:
    import torch

    from lgad_studio.core.attention_render import render_attention_grid, write_attention_png
    from lgad_studio.core.attention_view import attention_rows
    from lgad_studio.core.formats.images import read_image_rgb
    from lgad_studio.core.lanes import LaneSet

    if args.threads:
        torch.set_num_threads(args.threads)
    image = read_image_rgb(args.image)
    size = (image.shape[1], image.shape[0])
    lanes = _lanes(args.image, args.lanes, size)
    maps = attention_rows(
        args.checkpoints, image, lanes or LaneSet((), image_size=size), stages=args.stages
    )
    if "teacher" in maps.rows and lanes is None:
        raise StudioError(
            f"{args.image}: the teacher is fed the image's lanes; give --lanes FILE.lines.txt "
            f"(no {args.image.with_suffix('.lines.txt').name} next to the image)"
        )
    grid = render_attention_grid(
        stages=maps.stages, rows=maps.rows, image=maps.image, blended=not args.no_blend
    )
    out = write_attention_png(args.out, grid)
    rows = ", ".join(maps.rows)
    print(f"attention: {len(maps.rows)} rows ({rows}) x {len(maps.stages)} stages -> {out}")
    print(f"{grid.shape[1]}x{grid.shape[0]} px")
    return 0
