"""``lgad-studio export``: a student checkpoint as an ONNX graph (prob + exist outputs).

The file carries its input size, normalisation, class/slot layout, decode
defaults and the checkpoint's weights fingerprint in its ``lgad_studio`` metadata;
``lgad-studio autolabel --model FILE.onnx`` runs it without the checkpoint.
"""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--checkpoint", required=True, help="student checkpoint (.pt)")
    parser.add_argument("--onnx", required=True, help="output .onnx file")
    parser.add_argument("--opset", type=int, default=17)


def run(args: argparse.Namespace) -> int:
    from lgad_studio.core.checkpoint import load_checkpoint
    from lgad_studio.core.export import export_onnx, onnx_metadata

    path = export_onnx(args.checkpoint, args.onnx, opset=args.opset)
    meta = onnx_metadata(load_checkpoint(args.checkpoint))
    w, h = meta["input"]["size"]
    print(f"export: {path} (input [B, 3, {h}, {w}] -> prob [B, 5, {h}, {w}], exist [B, 4])")
    print(
        f"export: metadata 'lgad_studio': weights sha256 {meta['source']['weights_sha256'][:16]}…"
    )
    return 0
