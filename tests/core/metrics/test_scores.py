"""The one F1 convention: -1 for an empty denominator, per row and pooled alike; displays decide."""

from __future__ import annotations

import itertools

import numpy as np

from lgad_studio.core.metrics.scores import f1_per_row, percent, precision_recall_f1


def test_per_row_f1_is_the_pooled_function_row_by_row() -> None:
    rows = np.array(list(itertools.product(range(4), repeat=3)))
    expected = [precision_recall_f1(*row)[2] for row in rows.tolist()]
    assert np.allclose(f1_per_row(rows), expected)
    assert precision_recall_f1(0, 0, 3) == (-1.0, 0.0, -1.0)  # nothing detected
    assert precision_recall_f1(0, 2, 0) == (0.0, -1.0, -1.0)  # no ground truth (cross)
    assert precision_recall_f1(0, 2, 3)[2] == 0.0


def test_percent_shows_undefined_as_a_dash() -> None:
    assert percent(0.7463) == "74.6" and percent(1.0, digits=2) == "100.00"
    assert percent(-1.0) == "–" and percent(-1.0, undefined="-") == "-"
