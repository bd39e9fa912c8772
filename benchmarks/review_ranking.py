"""Which uncertainty signal puts wrong labels (and wrong proposals) at the top of the review queue?

Measurement of issue 12 on the demo data:

1. **Corrupted labels.** On a demo set the students never saw, a known
   ``--fraction`` of the images gets one corruption (``shift``: one lane moved
   sideways by 40-80 px; ``drop``: one lane removed; ``extra``: a lane added, a
   copy of one moved by 150-300 px or, on an image without lanes, a made-up one),
   in turn (an image without lanes always gets ``extra``). Every signal ranks all images; we count the corrupted images
   in the top 10 % of the queue, against random order (hypergeometric mean and
   95 % interval), over ``--seeds`` corruption seeds (mean ± std, and the range).
2. **Wrong proposals** (images without labels): which model-only signal puts
   the images whose LGAD proposals are wrong (any FP or FN against the clean
   labels at IoU 0.5, the CULane metric) at the top.
3. **Temporal jumps** need real clips; demo frames are drawn independently, so
   the signal is measured on synthetic label clips (lanes that drift smoothly,
   one frame in five corrupted as above).

    python benchmarks/review_ranking.py --lgad RUN/lgad/best.pt --baseline RUN/baseline/best.pt \
        [--data DEMO_ROOT] [--seeds 0 1 2 3 4] [--fraction 0.2] [--threads 1]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from scipy.stats import t as t_dist

from lgad_studio.core.autolabel.laneness import Laneness, widen
from lgad_studio.core.autolabel.proposals import proposals_from_prediction
from lgad_studio.core.autolabel.ranking import hits_at_fraction, random_hits, review_queue
from lgad_studio.core.autolabel.signals import (
    existence_ambiguity,
    label_disagreement,
    missing_lane,
    model_disagreement,
    temporal_jumps,
    unsupported_label,
    weak_lane,
)
from lgad_studio.core.demo.dataset import generate_demo_dataset
from lgad_studio.core.formats.dataset import open_dataset
from lgad_studio.core.lanes import Lane, LaneSet
from lgad_studio.core.metrics import evaluate_image
from lgad_studio.core.predictors import load_predictor

TOP = 0.10
KINDS = ("shift", "drop", "extra")


def corrupt(lanes: LaneSet, kind: str, rng: np.random.Generator) -> LaneSet:
    """``lanes`` with one corruption of ``kind`` (an image without lanes can only get ``extra``)."""
    if kind == "shift" and len(lanes):
        i = int(rng.integers(len(lanes)))
        dx = rng.uniform(40, 80) * rng.choice([-1, 1])
        return lanes.replace_lane(i, lanes[i].with_points(lanes[i].points + [dx, 0.0]))
    if kind == "drop" and len(lanes):
        return lanes.remove(int(rng.integers(len(lanes))))
    if len(lanes):
        source = lanes[int(rng.integers(len(lanes)))]
        dx = rng.uniform(150, 300) * rng.choice([-1, 1])
        return lanes.add(Lane(source.points + [dx, 0.0], None))
    width, height = lanes.image_size
    xb = rng.uniform(0.2, 0.8) * width
    ys = np.arange(height, 0.45 * height, -10.0)
    xs = xb + (width / 2 - xb) * (height - ys) / (0.55 * height)
    return lanes.add(Lane(np.column_stack([xs, ys]), None))


def corrupted_set(clean: dict[str, LaneSet], fraction: float, seed: int):
    rng = np.random.default_rng(seed)
    entries = sorted(clean)
    chosen = rng.choice(len(entries), size=round(fraction * len(entries)), replace=False)
    labels, kinds = dict(clean), {}
    for n, i in enumerate(chosen):
        entry = entries[i]
        kind = KINDS[n % len(KINDS)]
        kinds[entry] = kind if (len(clean[entry]) or kind == "extra") else "extra"
        labels[entry] = corrupt(clean[entry], kinds[entry], rng)
    return labels, kinds


def propose(model: Path, dataset, entries, batch: int = 8) -> tuple[dict, dict]:
    """``({entry: ImageProposals}, {entry: prob_map [5, h, w]})`` of a model: the job's own
    proposal step, keeping the small probability maps that label support needs."""
    predictor = load_predictor(model, device="cpu")
    props, maps = {}, {}
    for start in range(0, len(entries), batch):
        chunk = entries[start : start + batch]
        images = [dataset.read_image(e) for e in chunk]
        for entry, image, pred in zip(chunk, images, predictor.predict_batch(images), strict=True):
            size = (image.shape[1], image.shape[0])
            props[entry] = proposals_from_prediction(
                entry, pred.prob_map, pred.exist, image_size=size
            )
            maps[entry] = pred.prob_map
    return props, maps


def interval(values: list[int]) -> str:
    """Mean and its 95 % Student-t interval over the corruption seeds."""
    mean = statistics.mean(values)
    if len(values) < 2:
        return f"{mean:.1f}"
    half = t_dist.ppf(0.975, len(values) - 1) * statistics.stdev(values) / len(values) ** 0.5
    return f"**{mean:.1f}** (95 % CI {mean - half:.1f}–{mean + half:.1f}; seeds {min(values)}–{max(values)})"


def summarise(name: str, hits: list[int], found: dict[str, list[int]]) -> str:
    per_kind = " / ".join(f"{statistics.mean(found[k]):.1f}" for k in KINDS)
    return f"| {name} | {interval(hits)} | {per_kind} |"


def label_signals(entry, labels, models) -> dict[str, float]:
    """Every label-dependent signal of one image under the corrupted ``labels``."""
    (props, maps), (base, base_maps) = models["LGAD"], models["baseline"]
    fields = {
        name: Laneness.from_wide(widen(m[entry]), props[entry].image_size)
        for name, m in (("LGAD", maps), ("baseline", base_maps))
    }
    rows = props[entry].rows
    out = {
        "label (LGAD)": label_disagreement(props[entry], labels),
        "label (baseline)": label_disagreement(base[entry], labels),
        "label support (LGAD)": unsupported_label(fields["LGAD"], labels, rows),
        "label support (baseline)": unsupported_label(fields["baseline"], labels, rows),
        "missing lane (LGAD)": missing_lane(props[entry], labels),
    }
    out["label support (mean of both)"] = 0.5 * (
        out["label support (LGAD)"] + out["label support (baseline)"]
    )
    out["max(label support, missing lane) (LGAD)"] = max(
        out["label support (LGAD)"], out["missing lane (LGAD)"]
    )
    out["existence (LGAD)"] = existence_ambiguity(props[entry])
    out["weak lane (LGAD)"] = weak_lane(props[entry])
    out["models (LGAD vs baseline)"] = model_disagreement(props[entry], base[entry])
    return out


def measure_labels(clean, models, seeds, fraction) -> None:
    n = len(clean)
    drawn = round(TOP * n)
    positives = round(fraction * n)
    hits: dict[str, list[int]] = {}
    found: dict[str, dict[str, list[int]]] = {}
    counts: dict[str, list[int]] = {k: [] for k in KINDS}
    for seed in seeds:
        labels, kinds = corrupted_set(clean, fraction, seed)
        for kind in KINDS:
            counts[kind].append(sum(1 for k in kinds.values() if k == kind))
        table = {e: label_signals(e, labels[e], models) for e in labels}
        for name in next(iter(table.values())):
            queue = review_queue({e: table[e][name] for e in table})
            top = set(queue[:drawn])
            hits.setdefault(name, []).append(hits_at_fraction(queue, kinds, TOP))
            for kind in KINDS:
                count = sum(1 for e, k in kinds.items() if k == kind and e in top)
                found.setdefault(name, {k: [] for k in KINDS})[kind].append(count)
    mean, low, high = random_hits(n, positives, drawn)
    print(f"\n1. Corrupted labels: {positives} of {n} images, top {drawn} of the queue, "
          f"mean over corruption seeds {list(seeds)}\n")  # fmt: skip
    of = " / ".join(f"{statistics.mean(counts[k]):.1f}" for k in KINDS)
    print(f"| signal | corrupted images in the top 10 % (at most {drawn}) | "
          f"shift / drop / extra (of {of}) |")  # fmt: skip
    print("|---|---|---|")
    for name in sorted(hits, key=lambda k: -statistics.mean(hits[k])):
        print(summarise(name, hits[name], found[name]))
    print(f"| random order | {mean:.1f} (hypergeometric 95 %: {low:.0f}–{high:.0f}) | "
          f"{mean / 3:.1f} each |")  # fmt: skip


def measure_proposals(clean, models) -> None:
    props, base = models["LGAD"][0], models["baseline"][0]
    wrong = set()
    for entry, lanes in clean.items():
        result = evaluate_image(
            [ln.points for ln in lanes], [ln.points for ln in props[entry].lane_set()]
        )
        if result.fp or result.fn:
            wrong.add(entry)
    n, drawn = len(clean), round(TOP * len(clean))
    signals = {
        "existence (LGAD)": lambda e: existence_ambiguity(props[e]),
        "weak lane (LGAD)": lambda e: weak_lane(props[e]),
        "max(existence, weak lane)": lambda e: max(
            existence_ambiguity(props[e]), weak_lane(props[e])
        ),
        "models (LGAD vs baseline)": lambda e: model_disagreement(props[e], base[e]),
    }
    mean, low, high = random_hits(n, len(wrong), drawn)
    print(f"\n2. Wrong proposals: LGAD proposals of {len(wrong)} of {n} images have an FP or FN; "
          f"top {drawn} of the queue\n")  # fmt: skip
    print("| signal | wrong-proposal images in the top 10 % | precision |")
    print("|---|---|---|")
    for name, signal in signals.items():
        queue = review_queue({e: signal(e) for e in clean})
        hit = hits_at_fraction(queue, wrong, TOP)
        print(f"| {name} | **{hit}** | {100 * hit / drawn:.0f} % |")
    print(
        f"| random order | {mean:.1f} (95 %: {low:.0f}–{high:.0f}) | {100 * mean / drawn:.0f} % |"
    )


def synthetic_clip(rng: np.random.Generator, frames: int) -> list[LaneSet]:
    """Lanes drifting smoothly: per slot, bottom x and lean change linearly, plus a slow wave."""
    ys = np.arange(589.0, 260.0, -10.0)
    slots = {1: 250.0, 2: 650.0, 3: 1000.0, 4: 1400.0}
    speed = rng.uniform(-6, 6)
    out = []
    for t in range(frames):
        lanes = []
        for slot, xb in slots.items():
            x0 = xb + speed * t + 20 * np.sin(t / 7.0)
            lean = (820 - x0) / 330.0
            lanes.append(Lane(np.column_stack([x0 + lean * (589 - ys), ys]), slot))
        out.append(LaneSet(tuple(lanes)))
    return out


def measure_temporal(seeds, fraction) -> None:
    hits = []
    for seed in seeds:
        rng = np.random.default_rng(1000 + seed)
        clips = {f"clip{c}/{t:05d}.jpg": lanes for c in range(10)
                 for t, lanes in enumerate(synthetic_clip(rng, 40))}  # fmt: skip
        labels, kinds = corrupted_set(clips, fraction, seed)
        scores = {}
        for c in range(10):
            frames = [f"clip{c}/{t:05d}.jpg" for t in range(40)]
            scores.update(zip(frames, temporal_jumps([labels[f] for f in frames]), strict=True))
        hits.append(hits_at_fraction(review_queue(scores), kinds, TOP))
    n = len(scores)
    mean, low, high = random_hits(n, round(fraction * n), round(TOP * n))
    print(f"\n3. Temporal jumps on synthetic label clips (10 clips x 40 frames, {round(fraction * n)} "
          f"corrupted): the top {round(TOP * n)} hold {interval(hits)} corrupted frames; "
          f"random order {mean:.1f} (hypergeometric 95 %: {low:.0f}–{high:.0f})")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lgad", required=True, type=Path, help="LGAD student checkpoint or ONNX")
    parser.add_argument("--baseline", required=True, type=Path, help="baseline student")
    parser.add_argument(
        "--data", type=Path, help="demo dataset (default: generated, seed 1, 400 images)"
    )
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--fraction", type=float, default=0.2)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="lgad-ranking-") as tmp:
        root = args.data
        if root is None:
            root = Path(tmp) / "data"
            generate_demo_dataset(root, train=400, val=0, test=0, seed=1)
        dataset = open_dataset(root)
        entries = list(dict.fromkeys(e for s in dataset.split_names() for e in dataset.entries(s)))
        clean = {e: dataset.read_lanes(e) for e in entries}
        models = {"LGAD": propose(args.lgad, dataset, entries),
                  "baseline": propose(args.baseline, dataset, entries)}  # fmt: skip
    print(f"{len(entries)} images of {root}; LGAD {args.lgad}, baseline {args.baseline}")
    measure_labels(clean, models, args.seeds, args.fraction)
    measure_proposals(clean, models)
    measure_temporal(args.seeds, args.fraction)
    print(f"\n{(time.monotonic() - started) / 60:.1f} min")


if __name__ == "__main__":
    main()
