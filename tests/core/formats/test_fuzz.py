"""Property tests of the parsers: random input raises nothing but LabelFormatError; formats round-trip."""

from __future__ import annotations

import contextlib
import json

import numpy as np
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from lgad_studio.core.errors import LabelFormatError, Problem
from lgad_studio.core.formats.culane_lines import format_lines_text, parse_lines_text
from lgad_studio.core.formats.culane_lists import (
    format_gt_line,
    normalize_entry,
    parse_gt_list,
    parse_image_list,
)
from lgad_studio.core.formats.labelme import parse_labelme_text
from lgad_studio.core.formats.tusimple import TusimpleRecord, parse_tusimple_text

FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text that looks like the formats: numbers, words, JSON punctuation and odd whitespace.
TOKENS = st.sampled_from(
    [
        "0",
        "1",
        "-2",
        "589",
        "1e400",
        "nan",
        "inf",
        "-inf",
        "1.5",
        "x",
        "/a.jpg",
        "{",
        "}",
        "[",
        "]",
        ",",
        ":",
        '"',
        "null",
        "true",
        "1_0",
        "\t",
        " ",
        "\n",
        "\r\n",
        "\x00",
        "é",
        "\u2028",
    ]
)
TEXTS = st.one_of(st.text(max_size=200), st.lists(TOKENS, max_size=60).map("".join))
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=8), inner, max_size=5)
    ),
    max_leaves=30,
)
KEYS = [
    "raw_file",
    "h_samples",
    "lanes",
    "imagePath",
    "imageWidth",
    "imageHeight",
    "shapes",
    "points",
    "shape_type",
]
JSON_OBJECTS = st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), JSON_VALUES, max_size=8)


def only_label_errors(parse, text: str) -> None:
    """Strict: parses or raises LabelFormatError. Lenient: never raises for line-based formats."""
    try:
        parse(text, strict=True)
    except LabelFormatError as err:
        assert str(err).startswith(str(err.path))


@FAST
@given(TEXTS)
def test_lines_parser_on_random_text(text: str) -> None:
    only_label_errors(lambda t, strict: parse_lines_text(t, strict=strict), text)
    problems: list[Problem] = []
    lanes = parse_lines_text(text, strict=False, problems=problems)
    assert all(np.isfinite(p).all() and p.shape[1] == 2 for p in lanes)


@FAST
@given(TEXTS)
def test_list_parsers_on_random_text(text: str) -> None:
    only_label_errors(lambda t, strict: parse_gt_list(t, strict=strict), text)
    only_label_errors(lambda t, strict: parse_image_list(t, strict=strict), text)
    parse_gt_list(text, strict=False, problems=[])
    parse_image_list(text, strict=False, problems=[])


@FAST
@given(st.one_of(TEXTS, JSON_OBJECTS.map(json.dumps), JSON_VALUES.map(json.dumps)))
@example('{"raw_file": "a.jpg", "h_samples": [1], "lanes": [[1%s]]}' % ("0" * 400))
@example('{"raw_file": "a.jpg", "h_samples": [1%s], "lanes": []}' % ("0" * 400))
@example("[" * 100_000)
def test_tusimple_parser_on_random_input(text: str) -> None:
    only_label_errors(lambda t, strict: parse_tusimple_text(t, strict=strict), text)
    parse_tusimple_text(text, strict=False, problems=[])


@FAST
@given(st.one_of(TEXTS, JSON_OBJECTS.map(json.dumps), JSON_VALUES.map(json.dumps)))
@example('{"imagePath": "a.jpg", "imageWidth": 1%s, "imageHeight": 2, "shapes": []}' % ("0" * 400))
@example(
    '{"imagePath": "a.jpg", "imageWidth": 1, "imageHeight": 2, "shapes": '
    '[{"shape_type": "line", "points": [[1, 2], [1%s, 3]]}]}' % ("0" * 400)
)
@example("[" * 100_000)
def test_labelme_parser_on_random_input(text: str) -> None:
    only_label_errors(lambda t, strict: parse_labelme_text(t, strict=strict), text)
    # A broken file (not a broken shape) is an error even when lenient.
    with contextlib.suppress(LabelFormatError):
        parse_labelme_text(text, strict=False, problems=[])


COORD = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
LANE = st.lists(st.tuples(COORD, COORD), min_size=1, max_size=12).map(
    lambda p: np.array(p, np.float64)
)


@FAST
@given(st.lists(LANE, max_size=6))
def test_lines_format_parse_round_trip(lanes: list[np.ndarray]) -> None:
    back = parse_lines_text(format_lines_text(lanes))
    assert len(back) == len(lanes)
    assert all(np.array_equal(a, b) for a, b in zip(lanes, back, strict=True))


ENTRY = st.lists(st.text("abcXYZ019_-.", min_size=1, max_size=8), min_size=1, max_size=4).map(
    lambda parts: "/".join(parts) + ".jpg"
)
FLAGS = st.tuples(*[st.integers(0, 1)] * 4)


@FAST
@given(st.lists(st.tuples(ENTRY, FLAGS), max_size=10))
def test_gt_list_round_trip(rows) -> None:
    text = "".join(format_gt_line(e, f) + "\n" for e, f in rows)
    parsed = parse_gt_list(text)
    assert [(r.entry, r.existence) for r in parsed] == [(normalize_entry(e), f) for e, f in rows]


X = st.one_of(st.just(-2), st.integers(0, 2000), st.floats(0, 2000, allow_nan=False))


@FAST
@given(
    st.lists(st.integers(0, 720), min_size=1, max_size=20).flatmap(
        lambda hs: st.tuples(
            st.just(hs), st.lists(st.lists(X, min_size=len(hs), max_size=len(hs)), max_size=5)
        )
    )
)
def test_tusimple_record_round_trip(data) -> None:
    h_samples, lanes = data
    record = TusimpleRecord("clips/a/1.jpg", tuple(h_samples), tuple(tuple(ln) for ln in lanes))
    (back,) = parse_tusimple_text(record.to_json())
    assert back == record
