"""A prepared cache of decoded training images: one file on disk, read by every worker and rank.

Decoding a 1640x590 JPEG costs about as much at half scale as in full (the Huffman
stage dominates), and it is most of a training sample's time
(``docs/adr/data-pipeline.md``). A cache file holds each entry's image exactly as
:func:`~lgad_studio.core.training.data.decode_reduced` returns it, so a sample read
from the cache is bit-identical to one decoded from the JPEG; the resize, flip,
affine, label and randomness still run per sample.

Memory stays bounded: images are read with ``pread`` into a fresh buffer (no
mapping, so nothing accumulates in a process's resident set), the operating
system's page cache is shared by all workers and ranks, and a worker receives only
the file's name and one small index row per entry, never the pixels.

An entry is used only while its image is unchanged since the cache was built (same
size in bytes and modification time, in nanoseconds, as rsync and make judge
files) and only at input sizes that decode it at the same reduction; otherwise the
image is decoded from its file as without a cache. Labels are never cached: edited
lanes train at once.

File layout (``*.lgadcache``): the 8-byte magic, every entry's ``uint8 [H, W, 3]``
pixels back to back, the index (an ``.npz`` of per-entry arrays and the entry
names), a JSON header, then a footer of four little-endian ``int64`` (index
offset and length, header offset and length) and the magic again. The file is
written under a temporary name and renamed into place when complete
(:mod:`.image_cache_build`), so a reader never sees a partial cache.
"""

from __future__ import annotations

import functools
import io
import json
import os
import struct
from pathlib import Path

import numpy as np

from lgad_studio.core.errors import StudioError

MAGIC = b"LGADIMC1"
FORMAT = 1
FOOTER = struct.Struct("<4q8s")
# per-entry index arrays, all of one length and aligned with the entry names
INDEX_FIELDS = {
    "offset": np.int64,  # where the pixels start in the file
    "height": np.int32,  # the decoded image's shape
    "width": np.int32,
    "source": np.int32,  # [n, 2]: the stored (W, H) decode_reduced returned
    "header": np.int32,  # [n, 2]: the (W, H) the dataset gave, which picks the reduction
    "factor": np.int8,  # reduction_factor(header, size) at build time
    "file_size": np.int64,  # the image file's size and mtime when it was decoded
    "mtime_ns": np.int64,
}


class CacheError(StudioError):
    """An image cache file that cannot be used; the message names the file."""


def cache_row(
    offset: int, image: np.ndarray, source, header, factor: int, stat: os.stat_result
) -> dict:
    """One entry's index row (see :data:`INDEX_FIELDS`)."""
    return {
        "offset": offset, "height": image.shape[0], "width": image.shape[1],
        "source": tuple(source), "header": tuple(header), "factor": factor,
        "file_size": stat.st_size, "mtime_ns": stat.st_mtime_ns,
    }  # fmt: skip


def pack_index(entries: list[str], rows: list[dict]) -> bytes:
    """The index blob: an uncompressed ``.npz`` of the :data:`INDEX_FIELDS` arrays and the names."""
    arrays = {
        name: np.array([row[name] for row in rows], dtype=dtype).reshape(
            (len(rows), 2) if name in ("source", "header") else (len(rows),)
        )
        for name, dtype in INDEX_FIELDS.items()
    }
    names = "\n".join(entries).encode("utf-8")
    buffer = io.BytesIO()
    np.savez(buffer, names=np.frombuffer(names, dtype=np.uint8), **arrays)
    return buffer.getvalue()


