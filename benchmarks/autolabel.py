"""Auto-label throughput on CPU: proposals per second with a checkpoint and with its ONNX export.

For each network input size (default 200x72 and 800x288) an untrained student
(ENet x0.5 by default: speed does not depend on the weights) is saved as a
checkpoint and exported to ONNX. The whole job runs over the same demo images
each time (read the JPEG, predict, decode every slot, score, compare with the
stored label, write the batch to a fresh SQLite sidecar), the two runtimes
interleaved so that load from other processes hits both alike. Printed:
median proposals/s of the job, and of ``predict_batch`` alone on preloaded images.

    python benchmarks/autolabel.py [--images 48] [--repeats 3] [--threads 1] [--sizes 200x72 800x288]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import torch

from lgad_studio.core.autolabel import AutolabelSettings, autolabel
from lgad_studio.core.checkpoint import save_checkpoint
from lgad_studio.core.demo.dataset import generate_demo_dataset
from lgad_studio.core.export import export_onnx
from lgad_studio.core.formats.dataset import open_dataset
from lgad_studio.core.models import build_model
from lgad_studio.core.predictors import load_predictor


def student_checkpoint(path: Path, *, arch: str, width: float, size: tuple[int, int]) -> Path:
    torch.manual_seed(0)
    model = build_model(arch, width=width)
    return save_checkpoint(
        path,
        {
            "kind": "student", "arch": arch, "in_channels": 3, "width": width, "num_classes": 5,
            "input_size": list(size), "model": model.state_dict(), "config": {}, "epoch": 0,
        },
    )  # fmt: skip


def time_job(predictor, dataset, entries, folder: Path, batch: int) -> float:
    store = Path(tempfile.mkdtemp(dir=folder)) / "p.sqlite"
    start = time.perf_counter()
    for _ in autolabel(
        predictor, dataset, entries, store, settings=AutolabelSettings(batch_size=batch)
    ):
        pass
    return len(entries) / (time.perf_counter() - start)


def time_predict(predictor, images, batch: int) -> float:
    start = time.perf_counter()
    for i in range(0, len(images), batch):
        predictor.predict_batch(images[i : i + batch])
    return len(images) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=48)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--arch", default="enet", choices=["enet", "erfnet"])
    parser.add_argument("--width", type=float, default=0.5)
    parser.add_argument("--sizes", nargs="+", default=["200x72", "800x288"])
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    with tempfile.TemporaryDirectory(prefix="lgad-autolabel-bench-") as tmp:
        folder = Path(tmp)
        root = folder / "data"
        generate_demo_dataset(root, train=args.images, val=0, test=0, seed=0)
        dataset = open_dataset(root)
        entries = dataset.entries("train")
        images = [dataset.read_image(e) for e in entries]
        print(f"{len(entries)} demo images 1640x590, {args.arch} x{args.width}, batch {args.batch}, "
              f"{args.threads} thread(s), {args.repeats} repeats (medians)")  # fmt: skip
        print("| input | runtime | job proposals/s | predict_batch images/s |")
        print("|---|---|---|---|")
        for size_text in args.sizes:
            size = tuple(int(v) for v in size_text.split("x"))
            ckpt = student_checkpoint(
                folder / f"s{size_text}.pt", arch=args.arch, width=args.width, size=size
            )
            runtimes = {"checkpoint": load_predictor(ckpt, device="cpu"),
                        "ONNX": load_predictor(export_onnx(ckpt, folder / f"s{size_text}.onnx"), device="cpu")}  # fmt: skip
            for predictor in runtimes.values():  # warm-up: first-call allocations, lazy init
                predictor.predict_batch(images[: args.batch])
            job = {name: [] for name in runtimes}
            raw = {name: [] for name in runtimes}
            for _ in range(args.repeats):
                for name, predictor in runtimes.items():
                    job[name].append(time_job(predictor, dataset, entries, folder, args.batch))
                    raw[name].append(time_predict(predictor, images, args.batch))
            for name in runtimes:
                print(f"| {size_text} | {name} | {statistics.median(job[name]):.1f} | "
                      f"{statistics.median(raw[name]):.1f} |")  # fmt: skip


if __name__ == "__main__":
    main()
