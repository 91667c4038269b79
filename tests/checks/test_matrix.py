"""`mcpforge check --matrix`, the default tier, as mcpforge's CI runs it: every preset
and the odd names must build, pass their tests, boot and answer MCP."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

# Every preset's own suite runs here (the scale one starts multi-worker servers): well over
# the suite's default 600 s on a 2-core machine.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]


def test_every_matrix_project_passes_the_default_tier(tmp_path: Path) -> None:
    mcpforge = shutil.which("mcpforge", path=str(Path(sys.executable).parent))
    assert mcpforge, "the mcpforge console script is installed beside this Python"
    result = subprocess.run(
        [mcpforge, "check", "--matrix", "--format", "json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=1700,
        check=False,
    )
    reports = json.loads(result.stdout)
    failures = {
        Path(report["project"]).name: [
            f"{item['id']}: {item['message']}"
            for item in report["results"]
            if item["status"] == "failed"
        ]
        for report in reports
        if not report["ok"]
    }
    assert failures == {}
    assert result.returncode == 0, result.stderr
    names = {Path(report["project"]).name for report in reports}
    assert {"matrix-production", "matrix-minimal", "matrix-scale"} <= names
    for report in reports:
        ran = {item["family"] for item in report["results"] if item["status"] == "passed"}
        assert {"project", "static", "build", "tests", "runtime"} <= ran, report["project"]
