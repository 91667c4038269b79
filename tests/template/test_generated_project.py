"""Right after `mcpforge new`, every preset passes its own tests, lint, type and format
checks, and every answer set of the render matrix its type checks.

These run the generated project's toolchain for real (uv, pytest, ruff, mypy, hadolint), as
a user would right after generation.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from mcpforge import new_project
from tests.conftest import require_tool
from tests.template.conftest import GeneratedSuite
from tests.template.projects import PRESETS, check_types, run
from tests.template.test_render_matrix import CASES

pytestmark = pytest.mark.slow

LIST_TOOLS = """
import asyncio, json
from {package}.server import mcp
print(json.dumps({{
    "tool": sorted(t.name for t in asyncio.run(mcp.list_tools())),
    "prompt": sorted(p.name for p in asyncio.run(mcp.list_prompts())),
    "resource": sorted(str(r.uri) for r in asyncio.run(mcp.list_resources())),
}}))
"""


@pytest.mark.parametrize("preset", PRESETS)
def test_generated_project_passes_its_own_checks(
    generated_suite: GeneratedSuite, preset: str
) -> None:
    uv = require_tool("uv")
    suite = generated_suite({"preset": preset})
    project, tests = suite.project, suite.tests

    assert re.search(r"\d+ passed", tests.stdout)
    assert "failed" not in tests.stdout and "error" not in tests.stdout.lower()
    run(project, uv, "run", "ruff", "check", "--no-cache", ".")
    run(project, uv, "run", "ruff", "format", "--check", "--no-cache", ".")
    check_types(project, uv)
    if (project / "Dockerfile").exists():
        hadolint = require_tool("hadolint")
        run(project, hadolint, "-t", "warning", "Dockerfile")

    # The README documents exactly the tools, prompts and resources the server has.
    package = f"{preset}_server"
    listed = json.loads(
        run(project, uv, "run", "python", "-c", LIST_TOOLS.format(package=package)).stdout
    )
    readme = (project / "README.md").read_text()
    for kind in ("tool", "prompt", "resource"):
        documented = sorted(re.findall(rf"^\| {kind} \| `([^`]+)` \|", readme, re.M))
        assert documented == listed[kind], kind


@pytest.mark.parametrize("case", [case for case in CASES if case not in PRESETS])
def test_every_answer_set_of_the_render_matrix_type_checks(tmp_path: Path, case: str) -> None:
    """`uv run mypy` as the README says, for the render matrix's other answers (the presets
    type-check above): the optional modules and branches they render are typed too."""
    uv = require_tool("uv")
    answers = dict(CASES[case])
    name = answers.pop("project_name", f"{case}-server")
    project = new_project(tmp_path / name, answers, git=False).path
    check_types(project, uv)
