"""TuSimple JSON lines: reading, strict/lenient errors, resampling writer, exact round trips."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from lgad_studio.core.errors import LabelFormatError, Problem
from lgad_studio.core.formats.culane_lines import format_lines_text, parse_lines_text
from lgad_studio.core.formats.dataset import open_dataset
from lgad_studio.core.formats.tusimple import (
    TUSIMPLE_SIZE,
    default_h_samples,
    lanes_to_record,
    parse_tusimple_text,
    read_tusimple,
    record_lanes,
    resample_lane,
    write_tusimple,
)
from lgad_studio.core.lanes import Lane, LaneSet

H = [400, 410, 420, 430]
GOOD = {
    "raw_file": "clips/a/1.jpg",
    "h_samples": H,
    "lanes": [[-2, 500, 490, 480], [700, 720, 740, 760]],
}


def line(**changes) -> str:
    record = dict(GOOD)
    record.update(changes)
    return json.dumps(record)


def test_record_to_lanes() -> None:
    (record,) = parse_tusimple_text(line())
    assert record.entry == "clips/a/1.jpg" and record.line == 1
    lanes = record_lanes(record)
    assert lanes.image_size == TUSIMPLE_SIZE and len(lanes) == 2
    assert np.array_equal(lanes[0].points, [[480, 430], [490, 420], [500, 410]])  # bottom-up
    assert [ln.slot for ln in lanes] == [2, 3]


BAD = [
    ("{not json", "not valid JSON"),
    ("[1, 2]", "a JSON list, expected an object"),
    (json.dumps({"raw_file": "a.jpg", "lanes": []}), "missing field 'h_samples'"),
    (line(raw_file=""), "raw_file is '', expected a non-empty image path"),
    (line(h_samples=[400, "x", 420, 430]), "h_samples[1] is 'x'"),
    (line(lanes={"a": 1}), "lanes is a dict, expected a list"),
    (line(lanes=[[1, 2, 3]]), "lanes[0] has 3 values, expected 4 (one per h_sample)"),
    (line(lanes=[[1, 2, "3", 4]]), "lanes[0][2] is '3', expected a finite x or -2"),
    (line(lanes=[[1, 2, True, 4]]), "lanes[0][2] is True"),
    (line().replace("480", "NaN"), "lanes[0][3] is nan, expected a finite x"),
    (line().replace("480", "Infinity"), "lanes[0][3] is inf"),
]


@pytest.mark.parametrize(("bad", "expected"), BAD)
def test_strict_errors_name_file_line_and_field(tmp_path: Path, bad: str, expected: str) -> None:
    path = tmp_path / "label.json"
    path.write_text(line() + "\n\n" + bad + "\n")
    with pytest.raises(LabelFormatError) as info:
        read_tusimple(path)
    assert str(info.value).startswith(f"{path}:3: ") and expected in info.value.message


@pytest.mark.parametrize(("bad", "expected"), BAD)
def test_lenient_skips_and_reports(bad: str, expected: str) -> None:
    problems: list[Problem] = []
    records = parse_tusimple_text(bad + "\n" + line(), strict=False, problems=problems)
    assert records[-1] == parse_tusimple_text(line())[0]
    assert len(problems) == 1 and problems[0].line == 1 and expected in problems[0].message


def test_lenient_keeps_the_good_lanes_of_a_record() -> None:
    problems: list[Problem] = []
    (record,) = parse_tusimple_text(
        line(lanes=[[1, 2], [700, 720, 740, 760]]), strict=False, problems=problems
    )
    assert (
        record.lanes == ((700, 720, 740, 760),) and "lanes[0] has 2 values" in problems[0].message
    )


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.json"
    path.write_text("\n \n")
    with pytest.raises(LabelFormatError, match=r"empty\.json: empty file, expected JSON lines"):
        read_tusimple(path)
    problems: list[Problem] = []
    assert read_tusimple(path, strict=False, problems=problems) == [] and len(problems) == 1


def test_writer_resamples_onto_h_samples() -> None:
    hs = default_h_samples()
    assert hs[0] == 160 and hs[-1] == 710 and len(hs) == 56
    curve = np.array([[100.0, 705.0], [300.0, 505.0], [420.0, 305.0]])
    xs = resample_lane(curve, hs)
    assert xs[:14] == (-2,) * 14 and xs[-1] == -2  # above and below the lane
    inside = [x for x in xs if x != -2]
    assert len(inside) == 40 and all(isinstance(x, int | float) for x in inside)
    record = lanes_to_record("b.jpg", LaneSet((Lane(curve),), image_size=TUSIMPLE_SIZE), hs)
    assert record.lanes == (xs,) and record.h_samples == tuple(hs)
    # A lane that leaves the image on the left gives -2 where x < 0.
    assert resample_lane(np.array([[-50.0, 700.0], [50.0, 600.0]]), [700, 650, 600]) == (-2, 0, 50)


def test_write_keeps_extra_fields_and_reads_back(tmp_path: Path) -> None:
    records = parse_tusimple_text(line(run_time=12.5))
    path = tmp_path / "out.json"
    write_tusimple(path, records)
    assert json.loads(path.read_text())["run_time"] == 12.5
    assert read_tusimple(path) == records


def round_trip(record):
    text = format_lines_text(record_lanes(record))
    lanes = LaneSet(tuple(Lane(p) for p in parse_lines_text(text)), image_size=TUSIMPLE_SIZE)
    return lanes_to_record(record.raw_file, lanes, record.h_samples)


def test_real_sample_round_trip_through_culane_text_is_exact(tusimple_sample: Path) -> None:
    records = read_tusimple(tusimple_sample)
    assert len(records) == 300
    lanes_seen = 0
    for record in records:
        back = round_trip(record)
        assert sorted(back.lanes) == sorted(record.lanes), record.raw_file
        lanes_seen += len(record.lanes)
    assert lanes_seen == 1049


def test_dataset_view_and_write_back(tmp_path: Path, tusimple_sample: Path) -> None:
    copy = tmp_path / "test_label.json"
    copy.write_bytes(tusimple_sample.read_bytes())
    ds = open_dataset(copy)
    assert ds.kind == "tusimple" and ds.split_names() == ["test"]
    entries = ds.entries("test")
    assert len(entries) == 300 and entries[0].startswith("clips/")
    assert ds.image_size(entries[0]) == TUSIMPLE_SIZE and ds.has_labels(entries[0])
    lanes = ds.read_lanes(entries[5])
    ds.write_lanes(entries[5], lanes.remove(0))
    before, after = tusimple_sample.read_text().splitlines(), copy.read_text().splitlines()
    assert [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b] == [5]
    assert len(open_dataset(copy).read_lanes(entries[5])) == len(lanes) - 1
    with pytest.raises(LabelFormatError, match="image file is missing"):
        ds.read_image(entries[0])
