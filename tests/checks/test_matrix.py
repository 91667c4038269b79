"""`mcpforge check --matrix`, the default tier, as mcpforge's CI runs it: every preset
and the odd names must build, pass their tests, boot and answer MCP."""

from __future__ import annotations

from pathlib import Path

from mcpforge.checks.matrix import variants

from .conftest import MatrixRun, on_the_matrix_run


@on_the_matrix_run
def test_every_matrix_project_passes_the_default_tier(matrix_run: MatrixRun) -> None:
    """The console script's own run (`matrix_run`, once a session; test_heavy.py reads its
    production project too)."""
    result, reports = matrix_run.result, matrix_run.reports
    failures = {
        Path(report["project"]).name: [
            f"{item['id']}: {item['message']}"
            for item in report["results"]
            # Not verified for want of the `check` extra or uv fails as a failure does.
            if item["status"] == "failed"
            or (item["status"] == "not-verified" and not item["optional"])
        ]
        for report in reports
        if not report["ok"]
    }
    assert failures == {}
    assert result.returncode == 0, result.stderr
    names = {Path(report["project"]).name for report in reports}
    assert {"matrix-production", "matrix-minimal", "matrix-scale"} <= names
    # One report per variant: each is generated and checked once.
    assert sorted(Path(report["project"]).name for report in reports) == sorted(
        variant.name for variant in variants()
    )
    for report in reports:
        ran = {item["family"] for item in report["results"] if item["status"] == "passed"}
        assert {"project", "static", "build", "tests", "runtime"} <= ran, report["project"]
