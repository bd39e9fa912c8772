"""Models with known answers for the review tests: they "see" the lanes they are given.

A :class:`PaintedModel` returns, for every image, a probability map painted from a
fixed ``LaneSet`` (the lanes' 16-px label map at the network size, 0.92 on the lane,
0.02 elsewhere) and chosen existence probabilities. The proposals the studio makes
from it are therefore known in advance (the same core decoding, run in the test), and
its ``fingerprint`` keys its sidecar run. ``gate`` makes a batch wait before each
image until the test lets it go, so cancel and resume are tested without timing.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np

from lgad_studio.core.formats.culane_lines import render_label_map
from lgad_studio.core.inference import Prediction
from lgad_studio.core.lanes import LaneSet

INPUT_SIZE = (200, 72)


def painted_map(lanes: LaneSet, *, size: tuple[int, int] = INPUT_SIZE) -> np.ndarray:
    """``float32 [5, h, w]``: 0.92 for the class each pixel has in the label map, 0.02 else."""
    label = render_label_map(lanes, size=size)
    prob = np.full((5, size[1], size[0]), 0.02, dtype=np.float32)
    for value in range(5):
        prob[value][label == value] = 0.92
    return prob


class PaintedModel:
    """A predictor (``predict``, ``predict_batch``, ``fingerprint``) that proposes ``lanes``."""

    def __init__(
        self,
        lanes: LaneSet,
        *,
        exist: Sequence[float] = (0.9, 0.9, 0.9, 0.9),
        name: str = "painted",
        gate: threading.Semaphore | None = None,
    ) -> None:
        self.lanes = lanes
        self.exist = np.asarray(exist, dtype=np.float32)
        self.fingerprint = f"painted-{name}"
        self.input_size = INPUT_SIZE
        self.gate = gate
        self.calls: list[int] = []  # images per predict_batch call

    def predict_batch(self, images: Sequence[np.ndarray]) -> list[Prediction]:
        self.calls.append(len(images))
        results = []
        for image in images:
            if self.gate is not None:
                assert self.gate.acquire(timeout=60), "the test never let the batch go on"
            size = (image.shape[1], image.shape[0])
            lanes = LaneSet(self.lanes.lanes, image_size=size)
            results.append(Prediction(lanes, painted_map(lanes), self.exist.copy()))
        return results

    def predict(self, image: np.ndarray) -> Prediction:
        return self.predict_batch([image])[0]


def image_proposals(
    entry: str,
    lanes: Sequence,
    *,
    existence: Sequence[float] | None = None,
    uncertainty: float = 0.0,
    image_size: tuple[int, int] = (1640, 590),
):
    """One image's proposals of known lanes (``Lane`` objects) and existence probabilities."""
    from lgad_studio.core.autolabel import ImageProposals, LaneProposal

    existence = existence or [0.9] * len(lanes)
    props = tuple(
        LaneProposal(lane, float(e), 0.8) for lane, e in zip(lanes, existence, strict=True)
    )
    return ImageProposals(
        entry, image_size, props, np.full(4, np.nan), np.zeros(0), {"weak_lane": uncertainty},
        uncertainty,
    )  # fmt: skip


def write_run(root, images, *, key: str = "run-1", model_path: str = "students/best.pt") -> str:
    """A model run in the dataset's sidecar holding ``images`` (``ImageProposals``); its key."""
    from lgad_studio.core.autolabel import ProposalStore, RunInfo, default_store_path

    with ProposalStore(default_store_path(root)) as store:
        store.ensure_run(RunInfo(key, "model", f"fp-{key}", model_path, {}))
        store.put(key, images)
    return key
