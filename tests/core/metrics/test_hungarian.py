"""The official KM: tolerance 1e-2 on tight edges, smaller side on the left, index order."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment

from lgad_studio.core.metrics.hungarian import official_assignment


def test_tolerance_breaks_a_near_tie_unlike_an_exact_solver() -> None:
    # Exact optimum: gt0-det0 (0.503, a TP at 0.5). The official KM sees the edge
    # gt0-det1 (0.0) as tight within 1e-2 after one label update and assigns
    # gt1-det0 (0.498, not a TP): one TP fewer, as the C++ tool reports.
    sim = np.array([[0.503, 0.0], [0.498, 0.0]])
    assert official_assignment(sim) == [1, 0]
    rows, cols = linear_sum_assignment(-sim)
    assert cols.tolist() == [0, 1]


def test_clear_optimum_is_found() -> None:
    sim = np.array([[0.1, 0.9, 0.0], [0.8, 0.2, 0.0], [0.0, 0.0, 0.7]])
    assert official_assignment(sim) == [1, 0, 2]


@pytest.mark.parametrize("shape", [(1, 3), (3, 1), (2, 4), (4, 2)])
def test_rectangular_matrices_assign_the_smaller_side(shape) -> None:
    rng = np.random.default_rng(sum(shape))
    sim = rng.uniform(0, 1, size=shape)
    rows = official_assignment(sim)
    assert len(rows) == shape[0]
    assigned = [j for j in rows if j >= 0]
    assert len(assigned) == len(set(assigned)) == min(shape)


def test_well_separated_random_matrices_agree_with_the_exact_optimum() -> None:
    rng = np.random.default_rng(7)
    for _ in range(50):
        g, d = rng.integers(1, 6, size=2)
        sim = np.round(rng.uniform(0, 1, size=(g, d)), 1)  # steps of 0.1 >> tolerance
        rows = official_assignment(sim)
        r, c = linear_sum_assignment(-sim)
        ours = sum(sim[i, j] for i, j in enumerate(rows) if j >= 0)
        assert ours == pytest.approx(sim[r, c].sum())


def test_nan_weights_are_never_tight() -> None:
    sim = np.array([[np.nan, 0.6]])
    assert official_assignment(sim) == [1]
    assert official_assignment(np.array([[np.nan]])) == [-1]
