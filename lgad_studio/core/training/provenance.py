"""What a run was made from: code version, packages, machine, hashes of its image lists and labels.

Written to ``<run>/run_info.json`` so that a result can be traced to the exact
code (git commit and whether the tree had local changes), the versions of the
packages that shape the numbers, and the data: a SHA-256 of the ordered
training and validation entry lists, and of the **labels** the run trained on
(:func:`label_files_sha256`; the same lists and labels hash the same anywhere).
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path

import torch

PACKAGES = ("lgad-studio", "torch", "numpy", "opencv-python-headless", "scipy", "onnxruntime")


def list_hash(entries: list[str]) -> str:
    """SHA-256 of the entries, one per line, in order."""
    digest = hashlib.sha256()
    for entry in entries:
        digest.update(entry.encode("utf-8") + b"\n")
    return digest.hexdigest()


def git_state(folder: Path | None = None) -> dict:
    """``{"commit", "dirty"}`` of the git checkout holding this package, or ``{}`` outside one."""
    folder = folder or Path(__file__).resolve().parent
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=folder, capture_output=True, text=True, timeout=5
        )
        if commit.returncode != 0:
            return {}
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=folder, capture_output=True, text=True, timeout=5,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return {}
    return {"commit": commit.stdout.strip(), "dirty": bool(status.stdout.strip())}


def package_versions() -> dict[str, str]:
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def run_info(
    *,
    train_entries: list[str],
    val_entries: list[str],
    device: torch.device,
    world_size: int,
    dataset=None,
    label_cache: Path | None = None,
) -> dict:
    """The ``run_info.json`` record of a run; with ``dataset``, the hash of its labels too."""
    device_name = str(device)
    if device.type == "cuda":
        device_name = torch.cuda.get_device_name(device)
    labels = {}
    if dataset is not None:
        started = time.perf_counter()
        digest, labelled = label_files_sha256(
            dataset, [*train_entries, *val_entries], cache=label_cache
        )
        labels = {
            "labels_sha256": digest,
            "labelled_images": labelled,
            "labels_hash_s": round(time.perf_counter() - started, 3),
        }
    return {
        "git": git_state(),
        "packages": package_versions(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "device": device_name,
        "world_size": world_size,
        "train_images": len(train_entries),
        "train_list_sha256": list_hash(train_entries),
        "val_images": len(val_entries),
        "val_list_sha256": list_hash(val_entries),
        **labels,
    }


# -- the labels a run trained on ---------------------------------------------------------------
# Parsing 88,880 CULane label files as the trainer does (core.autolabel.labels_digest) took
# 134 s on this project's machine, reading their bytes 2.5-5 s, a stat of each 0.8 s
# (benchmarks/label_hash.py). So the run's label hash is over the files' *contents*, with
# each file's content digest cached by (size, mtime): a later run stats the files and
# reads only those that changed.
CACHE_VERSION = 1
NO_LABELS = b"-"


def default_label_cache(dataset_root: str | Path) -> Path:
    """Where the digests of one dataset's label files are kept: the user cache folder."""
    import platformdirs

    key = hashlib.sha256(str(Path(dataset_root).resolve()).encode()).hexdigest()[:16]
    return (
        platformdirs.user_cache_path("lgad-studio", appauthor=False) / "label-files" / f"{key}.json"
    )


def label_sources(dataset) -> list[Path]:
    """Files besides the per-image labels that decide what the trainer reads: a CULane root's
    ``list/train_gt.txt`` and ``val_gt.txt``, whose existence flags give the lanes' slots."""
    if dataset.kind != "culane":
        return []
    candidates = [dataset.root / "list" / n for n in ("train_gt.txt", "val_gt.txt")]
    return [p for p in candidates if p.is_file()]


def label_files_sha256(
    dataset, entries: Sequence[str], *, cache: Path | None = None
) -> tuple[str, int]:
    """``(sha256 hex, images with labels)`` of the labels of ``entries`` as files hold them.

    Hashes, entries sorted, each entry's name and the SHA-256 of its ``.lines.txt`` bytes
    (a marker when it has none), then the contents of :func:`label_sources`. A moved point,
    a changed slot flag, or an added or removed label changes it; touching a file, copying
    the dataset elsewhere or listing the entries in another order does not. ``cache``
    (a JSON file, e.g. :func:`default_label_cache`) keeps each file's digest by size and
    mtime so that a second call reads only changed files; it is rewritten atomically and
    ignored when unreadable or not writable. Datasets whose labels are not one file per
    image (TuSimple JSON) hash each entry's lanes as read.
    """
    from lgad_studio.core.autolabel.labels_digest import lanes_text

    known = _read_cache(cache)
    fresh: dict[str, list] = {}
    digest = hashlib.sha256()
    labelled = 0
    ordered = sorted(set(entries))
    for entry, name in zip(ordered, _label_file_names(dataset, ordered), strict=True):
        digest.update(entry.encode() + b"\0")
        if name is None:
            if dataset.has_labels(entry):
                labelled += 1
                text = lanes_text(dataset.read_lanes(entry)).encode()
                digest.update(hashlib.sha256(text).digest())
            else:
                digest.update(NO_LABELS)
            continue
        try:
            st = os.stat(name)
        except FileNotFoundError:
            digest.update(NO_LABELS)
            continue
        hit = known.get(entry)
        if hit is not None and hit[0] == st.st_size and hit[1] == st.st_mtime_ns:
            sha = hit[2]
        else:
            with open(name, "rb") as handle:
                sha = hashlib.sha256(handle.read()).hexdigest()
        fresh[entry] = [st.st_size, st.st_mtime_ns, sha]
        digest.update(bytes.fromhex(sha))
        labelled += 1
    for source in label_sources(dataset):
        digest.update(b"\0source\0" + source.name.encode() + b"\0")
        digest.update(hashlib.sha256(source.read_bytes()).digest())
    if cache is not None and any(known.get(k) != v for k, v in fresh.items()):
        _write_cache(cache, {**known, **fresh})
    return digest.hexdigest(), labelled


def _label_file_names(dataset, entries: list[str]) -> list[str | None]:
    """Each entry's label file name (``None``: labels not in a file of their own).

    ``lines_path`` builds a ``Path`` per call, 30 us each: 2.9 s of an 88,880-image list.
    Where the dataset's rule is ``<root>/<entry stem>.lines.txt`` (checked on the first
    entry), the names are built as strings instead.
    """
    from lgad_studio.core.formats.culane_lists import normalize_entry

    if not entries:
        return []
    first = dataset.lines_path(entries[0])
    root = str(dataset.root)

    def fast(entry: str) -> str:
        return f"{root}/{os.path.splitext(normalize_entry(entry))[0]}.lines.txt"

    if first is not None and str(first) == fast(entries[0]):
        return [fast(e) for e in entries]
    return [None if (p := dataset.lines_path(e)) is None else str(p) for e in entries]


def _read_cache(path: Path | None) -> dict[str, list]:
    if path is None:
        return {}
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("version") != CACHE_VERSION:
        return {}
    files = data.get("files")
    return files if isinstance(files, dict) else {}


def _write_cache(path: Path, files: dict[str, list]) -> None:
    from lgad_studio.core.atomic import atomic_write_text

    try:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps({"version": CACHE_VERSION, "files": files}, separators=(",", ":"))
        atomic_write_text(Path(path), text)
    except OSError:
        pass  # a cache that cannot be written only costs time on the next run
