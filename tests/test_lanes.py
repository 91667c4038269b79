"""The fast lane (plain `pytest`) and what brings the heavy tests back into a run."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT


def collected(*args: str) -> tuple[int, int]:
    """(collected, deselected) of `pytest --collect-only ARGS` in the repository."""
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    last = result.stdout.strip().splitlines()[-1]
    match = re.match(r"(?:(\d+)/)?(\d+) tests? collected(?: \((\d+) deselected\))?", last)
    assert match, last
    total = int(match.group(2))
    kept = int(match.group(1)) if match.group(1) else total
    return kept, int(match.group(3) or 0)


@pytest.mark.parametrize(
    ("args", "heavy_kept"),
    [
        (("tests/update",), False),  # a folder keeps the fast lane
        (("tests/update/test_wheel.py",), True),  # a file named runs whole
        (("tests/update/test_wheel.py::test_the_build_hook_leaves_no_temporary_bundle",), True),
        (("--full", "tests/update"), True),
    ],
)
def test_what_the_fast_lane_leaves_out(args: tuple[str, ...], heavy_kept: bool) -> None:
    kept, deselected = collected(*args)
    assert kept > 0
    assert (deselected == 0) is heavy_kept, (kept, deselected)
