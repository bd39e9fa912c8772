"""CULane list files: ``list/train_gt.txt``, ``val_gt.txt``, ``train/val/test.txt``, ``test_split/``.

An *entry* is an image path relative to the dataset root without a leading
slash (``driver_00/clip_000/00001.jpg``). Ground-truth lists hold lines
``/entry.jpg /laneseg_label_w16/entry.png e1 e2 e3 e4`` (existence flags of the
four slots); the other lists hold image paths only (with a leading slash in
``train/val/test.txt`` and without one in ``test_split/``, as the real dataset
does; readers accept both). Strict readers raise
:class:`~lgad_studio.core.errors.LabelFormatError` naming the file and line;
lenient readers skip the line and record a :class:`~lgad_studio.core.errors.Problem`.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import NamedTuple

from lgad_studio.core.atomic import atomic_write_text
from lgad_studio.core.errors import LabelFormatError, Problem, raise_or_record
from lgad_studio.core.formats.textio import read_label_text

MASK_DIR = "laneseg_label_w16"
LIST_DIR = "list"
TEST_SPLIT_DIR = "test_split"
# The nine CULane test categories in the order of test0 .. test8.
TEST_CATEGORIES = (
    "normal",
    "crowd",
    "hlight",
    "shadow",
    "noline",
    "arrow",
    "curve",
    "cross",
    "night",
)

Existence = tuple[int, int, int, int]


class GtRow(NamedTuple):
    """One line of a ``*_gt.txt`` list: the image entry, its mask path, its existence flags."""

    entry: str
    label: str
    existence: Existence


def normalize_entry(path: str) -> str:
    """``/driver_00/a.jpg`` or ``./driver_00/a.jpg`` -> ``driver_00/a.jpg`` (POSIX separators)."""
    text = path.strip().replace("\\", "/")
    while text.startswith("./"):
        text = text[2:]
    return text.lstrip("/")


def mask_entry(entry: str) -> str:
    """The mask path of an image entry: ``laneseg_label_w16/<entry>.png``."""
    return f"{MASK_DIR}/{PurePosixPath(normalize_entry(entry)).with_suffix('.png')}"


def test_split_name(index: int, category: str) -> str:
    """``test_split_name(8, "night") == "test8_night"``."""
    return f"test{index}_{category}"


def split_category(split: str) -> str | None:
    """``"test8_night" -> "night"``; ``None`` for names that are not ``test<N>_<category>``."""
    head, sep, tail = split.partition("_")
    if sep and head.startswith("test") and head[4:].isdigit() and tail:
        return tail
    return None


def format_gt_line(entry: str, existence: Existence) -> str:
    flags = " ".join(str(int(bool(e))) for e in existence)
    return f"/{normalize_entry(entry)} /{mask_entry(entry)} {flags}"


def write_culane_lists(
    root: str | Path,
    *,
    train: list[tuple[str, Existence]],
    val: list[tuple[str, Existence]],
    test: list[str],
    test_splits: dict[str, list[str]],
) -> None:
    """Write every list of a CULane root, each file atomically.

    ``train``/``val`` are ``(entry, (e1, e2, e3, e4))`` pairs; ``test_splits`` maps
    split names such as ``"test0_normal"`` to their entries.
    """
    list_dir = Path(root) / LIST_DIR
    (list_dir / TEST_SPLIT_DIR).mkdir(parents=True, exist_ok=True)
    for name, rows in (("train", train), ("val", val)):
        if len(rows) and any(len(tuple(flags)) != 4 for _, flags in rows):
            raise ValueError(f"{name}: existence flags must have 4 values")
        atomic_write_text(list_dir / f"{name}_gt.txt", _join(format_gt_line(e, f) for e, f in rows))
        atomic_write_text(
            list_dir / f"{name}.txt", _join(f"/{normalize_entry(e)}" for e, _ in rows)
        )
    atomic_write_text(list_dir / "test.txt", _join(f"/{normalize_entry(e)}" for e in test))
    for split, entries in test_splits.items():
        if "/" in split or "\\" in split or not split:
            raise ValueError(f"invalid test split name {split!r}")
        atomic_write_text(
            list_dir / TEST_SPLIT_DIR / f"{split}.txt", _join(normalize_entry(e) for e in entries)
        )


def _join(lines) -> str:
    return "".join(line + "\n" for line in lines)


def parse_gt_list(
    text: str,
    *,
    path: str | Path = "<text>",
    strict: bool = True,
    problems: list[Problem] | None = None,
) -> list[GtRow]:
    """Rows of a ``*_gt.txt`` text; blank lines are ignored."""
    return [row for _, row in numbered_gt_rows(text, path, strict, problems)]


def parse_image_list(
    text: str,
    *,
    path: str | Path = "<text>",
    strict: bool = True,
    problems: list[Problem] | None = None,
) -> list[str]:
    """Entries of an image list (``train.txt``, ``test.txt``, ``test_split/*.txt``)."""
    return [entry for _, entry in _numbered_entries(text, path, strict, problems)]


def read_gt_list(
    path: str | Path,
    *,
    strict: bool = True,
    problems: list[Problem] | None = None,
    root: str | Path | None = None,
) -> list[GtRow]:
    """Rows of a ``*_gt.txt`` file; with ``root``, also checks that each image and mask exists."""
    path = Path(path)
    numbered = numbered_gt_rows(read_list_text(path), path, strict, problems)
    if root is not None:
        numbered = _check_files(
            path, numbered, Path(root), strict, problems, lambda r: (r.entry, r.label)
        )
    return [row for _, row in numbered]


def read_image_list(
    path: str | Path,
    *,
    strict: bool = True,
    problems: list[Problem] | None = None,
    root: str | Path | None = None,
) -> list[str]:
    """Entries of an image list; with ``root``, also checks that each image exists."""
    path = Path(path)
    numbered = _numbered_entries(read_list_text(path), path, strict, problems)
    if root is not None:
        numbered = _check_files(path, numbered, Path(root), strict, problems, lambda e: (e,))
    return [entry for _, entry in numbered]


def numbered_gt_rows(
    lines: str | list[str], path: str | Path, strict: bool, problems: list[Problem] | None
) -> list[tuple[int, GtRow]]:
    """``(line number, row)`` pairs of a ``*_gt.txt`` text or its lines (see :func:`parse_gt_list`).

    Written for speed: a 100k-line list parses in a fraction of a second.
    """
    rows: list[tuple[int, GtRow]] = []
    append = rows.append
    if isinstance(lines, str):
        lines = lines.splitlines()
    flags = _FLAGS
    for number, raw in enumerate(lines, start=1):
        fields = raw.split()
        if len(fields) == 6:
            _, _, e1, e2, e3, e4 = fields
            try:
                existence = (flags[e1], flags[e2], flags[e3], flags[e4])
            except KeyError:
                i, f = next((i, f) for i, f in enumerate(fields[2:], 1) if f not in flags)
                message = f"existence flag e{i} is {f!r}, expected 0 or 1"
                _fail(path, number, message, strict, problems)
                continue
            append((number, GtRow(_fast_entry(fields[0]), _fast_entry(fields[1]), existence)))
        elif fields:
            message = f"{len(fields)} fields, expected 6: image label e1 e2 e3 e4"
            _fail(path, number, message, strict, problems)
    return rows


_FLAGS = {"0": 0, "1": 1}


def _fast_entry(field: str) -> str:
    """:func:`normalize_entry` for one whitespace-free field, quick on the common ``/a/b.jpg``."""
    if "\\" in field or field.startswith("./"):
        return normalize_entry(field)
    return field.lstrip("/")


def _numbered_entries(text, path, strict, problems) -> list[tuple[int, str]]:
    entries: list[tuple[int, str]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        fields = raw.split()
        if not fields:
            continue
        if len(fields) != 1:
            _fail(path, number, f"{len(fields)} fields, expected 1 image path", strict, problems)
            continue
        entries.append((number, _fast_entry(fields[0])))
    return entries


def _check_files(path, numbered, root, strict, problems, files_of):
    """Keep the ``(line, item)`` pairs whose files exist under ``root``."""
    kept = []
    for number, item in numbered:
        missing = [f for f in files_of(item) if not (root / f).is_file()]
        if missing:
            message = f"list entry without its file: {root / missing[0]} does not exist"
            _fail(path, number, message, strict, problems)
            continue
        kept.append((number, item))
    return kept


def read_list_text(path: Path) -> str:
    """The text of a list file; an unreadable or non-UTF-8 file is a :class:`LabelFormatError`."""
    return read_label_text(path, what="list file")


def _fail(path, line, message, strict, problems) -> None:
    err = LabelFormatError(path, message, line=line)
    raise_or_record(err, strict=strict, problems=problems)