class ImageCache:
    """An opened cache file: its header, entry names and index (the pixels stay on disk)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            with open(self.path, "rb") as handle:
                size = handle.seek(0, os.SEEK_END)
                if size < len(MAGIC) + FOOTER.size:
                    raise CacheError(
                        f"{self.path}: not an LGAD Studio image cache (only {size} bytes)"
                    )
                handle.seek(0)
                head = handle.read(len(MAGIC))
                handle.seek(size - FOOTER.size)
                index_at, index_len, meta_at, meta_len, tail = FOOTER.unpack(
                    handle.read(FOOTER.size)
                )
                if head != MAGIC or tail != MAGIC:
                    raise CacheError(
                        f"{self.path}: not an LGAD Studio image cache (or an incomplete one); "
                        "build one with `lgad-studio prepare-cache`"
                    )
                if not (0 < index_at <= meta_at and meta_at + meta_len <= size - FOOTER.size):
                    raise CacheError(f"{self.path}: damaged footer, rebuild the cache")
                handle.seek(meta_at)
                self.meta = json.loads(handle.read(meta_len).decode("utf-8"))
                handle.seek(index_at)
                blob = handle.read(index_len)
        except FileNotFoundError:
            raise CacheError(f"{self.path}: image cache file not found") from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CacheError(f"{self.path}: cannot read the image cache: {exc}") from None
        if self.meta.get("format") != FORMAT:
            raise CacheError(
                f"{self.path}: image cache format {self.meta.get('format')!r}, this version "
                f"reads {FORMAT}; rebuild it with `lgad-studio prepare-cache`"
            )
        try:
            with np.load(io.BytesIO(blob), allow_pickle=False) as npz:
                self.index = {name: npz[name] for name in INDEX_FIELDS}
                names = npz["names"].tobytes().decode("utf-8")
        except (OSError, ValueError, KeyError) as exc:
            raise CacheError(f"{self.path}: damaged index ({exc}), rebuild the cache") from None
        self.entries = names.split("\n") if names else []
        if any(len(a) != len(self.entries) for a in self.index.values()):
            raise CacheError(f"{self.path}: damaged index (lengths differ), rebuild the cache")
        self.size = tuple(self.meta.get("size", ()))

    def __len__(self) -> int:
        return len(self.entries)

    @functools.cached_property
    def _positions(self) -> dict[str, int]:
        """Entry name -> row, built once for the views of one run (train and val)."""
        return {name: i for i, name in enumerate(self.entries)}

    def view(self, entries: list[str], size: tuple[int, int]) -> CacheView:
        """The cache's rows for ``entries`` at input ``size``, aligned with them.

        An entry that is not in the cache, or that ``size`` would decode at another
        reduction than the one stored, gets no row (it is decoded from its file).
        The decode depends on the file and that reduction only
        (:func:`~lgad_studio.core.training.data.decode_reduced`), so a row serves
        every input size with the same reduction.
        """
        from lgad_studio.core.training.data import reduction_factor

        position = self._positions
        rows = np.array([position.get(e, -1) for e in entries], dtype=np.int64)
        picked = {name: a[np.maximum(rows, 0)] for name, a in self.index.items()}
        usable = rows >= 0
        for i in np.flatnonzero(usable):
            w, h = picked["header"][i]
            usable[i] = reduction_factor((int(w), int(h)), size) == picked["factor"][i]
        picked["offset"] = np.where(usable, picked["offset"], -1)
        return CacheView(self.path, picked)


class CacheView:
    """Cache rows aligned with a list of entries; :meth:`read` gives an entry's decoded image.

    It holds the file's name and the rows only: each read opens the file, reads
    with one positional read and closes it (a few microseconds), so a view pickles
    small, forks safely and owns no file descriptor to finalise.
    """

    def __init__(self, path: Path, rows: dict[str, np.ndarray]) -> None:
        self.path = Path(path)
        self.rows = rows

    def __len__(self) -> int:
        return len(self.rows["offset"])

    @property
    def covered(self) -> int:
        """How many of the entries have a row (fresh or not)."""
        return int((self.rows["offset"] >= 0).sum())

    def subset(self, positions: slice) -> CacheView:
        """The rows of ``entries[positions]`` (for :meth:`LaneSamples.shard`)."""
        return CacheView(self.path, {name: a[positions] for name, a in self.rows.items()})

    def fresh(self, i: int, image_path: Path) -> bool:
        """Whether entry ``i`` has a row and its image file is unchanged since the build."""
        if self.rows["offset"][i] < 0:
            return False
        try:
            stat = os.stat(image_path)
        except OSError:
            return False  # missing: decoding names the file
        return (
            stat.st_size == self.rows["file_size"][i]
            and stat.st_mtime_ns == self.rows["mtime_ns"][i]
        )

    def read(self, i: int, image_path: Path) -> tuple[np.ndarray, tuple[int, int]] | None:
        """Entry ``i``'s decoded ``uint8 [H, W, 3]`` image and stored ``(W, H)``, or ``None``
        when it has no row or its image changed (the caller decodes the file)."""
        if not self.fresh(i, image_path):
            return None
        rows = self.rows
        image = np.empty((int(rows["height"][i]), int(rows["width"][i]), 3), dtype=np.uint8)
        self._read_into(image, int(rows["offset"][i]))
        return image, (int(rows["source"][i][0]), int(rows["source"][i][1]))

    def _read_into(self, image: np.ndarray, offset: int) -> None:
        buffer = memoryview(image).cast("B")
        try:
            with open(self.path, "rb", buffering=0) as handle:
                done = 0
                while done < len(buffer):
                    if hasattr(os, "preadv"):
                        got = os.preadv(handle.fileno(), [buffer[done:]], offset + done)
                    else:  # no positional read (Windows): this handle is ours alone
                        handle.seek(offset + done)
                        got = handle.readinto(buffer[done:])
                    if not got:
                        raise CacheError(
                            f"{self.path}: truncated at byte {offset + done}, rebuild it"
                        )
                    done += got
        except FileNotFoundError:
            raise CacheError(f"{self.path}: the image cache file was removed") from None
        except OSError as exc:
            raise CacheError(f"{self.path}: cannot read the image cache: {exc}") from None

    def coverage(self, dataset, entries: list[str]) -> dict[str, int]:
        """Counts of ``entries`` (aligned with the rows) read from the cache (``fresh``),
        ``stale`` (the image changed since the build) and ``missing`` (not in the cache or
        built for another reduction). One ``stat`` per covered entry."""
        fresh = stale = 0
        for i, entry in enumerate(entries):
            if self.rows["offset"][i] < 0:
                continue
            if self.fresh(i, dataset.image_path(entry)):
                fresh += 1
            else:
                stale += 1
        return {"fresh": fresh, "stale": stale, "missing": len(entries) - fresh - stale}
