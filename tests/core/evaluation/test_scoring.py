"""The evaluation generator: order, the official ground-truth rule, duck-typed predictors,
the thread budget (no thread at 1, inference one step ahead at 2) and cancellation."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest
import torch

from lgad_studio.core.evaluation import ground_truth, score_entries
from lgad_studio.core.formats.culane_lines import write_lines_txt
from lgad_studio.core.formats.dataset import open_dataset
from lgad_studio.core.inference import LanePredictor
from lgad_studio.core.lanes import Lane, LaneSet
from lgad_studio.core.metrics import evaluate_culane
from lgad_studio.core.prediction import Prediction


class FixedLanes:
    """A predictor without torch, ``infer_batch`` or keywords (like an ONNX session):
    the same lane for every image; it records the threads it was called from."""

    input_size = (64, 24)

    def __init__(self) -> None:
        self.threads: set[str] = set()

    def predict_batch(self, images):
        self.threads.add(threading.current_thread().name)
        out = []
        for image in images:
            h, w = image.shape[:2]
            pts = np.stack([np.full(18, 700.0), h - 1 - 20.0 * np.arange(18)], axis=1)
            lanes = LaneSet((Lane(pts, 2),), image_size=(w, h))
            out.append(Prediction(lanes, np.zeros((5, 24, 64), np.float32), np.ones(4, np.float32)))
        return out


def test_every_entry_in_order_scored_by_the_official_rule(demo_root: Path) -> None:
    dataset = open_dataset(demo_root)
    entries = dataset.entries("test")[::-1]
    write_lines_txt(dataset.lines_path(entries[0]), [np.array([[700.0, 400.0]])])  # 1 point
    images = list(score_entries([FixedLanes()], dataset, entries, batch_size=4, threads=1))
    assert [i.entry for i in images] == entries and [i.index for i in images] == list(range(9))
    pairs = {e: (ground_truth(dataset, e), [i.predictions[0].lanes[0].points]) for e, i in
             zip(entries, images, strict=True)}  # fmt: skip
    expected = evaluate_culane(pairs, workers=1).per_image_counts()
    assert {i.entry: list(i.counts()) for i in images} == expected
    assert images[0].counts() == (0, 1, 1)  # the 1-point lane is a miss, never a match
    assert images[0].image_size == (1640, 590)


def test_a_thread_budget_of_one_runs_in_the_callers_thread(
    demo_root: Path, constant_checkpoint: Path
) -> None:
    dataset = open_dataset(demo_root)
    fixed = FixedLanes()
    before = threading.active_count()
    for _ in score_entries([fixed], dataset, dataset.entries("test"), batch_size=2, threads=1):
        assert threading.active_count() == before
    assert fixed.threads == {threading.current_thread().name}


def test_two_threads_infer_one_batch_ahead_with_one_torch_thread(
    demo_root: Path, constant_checkpoint: Path
) -> None:
    dataset = open_dataset(demo_root)
    entries = dataset.entries("test")
    predictor = LanePredictor.from_checkpoint(constant_checkpoint, device="cpu")
    seen: list[int] = []
    original = predictor.infer_batch

    def infer(images, **kwargs):
        seen.append(torch.get_num_threads())
        assert threading.current_thread().name == "lgad-evaluation-prefetch"
        return original(images, **kwargs)

    predictor.infer_batch = infer
    torch.set_num_threads(2)
    try:
        ahead = [i.counts() for i in score_entries([predictor], dataset, entries, batch_size=2)]
        assert torch.get_num_threads() == 2  # the caller's setting is back
    finally:
        torch.set_num_threads(1)
    predictor.infer_batch = original
    alone = [i.counts() for i in score_entries([predictor], dataset, entries, threads=1)]
    assert ahead == alone and seen == [1] * 5


def test_cancel_stops_before_the_next_batch_and_errors_surface(demo_root: Path) -> None:
    dataset = open_dataset(demo_root)
    cancel = threading.Event()
    done = []
    for image in score_entries([FixedLanes()], dataset, dataset.entries("test"), batch_size=3,
                               cancel=cancel, threads=2):  # fmt: skip
        done.append(image.entry)
        cancel.set()
    assert len(done) == 3
    missing = dataset.entries("test")[4]
    dataset.lines_path(missing).unlink()
    with pytest.raises(Exception, match="lane file is missing"):
        list(score_entries([FixedLanes()], dataset, dataset.entries("test"), threads=2))
