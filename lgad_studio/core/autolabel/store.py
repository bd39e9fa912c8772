"""The proposals sidecar: one SQLite file beside the dataset, never a label file.

Layout (``docs/adr/autolabel.md``)::

    meta(key, value)            format = "lgad-studio-proposals", version = 1
    runs(run_key, kind, model, model_path, settings, created, info)
    proposals(run_key, entry, uncertainty, data)    data = ImageProposals.to_dict() as JSON

A run is one model (fingerprint) with one set of settings; its key
(:func:`~lgad_studio.core.autolabel.fingerprint.run_key`) separates it from every
other, so a changed model or setting never mixes into old results. Each batch is
written in one transaction: a crash or a cancel leaves every batch either fully
there or absent. The file must end in ``.sqlite``, and an existing file that is
not a proposals store is refused, so a mistyped ``--out`` cannot replace a label,
list or image file. A store is used from one thread; open another for another.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from lgad_studio.core.autolabel.proposals import ImageProposals
from lgad_studio.core.errors import StudioError

FORMAT = "lgad-studio-proposals"
VERSION = 1
SUFFIX = ".sqlite"
DEFAULT_NAME = ".lgad/proposals.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    run_key TEXT PRIMARY KEY, kind TEXT NOT NULL, model TEXT NOT NULL,
    model_path TEXT NOT NULL, settings TEXT NOT NULL, created REAL NOT NULL, info TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS proposals (
    run_key TEXT NOT NULL REFERENCES runs(run_key), entry TEXT NOT NULL,
    uncertainty REAL NOT NULL, data TEXT NOT NULL, PRIMARY KEY (run_key, entry)
);
CREATE INDEX IF NOT EXISTS proposals_by_uncertainty ON proposals (run_key, uncertainty);
"""


class StoreError(StudioError, ValueError):
    """A proposals path that is not (and cannot become) a proposals store."""


@dataclass(frozen=True)
class RunInfo:
    """One run of the store: what made its proposals."""

    run_key: str
    kind: str  # "model" | "propagation"
    model: str  # fingerprint of the model ("" for propagation without a model)
    model_path: str
    settings: dict
    created: float = 0.0
    info: dict | None = None


def default_store_path(dataset_root: str | Path) -> Path:
    """Where the studio keeps a dataset's proposals: ``ROOT/.lgad/proposals.sqlite``."""
    return Path(dataset_root) / DEFAULT_NAME


