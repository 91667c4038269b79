"""Right after `mcpforge new`, every preset passes its own tests, lint and format check.

These run the generated project's toolchain for real (uv, pytest, ruff, hadolint), as a
user would right after generation.
"""

from __future__ import annotations

import json
import re

import pytest

from tests.conftest import require_tool
from tests.template.conftest import GeneratedSuite
from tests.template.projects import PRESETS, run

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
