"""Under CI a missing ``../shared`` fails the golden tests instead of skipping them."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

ROOT_CONFTEST = Path(__file__).with_name("conftest.py")
GOLDEN_TEST = """
import pytest

def test_golden(shared_dir):
    assert shared_dir.is_dir()

def test_other_skip():
    pytest.skip("not a shared-data skip")
"""


def _run(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, ci: str):
    conftest = ROOT_CONFTEST.read_text(encoding="utf-8")
    # point SHARED at a folder that does not exist
    conftest = conftest.replace(
        'SHARED = REPO.parent / "shared"', 'SHARED = REPO / "no-such-shared"'
    )
    pytester.makeconftest(conftest)
    pytester.makepyfile(test_golden=GOLDEN_TEST)
    monkeypatch.setenv("CI", ci)
    return pytester.runpytest_inprocess("-p", "no:cacheprovider")


def test_a_missing_shared_folder_fails_under_ci(pytester, monkeypatch) -> None:
    result = _run(pytester, monkeypatch, "true")
    # the skip happened in the fixture's setup, so pytest counts an error: the run fails
    result.assert_outcomes(errors=1, skipped=1)
    assert result.ret != 0
    result.stdout.fnmatch_lines(["*CI=true refuses to skip a golden test*"])


def test_a_missing_shared_folder_skips_elsewhere(pytester, monkeypatch) -> None:
    result = _run(pytester, monkeypatch, "")
    result.assert_outcomes(skipped=2)
