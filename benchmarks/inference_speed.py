"""Batched CPU inference + decoding + matching: the evaluation path before and after issue 13.

Scores ``--images`` demo images with a student (ENet x0.5 at 200x72 by default,
the demo preset) through:

- ``before``: the path as it was -- ``torch.no_grad``, the whole 5-channel map
  resized to 800 columns by torch, the 9x9 mean filter over every existing
  slot's whole map, then matching, all in one thread;
- ``after``: :func:`lgad_studio.core.evaluation.score_entries` with a budget of
  one thread (``inference_mode``, only existing slots resized by OpenCV, the
  filter on sampled rows only);
- ``after x2``: the same with a budget of two threads: reading and inference
  one batch ahead on one thread (torch at 1 thread), decoding and matching on
  the caller's;
- ``torch x2``: the one-thread path with torch given both threads instead.

Runs are interleaved (each round runs every variant once, in rotated order) and
medians are printed -- wall-clock images/s and CPU ms per image (the steadier
figure on a shared machine) -- with the counts of every variant checked identical. A
last line times the network alone with ``channels_last`` against the default
layout, interleaved (see ``lgad_studio/core/inference.py`` for why it stays off).

    .venv/bin/python benchmarks/inference_speed.py [--images 64] [--repeat 3] [--size 200x72]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np
import torch


def _legacy_decode(prob: np.ndarray, exist: np.ndarray, size: tuple[int, int]) -> list:
    """The decoder before issue 13, for the baseline (full-map filter, SCNN rows)."""
    width, height = size
    _, h, w = prob.shape
    ys = height - 1 - 20 * np.arange(18)
    rows = np.clip(np.floor((ys + 0.5) * h / height).astype(np.int64), 0, h - 1)
    lanes = []
    for slot in range(1, 5):
        if not exist[slot - 1] > 0.5:
            continue
        channel = cv2.blur(
            np.ascontiguousarray(prob[slot]), (9, 9), borderType=cv2.BORDER_REPLICATE
        )
        picked = channel[rows]
        cols = picked.argmax(axis=1)
        keep = picked[np.arange(len(rows)), cols] > 0.3
        if int(keep.sum()) >= 2:
            xs = (cols[keep] + 0.5) * width / w - 0.5
            lanes.append(np.column_stack([xs, ys[keep]]).astype(np.float64))
    return lanes


def before(model, input_size, dataset, entries, batch: int) -> list[tuple[int, int, int]]:
    from lgad_studio.core.evaluation.truth import ground_truth
    from lgad_studio.core.metrics.culane import evaluate_images
    from lgad_studio.core.training.data import resize_image, to_tensor

    counts = []
    for start in range(0, len(entries), batch):
        chunk = entries[start : start + batch]
        images = [dataset.read_image(e) for e in chunk]
        x = torch.stack([to_tensor(resize_image(im, input_size)) for im in images])
        with torch.no_grad():
            out = model(x)
            small = torch.softmax(out.seg.float(), dim=1)
            h, w = small.shape[-2:]
            wide = torch.nn.functional.interpolate(
                small, size=(round(h * 800 / w), 800), mode="bilinear", align_corners=False
            ).numpy()
            exist = torch.sigmoid(out.exist.float()).numpy()
        size = (images[0].shape[1], images[0].shape[0])
        pairs = [
            (e, ground_truth(dataset, e), _legacy_decode(p, x_, size))
            for e, p, x_ in zip(chunk, wide, exist, strict=True)
        ]
        counts += [r.counts for r in evaluate_images(pairs, image_size=size)]
    return counts


def after(predictor, dataset, entries, batch: int, threads: int) -> list[tuple[int, int, int]]:
    from lgad_studio.core.evaluation import score_entries

    return [
        i.counts()
        for i in score_entries([predictor], dataset, entries, batch_size=batch, threads=threads)
    ]


def forward_ms(model, input_size, *, batch: int, repeat: int) -> tuple[float, float]:
    """CPU ms per image of the network alone: default layout, then ``channels_last``
    (a copy of the model), interleaved, medians."""
    import copy

    w, h = input_size
    x = torch.randn(batch, 3, h, w)
    x_last = x.contiguous(memory_format=torch.channels_last)
    last = copy.deepcopy(model).to(memory_format=torch.channels_last)
    plain_s, last_s = [], []
    with torch.inference_mode():
        model(x), last(x_last)
        for _ in range(repeat):
            t = time.process_time()
            model(x)
            plain_s.append(time.process_time() - t)
            t = time.process_time()
            last(x_last)
            last_s.append(time.process_time() - t)
    return tuple(1000 * statistics.median(v) / batch for v in (plain_s, last_s))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=64)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--size", default="200x72", help="network input WxH")
    parser.add_argument("--width", type=float, default=0.5)
    args = parser.parse_args(argv)
    from lgad_studio.core.demo.dataset import generate_demo_dataset
    from lgad_studio.core.formats.dataset import open_dataset
    from lgad_studio.core.inference import LanePredictor
    from lgad_studio.core.models import build_model

    w, h = (int(v) for v in args.size.lower().split("x"))
    work = Path(tempfile.mkdtemp(prefix="lgad-infer-"))
    per_category = max(1, -(-args.images // 9))
    generate_demo_dataset(work / "demo", train=0, val=0, test=9 * per_category, seed=3)
    dataset = open_dataset(work / "demo")
    entries = dataset.entries("test")[: args.images]
    torch.manual_seed(0)
    model = build_model("enet", in_channels=3, width=args.width).eval()
    with torch.no_grad():  # lanes on every image, as a trained model has: real decoding work
        model.exist_head.fc[2].bias.fill_(4.0)
        model.decoder.full_conv.weight.mul_(300.0)
    predictor = LanePredictor.from_model(model, input_size=(w, h), device="cpu")

    def run(name: str) -> list:
        if name == "before":
            torch.set_num_threads(1)
            return before(model, (w, h), dataset, entries, args.batch)
        if name == "torch x2":
            torch.set_num_threads(2)
            return after(predictor, dataset, entries, args.batch, threads=1)
        torch.set_num_threads(2 if name == "after x2" else 1)
        return after(predictor, dataset, entries, args.batch, threads=None)

    names = ["before", "after", "after x2", "torch x2"]
    seconds: dict[str, list[float]] = {n: [] for n in names}
    cpu: dict[str, list[float]] = {n: [] for n in names}
    results: dict[str, list] = {}
    run("after")  # warm-up: caches, allocator
    for r in range(args.repeat):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            t, c = time.perf_counter(), time.process_time()
            results[name] = run(name)
            seconds[name].append(time.perf_counter() - t)
            cpu[name].append(time.process_time() - c)
    torch.set_num_threads(1)
    n = len(entries)
    print(f"{n} images 1640x590, ENet x{args.width} at {w}x{h}, batch {args.batch}, "
          f"{args.repeat} interleaved runs, medians:")  # fmt: skip
    base = statistics.median(seconds["before"])
    for name in names:
        s = statistics.median(seconds[name])
        c = statistics.median(cpu[name])
        print(f"  {name:<9} {n / s:6.1f} images/s  ({base / s:4.2f}x before), "
              f"CPU {1000 * c / n:5.1f} ms/image")  # fmt: skip
    same = all(results[name] == results["before"] for name in names)
    print(f"identical per-image counts: {same}")
    plain, last = forward_ms(model, (w, h), batch=args.batch, repeat=8)
    print(f"network alone, 1 thread, CPU: {plain:.1f} ms/image; channels_last {last:.1f} ms/image")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
