"""CULane evaluation over files: ``.lines.txt`` folders, an image list, the nine test splits.

Annotation and detection files are ``ROOT/<entry without extension>.lines.txt``.
Each line of such a file is one lane, **blank lines included**: the official
tool reads line by line and a blank line is a lane of 0 points (it never
matches, so it counts as an FN in annotations and an FP in detections). A
missing detection file means no detections; a missing annotation file is an
error (the official tool would silently score it as an image without lanes).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import numpy as np

from lgad_studio.core.errors import LabelFormatError, StudioError
from lgad_studio.core.formats.culane_lines import parse_lines_text
from lgad_studio.core.formats.culane_lists import (
    TEST_CATEGORIES,
    read_image_list,
    split_category,
)
from lgad_studio.core.metrics.culane import CHUNK, CulaneResult, ImageResult, evaluate_images
from lgad_studio.core.metrics.parallel import default_workers, parallel_map
from lgad_studio.core.metrics.scores import Scores


def lines_path(root: str | Path, entry: str) -> Path:
    """``ROOT/<entry without extension>.lines.txt`` for a list entry such as ``/a/b/00001.jpg``."""
    rel = PurePosixPath(entry.strip().lstrip("/"))
    return Path(root) / rel.with_suffix(".lines.txt")


def read_eval_lanes(path: str | Path, *, missing_ok: bool = False) -> list[np.ndarray]:
    """A ``.lines.txt`` as the evaluator reads it: one float64 ``(N, 2)`` array per line.

    Blank lines give ``(0, 2)`` arrays. Malformed lines raise
    :class:`LabelFormatError` naming the file and line; a missing file gives
    ``[]`` with ``missing_ok``, an error otherwise.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if missing_ok:
            return []
        raise LabelFormatError(path, "lane file is missing") from None
    except UnicodeDecodeError as exc:
        raise LabelFormatError(path, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise LabelFormatError(path, f"cannot read: {exc.strerror or exc}") from None
    lanes = []
    for raw in text.splitlines():
        fields = raw.split()
        try:
            values = np.array(fields, dtype=np.float64)  # float() of each field, in C
        except ValueError:
            values = None
        if values is None or len(values) % 2 or not np.isfinite(values).all():
            parse_lines_text(text, path=path)  # raises, naming the file and the line
        lanes.append(values.reshape(-1, 2))
    return lanes


def evaluate_entries(
    anno_root: str | Path,
    det_root: str | Path,
    entries: Sequence[str],
    *,
    workers: int | None = None,
    **options: object,
) -> CulaneResult:
    """Evaluate the images named by ``entries`` (list entries, e.g. ``driver_00/.../1.jpg``).

    ``options`` are those of :func:`~lgad_studio.core.metrics.culane.evaluate_image`
    (``width``, ``iou_threshold``, ``image_size``, ``approximate``). Chunks of
    images go to ``workers`` forked processes where that is safe, threads otherwise
    (default: the caller's thread budget, :func:`lgad_studio.core.cpu.thread_budget`).
    """
    entries = list(entries)
    workers = default_workers() if workers is None else max(1, int(workers))
    size = max(1, min(CHUNK, -(-len(entries) // (4 * workers))))
    chunks = [
        (str(anno_root), str(det_root), entries[i : i + size], options)
        for i in range(0, len(entries), size)
    ]
    images: list[ImageResult] = []
    for done in parallel_map(_evaluate_chunk, chunks, workers=workers, processes=True):
        if isinstance(done, _Failure):
            raise done.error()
        images.extend(done)
    threshold = float(options.get("iou_threshold", 0.5))  # type: ignore[arg-type]
    approximate = bool(options.get("approximate", False))
    return CulaneResult.pool(images, iou_threshold=threshold, approximate=approximate)


@dataclass(frozen=True)
class _Failure:
    """A user error raised in a worker process, carried back as plain data."""

    path: str | None
    line: int | None
    message: str

    def error(self) -> StudioError:
        if self.path is None:
            return StudioError(self.message)
        return LabelFormatError(self.path, self.message, line=self.line)


def _evaluate_chunk(task: tuple[str, str, list[str], dict]) -> list[ImageResult] | _Failure:
    anno_root, det_root, entries, options = task
    try:
        images = [
            (
                entry,
                read_eval_lanes(lines_path(anno_root, entry)),
                read_eval_lanes(lines_path(det_root, entry), missing_ok=True),
            )
            for entry in entries
        ]
    except LabelFormatError as err:
        return _Failure(str(err.path), err.line, err.message)
    except StudioError as err:
        return _Failure(None, None, str(err))
    return evaluate_images(images, **options)


def evaluate_culane_dirs(
    anno_root: str | Path, det_root: str | Path, list_file: str | Path, **options: object
) -> CulaneResult:
    """CULane F1 of the detections under ``det_root`` for the images of ``list_file``."""
    entries = read_image_list(list_file)
    if not entries:
        raise LabelFormatError(list_file, "the list names no image, expected one path per line")
    return evaluate_entries(anno_root, det_root, entries, **options)


@dataclass(frozen=True, eq=False)
class SplitRow(Scores):
    """One row of the per-category table: the split's name and its pooled counts."""

    name: str = ""
    images: int = 0


@dataclass(frozen=True)
class SplitTable:
    """The nine CULane categories and their total (the sum of the rows' counts)."""

    rows: tuple[SplitRow, ...]
    result: CulaneResult  # every image once, for per-image views

    @property
    def total(self) -> SplitRow:
        return SplitRow(
            sum(r.tp for r in self.rows),
            sum(r.fp for r in self.rows),
            sum(r.fn for r in self.rows),
            "total",
            sum(r.images for r in self.rows),
        )

    def format(self) -> str:
        """A plain-text table; ``cross`` has no GT, so only its FP count is meaningful."""
        head = f"{'split':<18}{'images':>7}{'TP':>7}{'FP':>7}{'FN':>7}{'P':>8}{'R':>8}{'F1':>8}"
        lines = [head]
        for r in (*self.rows, self.total):
            lines.append(
                f"{r.name:<18}{r.images:>7}{r.tp:>7}{r.fp:>7}{r.fn:>7}"
                f"{_pct(r.precision):>8}{_pct(r.recall):>8}{_pct(r.f1):>8}"
            )
        return "\n".join(lines)


def _pct(value: float) -> str:
    return "-" if value < 0 else f"{100 * value:.2f}"


def find_split_lists(splits_dir: str | Path) -> list[tuple[str, Path]]:
    """``(name, path)`` of the ``test<N>_<category>.txt`` lists in ``splits_dir``, by N."""
    folder = Path(splits_dir)
    if not folder.is_dir():
        raise StudioError(f"{folder}: not a folder, expected CULane's list/test_split/")
    found = []
    for path in folder.glob("test*_*.txt"):
        if split_category(path.stem) is not None:
            found.append((int(path.stem[4:].split("_")[0]), path.stem, path))
    if not found:
        names = ", ".join(f"test{i}_{c}.txt" for i, c in enumerate(TEST_CATEGORIES[:2]))
        raise StudioError(f"{folder}: no split lists found, expected files such as {names}, ...")
    return [(name, path) for _, name, path in sorted(found)]


def evaluate_splits(
    anno_root: str | Path, det_root: str | Path, splits_dir: str | Path, **options: object
) -> SplitTable:
    """Per-category table over CULane's ``list/test_split/`` (each image evaluated once)."""
    lists = [(name, read_image_list(path)) for name, path in find_split_lists(splits_dir)]
    unique = list(dict.fromkeys(e for _, entries in lists for e in entries))
    result = evaluate_entries(anno_root, det_root, unique, **options)
    by_name = result.by_name()
    rows = []
    for name, entries in lists:
        counts = [by_name[e].counts for e in entries]
        tp, fp, fn = (sum(c[k] for c in counts) for k in range(3))
        rows.append(SplitRow(tp, fp, fn, split_category(name) or name, len(entries)))
    return SplitTable(tuple(rows), result)
