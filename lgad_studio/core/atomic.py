"""Atomic file writes: a crash, a kill or a full disk mid-save leaves the old file intact.

The new content goes to a temporary file in the same folder, is flushed and
fsync'ed, then renamed over the target (atomic on POSIX and on Windows for files
on one volume); the folder is fsync'ed so the rename itself survives a power cut.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO


@contextlib.contextmanager
def atomic_open(path: str | Path, mode: str = "w", **kwargs) -> Iterator[IO]:
    """Open a temporary file next to ``path``; on a clean exit it replaces ``path``.

    On any exception the temporary file is removed and ``path`` is untouched.
    Raises ``OSError`` (with the target's name) when the folder is not writable
    or the disk is full.
    """
    if "w" not in mode:
        raise ValueError(f"atomic_open writes only, got mode {mode!r}")
    target = Path(path)
    folder = target.parent
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, mode, **kwargs) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        if target.exists():
            with contextlib.suppress(OSError):
                os.chmod(tmp, target.stat().st_mode & 0o7777)
        else:
            with contextlib.suppress(OSError):
                os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _fsync_dir(folder)


def atomic_write_text(path: str | Path, text: str, *, encoding: str = "utf-8") -> None:
    with atomic_open(path, "w", encoding=encoding, newline="\n") as handle:
        handle.write(text)


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    with atomic_open(path, "wb") as handle:
        handle.write(data)


def write_problem(folder: str | Path) -> str | None:
    """Why an atomic write into ``folder`` would fail now, or ``None`` when it would succeed.

    Tries what every atomic write starts with: creating (then removing) a temporary
    file in the folder, so a read-only mount, missing permissions or a full inode
    table are found before the first save, whatever the mode bits say (root ignores
    them). A folder that does not exist yet is judged by its nearest existing parent,
    where saving would create it.
    """
    target = Path(folder)
    while not target.is_dir() and target != target.parent:
        target = target.parent
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=".lgad-write-check.", suffix=".tmp", dir=target)
    except OSError as err:
        return err.strerror or str(err)
    os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(tmp_name)
    return None


def _read_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# Read once at import: os.umask() is process-wide and must not flicker while worker threads write.
_UMASK = _read_umask()


def _umask() -> int:
    return _UMASK


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
