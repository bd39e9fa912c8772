"""The default demo dataset in the user cache folder, generated once and reused.

Generation writes into a hidden sibling folder and renames it into place only
when complete, so an interrupted or cancelled run is never mistaken for a
finished dataset. Partial folders left by a crashed run are removed once they
are a day old (a younger one may belong to a run still in progress).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
import time
from pathlib import Path

import platformdirs

from lgad_studio.core.demo.dataset import Progress, generate_demo_dataset

DEMO_VERSION = "demo-v2"  # bump when the generator's output or the default sizes change
_STALE_S = 24 * 3600


def default_demo_root() -> Path:
    """``<user cache>/lgad-studio/demo-v2`` (e.g. ``~/.cache/lgad-studio/demo-v2`` on Linux)."""
    return Path(platformdirs.user_cache_dir("lgad-studio", appauthor=False)) / DEMO_VERSION


def is_complete(root: Path) -> bool:
    """A finished demo dataset: its test list exists (written last, then the folder renamed)."""
    return (root / "list" / "test.txt").is_file()


def ensure_default_demo(
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    *,
    root: Path | None = None,
) -> Path | None:
    """The default demo dataset's root, generating it first if it is not there yet.

    ``progress(done, total)`` reports each image. When ``cancel`` is set before
    generation finishes, returns ``None`` and leaves nothing behind (the caller
    set the flag; the GUI's job runner then reports the job as cancelled).
    ``root`` overrides :func:`default_demo_root` (tests). Raises ``OSError``
    when the cache folder is not writable.
    """
    root = default_demo_root() if root is None else Path(root)
    if is_complete(root):
        return root
    root.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_partials(root)
    partial = root.parent / f".{root.name}.partial-{os.getpid()}-{threading.get_ident()}"
    shutil.rmtree(partial, ignore_errors=True)
    try:
        summary = generate_demo_dataset(partial, progress=progress, cancel=cancel)
        if summary.cancelled:
            return None
        if root.exists() and not is_complete(root):
            shutil.rmtree(root)  # an incomplete folder from elsewhere: replace it
        try:
            os.rename(partial, root)
        except OSError:
            if not is_complete(root):  # not another run finishing first: a real error
                raise
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return root


def _remove_stale_partials(root: Path) -> None:
    now = time.time()
    for path in root.parent.glob(f".{root.name}.partial-*"):
        with contextlib.suppress(OSError):
            if now - path.stat().st_mtime > _STALE_S:
                shutil.rmtree(path, ignore_errors=True)
