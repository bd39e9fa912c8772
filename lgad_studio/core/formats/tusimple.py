"""TuSimple JSON-lines labels: one ``{"raw_file", "h_samples", "lanes"}`` object per line.

``lanes[i][j]`` is the x of lane ``i`` at row ``h_samples[j]``; a negative x
(conventionally −2) means the lane has no point on that row. Images are
1280×720. Reading gives one :class:`TusimpleRecord` per line and, through
:func:`record_lanes`, a :class:`~lgad_studio.core.lanes.LaneSet` whose lanes hold
the valid ``(x, y)`` points bottom-up. Writing resamples each lane onto the
``h_samples``: where a lane has a vertex exactly on a row that vertex's x is
written unchanged (so TuSimple -> CULane -> TuSimple gives back every point),
elsewhere the evaluator spline (:func:`~lgad_studio.core.geometry.resample_at_rows`);
rows outside the lane get −2.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from lgad_studio.core.atomic import atomic_write_text
from lgad_studio.core.errors import LabelFormatError, Problem, raise_or_record
from lgad_studio.core.formats.culane_lists import normalize_entry
from lgad_studio.core.formats.textio import is_finite_number, read_label_text, short_repr
from lgad_studio.core.geometry import resample_at_rows
from lgad_studio.core.lanes import Lane, LaneSet

TUSIMPLE_SIZE = (1280, 720)  # (width, height)
MISSING_X = -2
_FIELDS = ("raw_file", "h_samples", "lanes")

Number = int | float


@dataclass(frozen=True)
class TusimpleRecord:
    """One image's TuSimple annotation; ``extra`` keeps other fields (e.g. ``run_time``).

    ``h_samples`` and ``lanes`` keep the numbers as read (int or float) so that
    writing them back gives the same text.
    """

    raw_file: str
    h_samples: tuple[Number, ...]
    lanes: tuple[tuple[Number, ...], ...]
    extra: dict = field(default_factory=dict, compare=False)
    line: int | None = field(default=None, compare=False)  # where it was read from

    @property
    def entry(self) -> str:
        return normalize_entry(self.raw_file)

    def to_json(self) -> str:
        data = {"lanes": [list(ln) for ln in self.lanes], "h_samples": list(self.h_samples)}
        data["raw_file"] = self.raw_file
        data.update(self.extra)
        return json.dumps(data, allow_nan=False)


def default_h_samples(height: int = TUSIMPLE_SIZE[1]) -> list[int]:
    """Rows every 10 px from ``height - 10`` up to 2/9 of the height (160..710 for 720)."""
    top = round(height * 160 / 720)
    return list(range(height - 10, top - 1, -10))[::-1]


def parse_tusimple_text(
    text: str,
    *,
    path: str | Path = "<text>",
    strict: bool = True,
    problems: list[Problem] | None = None,
) -> list[TusimpleRecord]:
    """Records of a TuSimple JSON-lines text, in file order; blank lines are ignored.

    Strict mode raises :class:`LabelFormatError` naming the file, line and field;
    lenient mode skips a bad lane (or the whole record when the record itself is
    bad) and appends a :class:`Problem`. An empty file is an error either way
    (reported as a problem in lenient mode).
    """
    records: list[TusimpleRecord] = []
    seen_any = False
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        seen_any = True
        try:
            record = _parse_record(raw, path, number, strict, problems)
        except LabelFormatError as err:
            raise_or_record(err, strict=strict, problems=problems)
            continue
        records.append(record)
    if not seen_any:
        err = LabelFormatError(
            path, "empty file, expected JSON lines with raw_file, h_samples and lanes"
        )
        raise_or_record(err, strict=strict, problems=problems)
    return records


def _parse_record(raw, path, number, strict, problems) -> TusimpleRecord:
    def fail(message: str) -> LabelFormatError:
        return LabelFormatError(path, message, line=number)

    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise fail(
            f"not valid JSON ({exc.msg} at column {exc.colno}), expected one object per line"
        ) from None
    except RecursionError:
        raise fail("JSON nested too deeply, expected one flat object per line") from None
    if not isinstance(data, dict):
        raise fail(f"a JSON {type(data).__name__}, expected an object with {', '.join(_FIELDS)}")
    missing = [key for key in _FIELDS if key not in data]
    if missing:
        raise fail(f"missing field {missing[0]!r}, expected {', '.join(_FIELDS)}")
    raw_file = data["raw_file"]
    if not isinstance(raw_file, str) or not raw_file.strip():
        raise fail(f"raw_file is {short_repr(raw_file)}, expected a non-empty image path")
    h_samples = data["h_samples"]
    if not isinstance(h_samples, list):
        raise fail(f"h_samples is a {type(h_samples).__name__}, expected a list of row numbers")
    for j, y in enumerate(h_samples):
        if not is_finite_number(y) or y < 0:
            raise fail(f"h_samples[{j}] is {short_repr(y)}, expected a finite row number >= 0")
    lanes_raw = data["lanes"]
    if not isinstance(lanes_raw, list):
        raise fail(f"lanes is a {type(lanes_raw).__name__}, expected a list of lists of x")
    lanes: list[tuple[Number, ...]] = []
    for i, lane in enumerate(lanes_raw):
        message = _lane_problem(lane, len(h_samples))
        if message is None:
            lanes.append(tuple(lane))
            continue
        err = fail(f"lanes[{i}]{message}")
        raise_or_record(err, strict=strict, problems=problems)
    extra = {k: v for k, v in data.items() if k not in _FIELDS}
    return TusimpleRecord(raw_file, tuple(h_samples), tuple(lanes), extra, number)


def _lane_problem(lane: object, count: int) -> str | None:
    if not isinstance(lane, list):
        return f" is a {type(lane).__name__}, expected a list of x values"
    if len(lane) != count:
        return f" has {len(lane)} values, expected {count} (one per h_sample)"
    for j, x in enumerate(lane):
        if not is_finite_number(x):
            return f"[{j}] is {short_repr(x)}, expected a finite x or -2"
    return None


def read_tusimple(
    path: str | Path, *, strict: bool = True, problems: list[Problem] | None = None
) -> list[TusimpleRecord]:
    """Records of a TuSimple JSON-lines file."""
    path = Path(path)
    text = read_label_text(path)
    return parse_tusimple_text(text, path=path, strict=strict, problems=problems)


def record_lanes(record: TusimpleRecord, *, image_size: tuple[int, int] = TUSIMPLE_SIZE) -> LaneSet:
    """The record's lanes (valid points only, bottom-up) with automatic CULane slots."""
    ys = np.asarray(record.h_samples, dtype=np.float64)
    lanes = []
    for xs in record.lanes:
        x = np.asarray(xs, dtype=np.float64)
        keep = x >= 0
        if not keep.any():
            continue
        pts = np.column_stack([x[keep], ys[keep]])
        lanes.append(Lane(pts).sorted_bottom_up())
    return LaneSet(tuple(lanes), image_size=image_size).with_auto_slots()


