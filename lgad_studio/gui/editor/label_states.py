"""The label state of each entry as the browser shows it, and the reason behind an ``error``.

States: ``unlabelled`` (no label file), ``labelled`` (a file on disk that reads
cleanly), ``error`` (a label file that does not parse, with the file, the line and
what was expected), ``edited`` (changed in this session and saved) and ``unsaved``
(changed, not yet on disk). A row's file is read when the row is first painted and
the answer cached, so a 100k-image list never touches 100k files; a save forgets it.
"""

from __future__ import annotations

from lgad_studio.core.errors import LabelFormatError, Problem
from lgad_studio.core.formats.culane_lines import read_lane_points
from lgad_studio.core.formats.dataset import LaneDataset
from lgad_studio.gui.editor.document import DocumentStore

STATES = ("unlabelled", "labelled", "error", "edited", "unsaved")


def describe_problems(problems: list[Problem]) -> str:
    """The first problem, and how many more there are."""
    more = len(problems) - 1
    return str(problems[0]) + (f" (and {more} more)" if more > 0 else "")


class LabelStates:
    """Answers ``state(entry)`` and ``reason(entry)`` from the open documents and the files."""

    def __init__(self, store: DocumentStore) -> None:
        self._store = store
        self._dataset: LaneDataset | None = None
        self._on_disk: dict[str, tuple[str, str]] = {}  # entry -> (state, reason)

    def set_dataset(self, dataset: LaneDataset | None) -> None:
        self._dataset = dataset
        self._on_disk = {}

    def forget(self, entry: str) -> None:
        """The entry's file changed (it was saved): read it again when next asked."""
        self._on_disk.pop(entry, None)

    def state(self, entry: str) -> str:
        return self._lookup(entry)[0]

    def reason(self, entry: str) -> str:
        return self._lookup(entry)[1]

    def _lookup(self, entry: str) -> tuple[str, str]:
        document = self._store.get(entry)
        if document is not None:
            if document.is_dirty:
                return "unsaved", "changed in this session, not saved yet"
            if document.problems:
                return "error", describe_problems(document.problems)
            if document.was_edited:
                return "edited", "changed and saved in this session"
        if self._dataset is None:
            return "unlabelled", ""
        if entry not in self._on_disk:
            self._on_disk[entry] = self._read(entry)
        return self._on_disk[entry]

    def _read(self, entry: str) -> tuple[str, str]:
        dataset = self._dataset
        assert dataset is not None
        path = dataset.lines_path(entry)
        if path is None:  # labels inside a JSON file: checked when the dataset opened
            return ("labelled", "") if dataset.has_labels(entry) else ("unlabelled", "")
        if not path.is_file():
            return "unlabelled", "no label file yet"
        problems: list[Problem] = []
        try:
            read_lane_points(path, strict=False, problems=problems)
        except LabelFormatError as err:
            return "error", str(err)
        if problems:
            return "error", describe_problems(problems)
        return "labelled", str(path)
