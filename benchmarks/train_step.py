"""Time a plain student step, an LGAD step and the students' inference latency, in one run.

An LGAD step is the student step plus the frozen teacher's encoder (no grad) on
the encoded label map and the attention loss; the issue's target is a ratio of
at most 1.3. Inference of a distilled and a baseline student is the same graph,
so their latency ratio should read 1.00. Steps are interleaved (plain, LGAD,
plain, ...) so that load from other processes hits both alike; medians are
printed.

    python benchmarks/train_step.py [--arch enet] [--width 0.5] [--size 200x72] [--batch 8]
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch

from lgad_studio.core.losses import compose_losses, distillation_terms, mimic_pairs
from lgad_studio.core.models import build_model
from lgad_studio.core.models.teacher_input import encode_label


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arch", default="enet", choices=["enet", "erfnet"])
    parser.add_argument("--width", type=float, default=0.5)
    parser.add_argument("--size", default="200x72", help="input WxH")
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    w, h = (int(v) for v in args.size.split("x"))
    device = torch.device(args.device)
    torch.manual_seed(0)

    student = build_model(args.arch, width=args.width).to(device).train()
    teacher = build_model(args.arch, in_channels=5, width=args.width).to(device).eval()
    for p in teacher.parameters():
        p.requires_grad_(False)
    optimizer = torch.optim.AdamW(student.parameters(), lr=1e-3)
    image = torch.randn(args.batch, 3, h, w, device=device)
    label = torch.randint(0, 5, (args.batch, h, w), device=device)
    exist = torch.randint(0, 2, (args.batch, 4), device=device).float()
    pairs = mimic_pairs("lgad", ["stage1", "stage2", "stage3"])

    def step(lgad: bool) -> float:
        sync(device)
        start = time.perf_counter()
        out = student(image)
        terms = None
        if lgad:
            with torch.no_grad():
                target = teacher.encode(encode_label(label))
            terms = distillation_terms(out.features, target, pairs)
        losses = compose_losses(out.seg, out.exist, label, exist, at_terms=terms, at_weight=0.1)
        optimizer.zero_grad(set_to_none=True)
        losses["loss"].backward()
        optimizer.step()
        sync(device)
        return time.perf_counter() - start

    for _ in range(2):  # warm-up
        step(False), step(True)
    plain, lgad = [], []
    for _ in range(args.repeats):
        plain.append(step(False))
        lgad.append(step(True))
    p, g = statistics.median(plain), statistics.median(lgad)
    print(
        f"device {device}, threads {torch.get_num_threads()}, {args.arch} x{args.width}, batch {args.batch} at {w}x{h}"
    )
    print(f"plain student step: {p * 1000:.1f} ms (median of {args.repeats})")
    print(f"LGAD step (student + frozen teacher + attention loss): {g * 1000:.1f} ms")
    print(f"LGAD / plain: {g / p:.2f} (target <= 1.3)")

    distilled = build_model(args.arch, width=args.width).to(device).eval()
    distilled.load_state_dict(student.state_dict())
    baseline = build_model(args.arch, width=args.width).to(device).eval()
    one = torch.randn(1, 3, h, w, device=device)
    lat_d, lat_b = [], []
    with torch.no_grad():
        for _ in range(3):
            distilled(one), baseline(one)
        for _ in range(args.repeats * 3):
            lat_d.append(timed(distilled, one, device))
            lat_b.append(timed(baseline, one, device))
    d, b = statistics.median(lat_d), statistics.median(lat_b)
    print(
        f"inference latency, batch 1: distilled {d * 1000:.2f} ms, baseline {b * 1000:.2f} ms, ratio {d / b:.2f}"
    )


def timed(model: torch.nn.Module, x: torch.Tensor, device: torch.device) -> float:
    sync(device)
    start = time.perf_counter()
    model(x)
    sync(device)
    return time.perf_counter() - start


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


if __name__ == "__main__":
    main()
