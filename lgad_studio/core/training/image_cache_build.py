"""Building an image cache file (:mod:`.image_cache`): a generator of :class:`Progress` events.

The file is written under a temporary name beside the target and renamed over it
only when complete and synced, so a cancel, a crash or a full disk leaves no
partial cache and an older cache at the same path intact. A free-space check runs
before anything is written. Rebuilding over an existing cache copies its entries
whose images are unchanged instead of decoding them again, so keeping a cache
current after a few images changed costs reading, not decoding. Images decode in
``workers`` threads when asked (OpenCV's decoder releases the GIL; a pool of
processes was slower on the project's machine, because moving 0.73 MB per image
between processes cost more than the decode); the calling thread writes the file
in entry order.
"""

from __future__ import annotations

import errno
import json
import math
import os
import shutil
import time
from collections import deque
from collections.abc import Generator, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from lgad_studio.core.atomic import atomic_open
from lgad_studio.core.events import Progress
from lgad_studio.core.training.image_cache import (
    FOOTER,
    FORMAT,
    MAGIC,
    CacheError,
    ImageCache,
    cache_row,
    pack_index,
)

HEADROOM = 64 * 2**20  # bytes left free beyond the estimate


def format_size(n: int) -> str:
    """A cache's size as the CLI and the studio print it: ``2.2 MiB``, ``61.73 GiB``."""
    return f"{n / 2**30:.2f} GiB" if n >= 2**30 else f"{n / 2**20:.1f} MiB"


def build_image_cache(
    dataset, entries: list[str], size: tuple[int, int], out: str | Path, *, workers: int = 0
) -> Generator[Progress, None, dict]:
    """Write the decoded images of ``entries`` (at input ``size``) to the cache file ``out``.

    Yields :class:`Progress` per image and returns ``{"path", "images", "decoded",
    "reused", "bytes"}`` (reused: copied from the cache ``out`` held). Raises
    :class:`CacheError` naming the file when ``out`` exists and is not an image
    cache, the disk lacks room, or writing fails; a missing or broken image raises
    its :class:`~lgad_studio.core.errors.LabelFormatError`. In every such case, and
    when the generator is closed early, nothing is left behind.
    """
    from lgad_studio.core.training.data import reduction_factor

    out = Path(out).expanduser()
    size = tuple(size)
    entries = list(dict.fromkeys(entries))
    if not entries:
        raise CacheError(f"{out}: no images to cache")
    folder = out.parent
    if not folder.is_dir():
        raise CacheError(f"{folder}: folder does not exist")
    previous = _previous_view(out, entries, size)
    _check_room(out, dataset, entries, size)
    decoder = _Decoder(dataset, size, workers)
    try:  # a temporary file renamed over `out` when whole; removed on any exception or close
        with atomic_open(out, "wb") as handle:
            handle.write(MAGIC)
            offset, rows, decoded = len(MAGIC), [], 0
            for done, (i, image, source, header, stat) in enumerate(
                decoder.images(entries, previous), start=1
            ):
                if image is None:
                    image, source, header, stat = decoder.reuse(previous, i, entries[i])
                else:
                    decoded += 1
                handle.write(image)
                factor = reduction_factor(header, size)
                rows.append(cache_row(offset, image, source, header, factor, stat))
                offset += image.nbytes
                yield Progress(done, len(entries), entries[i])
            index = pack_index(entries, rows)
            meta = {
                "format": FORMAT, "size": list(size), "count": len(entries),
                "dataset": str(getattr(dataset, "root", "")), "pixel_bytes": offset - len(MAGIC),
                "built": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            }  # fmt: skip
            meta_bytes = json.dumps(meta, indent=1).encode("utf-8")
            handle.write(index)
            handle.write(meta_bytes)
            handle.write(
                FOOTER.pack(offset, len(index), offset + len(index), len(meta_bytes), MAGIC)
            )
    except OSError as exc:
        raise _write_error(exc, out) from None
    finally:
        decoder.close()
    return {
        "path": str(out), "images": len(entries), "decoded": decoded,
        "reused": len(entries) - decoded, "bytes": out.stat().st_size,
    }  # fmt: skip


