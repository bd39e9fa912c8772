"""``lgad-studio export``: a student checkpoint as an ONNX graph (prob + exist outputs)."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--checkpoint", required=True, help="student checkpoint (.pt)")
    parser.add_argument("--onnx", required=True, help="output .onnx file")
    parser.add_argument("--opset", type=int, default=17)


def run(args: argparse.Namespace) -> int:
    from lgad_studio.core.checkpoint import load_checkpoint
    from lgad_studio.core.export import export_onnx

    path = export_onnx(args.checkpoint, args.onnx, opset=args.opset)
    w, h = load_checkpoint(args.checkpoint).input_size
    print(f"export: {path} (input [B, 3, {h}, {w}] -> prob [B, 5, {h}, {w}], exist [B, 4])")
    return 0