def lanes_to_record(
    raw_file: str, lanes: LaneSet, h_samples: list[Number] | tuple[Number, ...], **extra
) -> TusimpleRecord:
    """A record with every lane resampled onto ``h_samples``, lanes left to right at the bottom."""
    bottom = lanes.image_size[1] - 1
    ordered = sorted((ln for ln in lanes if len(ln)), key=lambda ln: _nan_last(ln.x_at(bottom)))
    rows = [resample_lane(ln.points, h_samples) for ln in ordered]
    rows = [row for row in rows if any(x != MISSING_X for x in row)]
    return TusimpleRecord(raw_file, tuple(h_samples), tuple(rows), dict(extra))


def resample_lane(points: np.ndarray, h_samples) -> tuple[Number, ...]:
    """x of one lane at each h_sample: a vertex's own x on its row, the spline between, −2 outside."""
    pts = np.asarray(points, dtype=np.float64)
    exact: dict[float, float] = {}
    for x, y in pts:
        exact.setdefault(float(y), float(x))
    finite = pts[np.isfinite(pts).all(axis=1)]
    lo, hi = (finite[:, 1].min(), finite[:, 1].max()) if len(finite) else (np.inf, -np.inf)
    # The spline is needed only on rows inside the lane that carry no vertex.
    between = [y for y in h_samples if lo <= y <= hi and float(y) not in exact]
    spline = dict(zip(between, resample_at_rows(pts, between), strict=True)) if between else {}
    out: list[Number] = []
    for y in h_samples:
        x = exact.get(float(y))
        if x is None and y in spline and np.isfinite(spline[y]):
            x = round(float(spline[y]), 3)
        out.append(MISSING_X if x is None or x < 0 else _compact(x))
    return tuple(out)


def _compact(x: float) -> Number:
    return int(x) if float(x).is_integer() else x


def _nan_last(x: float) -> float:
    return math.inf if math.isnan(x) else x


def format_tusimple(records: list[TusimpleRecord]) -> str:
    return "".join(record.to_json() + "\n" for record in records)


def write_tusimple(path: str | Path, records: list[TusimpleRecord]) -> None:
    """Write a TuSimple JSON-lines file atomically."""
    atomic_write_text(path, format_tusimple(records))