def _previous_view(out: Path, entries: list[str], size: tuple[int, int]):
    """The rows of the cache ``out`` already holds (for reuse), or ``None`` when there is none."""
    if not out.exists():
        return None
    try:
        return ImageCache(out).view(entries, size)
    except CacheError:
        raise CacheError(
            f"{out}: exists and is not an image cache this version reads; "
            "choose another path or remove it"
        ) from None


def _check_room(out: Path, dataset, entries, size) -> None:
    """Refuse before writing when the folder's free space is below the cache's estimated size.

    The estimate assumes every image has the first one's stored size (true of CULane
    and TuSimple); an under-estimate is still caught when a write fails.
    """
    from lgad_studio.core.training.data import reduction_factor

    w, h = dataset.image_size(entries[0])
    f = reduction_factor((w, h), size)
    need = math.ceil(w / f) * math.ceil(h / f) * 3 * len(entries) + HEADROOM
    free = shutil.disk_usage(out.parent).free  # an old cache stays until the new one is whole
    if need > free:
        raise CacheError(
            f"{out.parent}: not enough free space for the image cache: about "
            f"{need / 2**30:.1f} GiB needed for {len(entries)} images at {w}x{h} decoded 1/{f}, "
            f"{free / 2**30:.1f} GiB free"
        )


def _write_error(exc: OSError, out: Path) -> CacheError:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return CacheError(
            f"{out.parent}: the disk filled while writing the image cache {out.name}; "
            "nothing was kept (free some space, or cache fewer splits)"
        )
    return CacheError(f"{out}: cannot write the image cache: {exc}")


class _Decoder:
    """Decoded images of entries in order, in the calling thread or in a pool of threads."""

    def __init__(self, dataset, size, workers: int) -> None:
        self.dataset, self.size = dataset, size
        self.pool = None
        if workers > 0:
            self.pool = ThreadPoolExecutor(workers, thread_name_prefix="lgad-cache-decode")
        self.window = max(1, workers) * 4

    def images(self, entries: list[str], previous) -> Iterator[tuple]:
        """``(position, image or None (reuse from previous), source, header, stat)`` per
        entry, in order."""
        pending: deque = deque()
        for i, entry in enumerate(entries):
            if previous is not None and previous.fresh(i, self.dataset.image_path(entry)):
                pending.append((i, None, None, None, None))
            elif self.pool is None:
                pending.append((i, *_decode_stat(self.dataset, entry, self.size)))
            else:
                pending.append((i, self.pool.submit(_decode_stat, self.dataset, entry, self.size)))
            while len(pending) > (self.window if self.pool is not None else 0):
                yield self._resolve(pending.popleft())
        while pending:
            yield self._resolve(pending.popleft())

    @staticmethod
    def _resolve(item: tuple) -> tuple:
        if len(item) == 5:
            return item
        i, future = item
        return (i, *future.result())

    def reuse(self, previous, i: int, entry: str):
        """Entry ``i``'s image, source, header and stat from the previous cache (decoded if
        it changed since the check); the header of an unchanged file is the stored one."""
        path = self.dataset.image_path(entry)
        stat = os.stat(path)
        hit = previous.read(i, path)
        if hit is None:
            return _decode_stat(self.dataset, entry, self.size)
        header = tuple(int(v) for v in previous.rows["header"][i])
        return (*hit, header, stat)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)


def _decode_stat(dataset, entry: str, size):
    """``(image, source, header, stat)``: the stat taken first, so an image replaced while
    it is decoded is recorded with its old stat and found stale at training."""
    from lgad_studio.core.errors import LabelFormatError
    from lgad_studio.core.training.data import decode_reduced

    path = dataset.image_path(entry)
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        raise LabelFormatError(path, "image file is missing") from None
    image, source = decode_reduced(dataset, entry, size)
    return image, source, tuple(dataset.image_size(entry)), stat
