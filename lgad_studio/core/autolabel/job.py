"""The batch auto-label job: one generator drives the CLI, the tests and the studio.

``autolabel(predictor, dataset, entries, store_path)`` predicts every entry not
yet done by this run (same model fingerprint and settings: resume), turns each
prediction into proposals with scores and uncertainty signals, and writes each
batch to the sidecar store in one transaction. It reads images and labels and
never writes into the dataset. The cancel flag is checked before every batch;
a cancelled run keeps the batches it finished, and running it again completes it
with the same proposals an uninterrupted run gives. Scope (current image,
selection, all, only unlabelled) is the caller's ``entries``;
:func:`unlabelled_entries` gives the last. :func:`run_batches` is the loop that
clip propagation (:mod:`.propagation`) shares.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from lgad_studio.core.autolabel.fingerprint import predictor_fingerprint, run_key
from lgad_studio.core.autolabel.labels_digest import lanes_sha
from lgad_studio.core.autolabel.laneness import Laneness, widen
from lgad_studio.core.autolabel.proposals import ImageProposals, proposals_from_prediction
from lgad_studio.core.autolabel.settings import AutolabelSettings
from lgad_studio.core.autolabel.signals import image_signals, uncertainty_of
from lgad_studio.core.autolabel.store import ProposalStore, RunInfo
from lgad_studio.core.errors import LabelFormatError, Problem
from lgad_studio.core.events import Progress

KIND = "model"
BatchMaker = Callable[[list[str], list[Problem]], list[ImageProposals]]


@dataclass(frozen=True)
class AutolabelProgress(Progress):
    """A :class:`Progress` with what an ETA needs; ``done`` counts resumed entries too."""

    skipped: int = 0  # entries the run had already done (resume)
    elapsed_s: float = 0.0  # since this call started
    images_per_s: float = 0.0  # entries processed per second by this call

    @property
    def eta_s(self) -> float | None:
        """Seconds left at the rate so far; ``None`` before the first batch."""
        if self.done >= self.total:
            return 0.0
        if self.images_per_s <= 0:
            return None
        return (self.total - self.done) / self.images_per_s


@dataclass(frozen=True)
class AutolabelSummary:
    """What a run did; the generator's return value."""

    store: Path
    run_key: str
    total: int
    written: int
    skipped: int  # already done before this call
    cancelled: bool
    problems: list[Problem] = field(default_factory=list)  # unreadable images or labels


def unlabelled_entries(dataset, entries: Sequence[str]) -> list[str]:
    """The entries that have no label file yet (the "only unlabelled" scope)."""
    return [e for e in entries if not dataset.has_labels(e)]


def autolabel_run_key(fingerprint: str, settings: AutolabelSettings) -> str:
    return run_key(kind=KIND, model=fingerprint, settings=settings.keyed())


def autolabel(
    predictor,
    dataset,
    entries: Sequence[str],
    store_path: str | Path,
    *,
    settings: AutolabelSettings | None = None,
    cancel: threading.Event | None = None,
    fingerprint: str | None = None,
    model_path: str | Path = "",
) -> Generator[AutolabelProgress, None, AutolabelSummary]:
    """Propose lanes for ``entries`` into the store at ``store_path``; see the module docstring.

    ``predictor`` is anything with ``predict_batch(list of uint8 [H, W, 3] RGB) ->
    list[Prediction]`` (a checkpoint's or an ONNX model's, see
    :func:`lgad_studio.core.predictors.load_predictor`); its fingerprint keys the run
    unless ``fingerprint`` is given. Yields an :class:`AutolabelProgress` once before
    the first batch and after every batch; returns an :class:`AutolabelSummary`.
    """
    settings = settings or AutolabelSettings()
    fingerprint = fingerprint or predictor_fingerprint(predictor)
    run = RunInfo(
        autolabel_run_key(fingerprint, settings), KIND, fingerprint, str(model_path),
        settings.keyed(), info={"dataset": str(dataset.root)},
    )  # fmt: skip

    def make_batch(chunk: list[str], problems: list[Problem]) -> list[ImageProposals]:
        images = read_images(dataset, chunk, problems)
        if not images:
            return []
        predictions = predictor.predict_batch([image for _, image in images])
        batch = []
        for (entry, image), pred in zip(images, predictions, strict=True):
            size = (image.shape[1], image.shape[0])
            wide = widen(pred.prob_map, width=settings.decode_width)
            props = proposals_from_prediction(
                entry, pred.prob_map, pred.exist, image_size=size, settings=settings, wide=wide
            )
            labels = read_labels(dataset, entry, problems)
            field = Laneness.from_wide(wide, size)
            signals = image_signals(props, labels, field=field)
            sha = lanes_sha(labels) if labels is not None else ""
            batch.append(props.with_signals(signals, uncertainty_of(signals), labels_sha=sha))
        return batch

    return (
        yield from run_batches(
            store_path, run, entries, make_batch, batch_size=settings.batch_size, cancel=cancel
        )
    )


def run_batches(
    store_path: str | Path,
    run: RunInfo,
    entries: Sequence[str],
    make_batch: BatchMaker,
    *,
    batch_size: int,
    cancel: threading.Event | None = None,
) -> Generator[AutolabelProgress, None, AutolabelSummary]:
    """Store ``make_batch(chunk, problems)`` for every not-yet-done chunk of ``entries``.

    Entries the run already holds are skipped (resume); an entry ``make_batch``
    leaves out (unreadable) is not stored and is retried by the next call.
    """
    entries = list(dict.fromkeys(entries))
    problems: list[Problem] = []
    with ProposalStore(store_path) as store:
        store.ensure_run(run)
        done = store.done_entries(run.run_key)
        todo = [e for e in entries if e not in done]
        skipped = len(entries) - len(todo)
        processed = written = 0
        started = time.monotonic()

        def progress(message: str) -> AutolabelProgress:
            elapsed = time.monotonic() - started
            rate = processed / elapsed if processed and elapsed > 0 else 0.0
            return AutolabelProgress(
                skipped + processed, len(entries), message, skipped, elapsed, rate
            )

        yield progress(f"{skipped} of {len(entries)} already done" if skipped else "starting")
        for start in range(0, len(todo), batch_size):
            if cancel is not None and cancel.is_set():
                break
            chunk = todo[start : start + batch_size]
            written += store.put(run.run_key, make_batch(chunk, problems))
            processed += len(chunk)
            yield progress(chunk[-1])
    cancelled = skipped + processed < len(entries)
    return AutolabelSummary(
        Path(store_path), run.run_key, len(entries), written, skipped, cancelled, problems
    )


def read_images(dataset, chunk: list[str], problems: list[Problem]) -> list[tuple]:
    """``[(entry, uint8 [H, W, 3] RGB)]`` of the readable entries; the others become problems."""
    images = []
    for entry in chunk:
        try:
            images.append((entry, dataset.read_image(entry)))
        except LabelFormatError as err:
            problems.append(Problem.from_error(err))
    return images


def read_labels(dataset, entry: str, problems: list[Problem]):
    """The entry's labels, ``None`` when it has none or they do not parse (a problem)."""
    if not dataset.has_labels(entry):
        return None
    try:
        return dataset.read_lanes(entry)
    except LabelFormatError as err:
        problems.append(Problem.from_error(err))
        return None
