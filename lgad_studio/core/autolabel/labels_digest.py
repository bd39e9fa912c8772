"""A stable hash of a dataset's labels: which labels did a run train on.

``label_hash(dataset, splits=["train"])`` hashes, for every entry of the splits
in sorted order, the entry's path and its labels **as the trainer reads them**
(``dataset.read_lanes``: slots and points, written as CULane ``.lines.txt``
text), or a marker for an entry without labels. It therefore changes when a
lane, a point or a slot changes, or a label is added or removed, and not when a
file is rewritten with the same content, touched, or listed in another order;
it is the same for a CULane root, a TuSimple file or an image folder holding the
same lanes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from lgad_studio.core.formats.culane_lines import format_lines_text
from lgad_studio.core.lanes import LaneSet

NO_LABELS = "\0-"


def lanes_text(lanes: LaneSet) -> str:
    """The canonical text of one image's lanes: slots in slot order, then the ``.lines.txt``."""
    slots = ",".join(str(lane.slot) for lane in lanes.in_slot_order())
    return f"{slots}\0{format_lines_text(lanes)}"


def lanes_sha(lanes: LaneSet) -> str:
    """``sha256`` hex of :func:`lanes_text`: which labels a signal was computed against."""
    return hashlib.sha256(lanes_text(lanes).encode()).hexdigest()


def label_hash(
    dataset, *, splits: Sequence[str] | None = None, entries: Sequence[str] | None = None
) -> str:
    """``sha256`` hex over the labels of ``entries`` (default: every entry of ``splits``,
    default every split). Raises what ``read_lanes`` raises for a malformed label file."""
    if entries is None:
        names = dataset.split_names() if splits is None else list(splits)
        entries = [e for split in names for e in dataset.entries(split)]
    digest = hashlib.sha256()
    for entry in sorted(set(entries)):
        digest.update(entry.encode() + b"\0")
        if not dataset.has_labels(entry):
            digest.update(NO_LABELS.encode())
            continue
        digest.update(f"{lanes_text(dataset.read_lanes(entry))}\0".encode())
    return digest.hexdigest()
