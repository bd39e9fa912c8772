"""``lgad-studio autolabel``: propose lanes for a dataset's images into a sidecar, never over labels.

Runs a student checkpoint (``.pt``) or its ONNX export (``.onnx``) over the
entries of ``--split`` (default: every split), or only those without labels
(``--only-unlabelled``), and stores proposals with their scores and uncertainty
in the SQLite sidecar ``--out`` (e.g. ``ROOT/.lgad/proposals.sqlite``). Running
it again with the same model and settings resumes: entries already done are
skipped. Ctrl+C keeps every finished batch.
"""

from __future__ import annotations

import argparse
import sys

from lgad_studio.commands._progress import run_with_progress
from lgad_studio.core.errors import StudioError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", required=True, help="student checkpoint (.pt) or ONNX export")
    parser.add_argument("--data", required=True, help="dataset root (CULane, TuSimple, images)")
    parser.add_argument("--split", help="only this split's entries (default: every split)")
    parser.add_argument(
        "--only-unlabelled", action="store_true", help="skip entries that already have labels"
    )
    parser.add_argument(
        "--out", required=True, help="proposals sidecar, a .sqlite file (created if missing)"
    )
    parser.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:N or mps")
    parser.add_argument("--batch-size", type=positive, default=8)
    parser.add_argument("--threads", type=positive, help="torch / onnxruntime CPU threads")


def positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: expected a whole number of at least 1")
    return value


def scope(dataset, split: str | None, only_unlabelled: bool) -> list[str]:
    """The entries the command works on, in dataset order without repeats."""
    from lgad_studio.core.autolabel import unlabelled_entries

    if split is not None and split not in dataset.split_names():
        raise StudioError(f"{dataset.root}: no split {split!r}; it has {dataset.split_names()}")
    names = [split] if split is not None else dataset.split_names()
    entries = list(dict.fromkeys(e for name in names for e in dataset.entries(name)))
    return unlabelled_entries(dataset, entries) if only_unlabelled else entries


def run(args: argparse.Namespace) -> int:
    import torch

    from lgad_studio.core.autolabel import AutolabelSettings, ProposalStore, autolabel
    from lgad_studio.core.autolabel.ranking import review_queue
    from lgad_studio.core.formats.dataset import open_dataset
    from lgad_studio.core.predictors import load_predictor

    if args.threads:
        torch.set_num_threads(args.threads)
    settings = AutolabelSettings(batch_size=args.batch_size)
    dataset = open_dataset(args.data)
    entries = scope(dataset, args.split, args.only_unlabelled)
    predictor = load_predictor(args.model, device=args.device)
    job = autolabel(predictor, dataset, entries, args.out, settings=settings, model_path=args.model)
    summary = run_with_progress(job, desc="autolabel")
    print(
        f"autolabel: {summary.written} images proposed, {summary.skipped} already done "
        f"(run {summary.run_key}) -> {summary.store}"
    )
    for problem in summary.problems[:10]:
        print(f"autolabel: skipped {problem}", file=sys.stderr)
    if len(summary.problems) > 10:
        print(f"autolabel: … {len(summary.problems) - 10} more skipped", file=sys.stderr)
    wanted = set(entries)
    with ProposalStore(args.out) as store:
        scores = {e: u for e, u in store.uncertainties(summary.run_key).items() if e in wanted}
    top = review_queue(scores)[:5]
    if top:
        print(
            "autolabel: most uncertain first: " + ", ".join(f"{e} ({scores[e]:.2f})" for e in top)
        )
    return 0