class ProposalStore:
    """An open sidecar file; use as a context manager or call :meth:`close`."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if self.path.suffix != SUFFIX:
            raise StoreError(
                f"{self.path}: expected a {SUFFIX} proposals file (e.g. ROOT/{DEFAULT_NAME}); "
                "proposals are never written into label, list or image files"
            )
        existed = self.path.exists()
        if existed and not self.path.is_file():
            raise StoreError(f"{self.path}: is a folder, expected a {SUFFIX} proposals file")
        if existed:
            _check_header(self.path)
        else:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(
                    f"{self.path.parent}: cannot create the folder ({exc.strerror})"
                ) from None
        try:
            self._db = sqlite3.connect(self.path, timeout=30.0)
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: cannot open the proposals store ({exc})") from None
        try:
            if existed and self.path.stat().st_size:
                self._check_meta()  # before writing anything into a file we did not make
            self._db.execute("PRAGMA journal_mode=WAL")  # readers (the studio) while a job writes
            self._db.execute("PRAGMA foreign_keys=ON")
            with self._db:
                self._db.executescript(_SCHEMA)
                self._db.execute(
                    "INSERT OR IGNORE INTO meta VALUES ('format', ?), ('version', ?)",
                    (FORMAT, str(VERSION)),
                )
        except StoreError:
            self._db.close()
            raise
        except sqlite3.Error as exc:
            self._db.close()
            raise StoreError(f"{self.path}: not a usable proposals store ({exc})") from None

    def _check_meta(self) -> None:
        tables = {n for (n,) in self._db.execute("SELECT name FROM sqlite_master")}
        if "meta" not in tables:
            raise StoreError(
                f"{self.path}: an SQLite file but not a proposals store (no meta table)"
            )
        meta = dict(self._db.execute("SELECT key, value FROM meta"))
        if meta.get("format") != FORMAT:
            raise StoreError(
                f"{self.path}: an SQLite file but not a proposals store (no {FORMAT!r})"
            )
        if int(meta.get("version", "0")) > VERSION:
            raise StoreError(
                f"{self.path}: proposals format {meta['version']} is newer than this studio's "
                f"{VERSION}; update LGAD Studio"
            )

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> ProposalStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- runs ----------------------------------------------------------------------------
    def ensure_run(self, run: RunInfo) -> RunInfo:
        """Record ``run`` unless its key is already there; returns the stored run."""
        with self._db:
            self._db.execute(
                "INSERT OR IGNORE INTO runs VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    run.run_key, run.kind, run.model, run.model_path,
                    json.dumps(run.settings, sort_keys=True), run.created or time.time(),
                    json.dumps(run.info or {}, sort_keys=True),
                ),
            )  # fmt: skip
        found = self.run(run.run_key)
        assert found is not None
        return found

    def run(self, run_key: str) -> RunInfo | None:
        row = self._db.execute("SELECT * FROM runs WHERE run_key = ?", (run_key,)).fetchone()
        return None if row is None else _run_of(row)

    def runs(self) -> list[RunInfo]:
        """Every run, oldest first."""
        return [
            _run_of(r) for r in self._db.execute("SELECT * FROM runs ORDER BY created, run_key")
        ]

    def delete_run(self, run_key: str) -> None:
        with self._db:
            self._db.execute("DELETE FROM proposals WHERE run_key = ?", (run_key,))
            self._db.execute("DELETE FROM runs WHERE run_key = ?", (run_key,))

    # -- proposals -----------------------------------------------------------------------
    def put(self, run_key: str, images: Iterable[ImageProposals]) -> int:
        """Write (or replace) images' proposals in one transaction; returns how many."""
        rows = [
            (run_key, p.entry, p.uncertainty, json.dumps(p.to_dict(), separators=(",", ":")))
            for p in images
        ]
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO proposals VALUES (?, ?, ?, ?)", rows)
        return len(rows)

    def done_entries(self, run_key: str) -> set[str]:
        """Entries the run already has proposals for (what a resume skips)."""
        cur = self._db.execute("SELECT entry FROM proposals WHERE run_key = ?", (run_key,))
        return {entry for (entry,) in cur}

    def get(self, run_key: str, entry: str) -> ImageProposals | None:
        row = self._db.execute(
            "SELECT data FROM proposals WHERE run_key = ? AND entry = ?", (run_key, entry)
        ).fetchone()
        return None if row is None else ImageProposals.from_dict(json.loads(row[0]))

    def iter_run(self, run_key: str) -> Iterator[ImageProposals]:
        """Every image of the run, by entry."""
        cur = self._db.execute(
            "SELECT data FROM proposals WHERE run_key = ? ORDER BY entry", (run_key,)
        )
        for (data,) in cur:
            yield ImageProposals.from_dict(json.loads(data))

    def load(self, run_key: str) -> dict[str, ImageProposals]:
        return {p.entry: p for p in self.iter_run(run_key)}

    def counts(self) -> dict[str, int]:
        """``{run_key: images with proposals}`` of every run (the studio's run list)."""
        cur = self._db.execute("SELECT run_key, COUNT(*) FROM proposals GROUP BY run_key")
        return dict(cur)

    def uncertainties(self, run_key: str) -> dict[str, float]:
        """``{entry: uncertainty}`` of a run, without decoding its lanes (the browser's sort key)."""
        cur = self._db.execute(
            "SELECT entry, uncertainty FROM proposals WHERE run_key = ?", (run_key,)
        )
        return dict(cur)


def _run_of(row: tuple) -> RunInfo:
    key, kind, model, path, settings, created, info = row
    return RunInfo(key, kind, model, path, json.loads(settings), float(created), json.loads(info))


def _check_header(path: Path) -> None:
    try:
        with open(path, "rb") as handle:
            head = handle.read(16)
    except OSError as exc:
        raise StoreError(f"{path}: cannot read ({exc.strerror})") from None
    if head and head != b"SQLite format 3\x00":
        raise StoreError(f"{path}: exists and is not a proposals store; it is left untouched")
