"""Kuhn-Munkres assignment with the official CULane evaluator's tolerance and tie-breaking.

The official tool (``hungarianGraph.hpp``) runs the classic KM with vertex
labels: a left vertex's label starts at its best edge, right labels at 0, and an
edge counts as *tight* when ``|label_u + label_v - w| < 1e-2``, not exactly 0.
With that tolerance an edge within 0.01 of the best one can win, so pairs near
IoU 0.5 are assigned as the official tool assigns them; an exact solver
(``scipy.optimize.linear_sum_assignment``) may pick another optimum and change
TP. The smaller side is put on the left, as the C++ code does, and the search
visits vertices in index order, so ties resolve identically. NaN weights (two
lanes that both miss the canvas) behave as in C++: never tight, never a maximum.
"""

from __future__ import annotations

from collections.abc import Sequence

TIGHT_TOLERANCE = 1e-2
_NO_SLACK = 1e10


def official_assignment(similarity: Sequence[Sequence[float]]) -> list[int]:
    """For each row (GT lane), the column (detection) it is assigned to, or -1.

    ``similarity`` is a ``(G, D)`` matrix with ``G, D >= 1``; nested lists or a
    NumPy array. Rows and columns are swapped internally when ``G > D``.
    """
    rows = [[float(v) for v in row] for row in similarity]
    g, d = len(rows), len(rows[0]) if rows else 0
    if g == 0 or d == 0:
        return [-1] * g
    if g > d:
        transposed = [[rows[i][j] for i in range(g)] for j in range(d)]
        _, right_match = _km(transposed)
        return right_match
    left_match, _ = _km(rows)
    return left_match


def _km(mat: list[list[float]]) -> tuple[list[int], list[int]]:
    """KM on an ``m x n`` matrix with ``m <= n``: ``(left_match, right_match)``."""
    m, n = len(mat), len(mat[0])
    left_match, right_match = [-1] * m, [-1] * n
    right_label = [0.0] * n
    left_label = []
    for row in mat:
        best = -1e5
        for w in row:
            if best < w:
                best = w
        left_label.append(best)
    left_used, right_used = [False] * m, [False] * n

    def augment(u: int) -> bool:
        left_used[u] = True
        for v in range(n):
            if (
                not right_used[v]
                and abs(left_label[u] + right_label[v] - mat[u][v]) < TIGHT_TOLERANCE
            ):
                right_used[v] = True
                if right_match[v] == -1 or augment(right_match[v]):
                    right_match[v] = u
                    left_match[u] = v
                    return True
        return False

    for u in range(m):
        while True:
            left_used[:] = [False] * m
            right_used[:] = [False] * n
            if augment(u):
                break
            slack = _NO_SLACK
            for i in range(m):
                if left_used[i]:
                    for j in range(n):
                        if not right_used[j]:
                            gap = left_label[i] + right_label[j] - mat[i][j]
                            slack = gap if gap < slack else slack  # std::min(slack, gap)
            if slack == _NO_SLACK:
                return left_match, right_match
            for i in range(m):
                if left_used[i]:
                    left_label[i] -= slack
            for j in range(n):
                if right_used[j]:
                    right_label[j] += slack
    return left_match, right_match
