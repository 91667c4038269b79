"""MCP bundles for stdio servers: the generated manifest.json passes `mcpb validate` and
`mcpb pack` builds a bundle with the source, pyproject.toml and uv.lock (the real npm
tool, @anthropic-ai/mcpb), and MF225 runs the same validation."""

from __future__ import annotations

import json
import os
import subprocess
import zipfile
from pathlib import Path

import pytest

from mcpforge import new_project
from mcpforge.checks import Status, check_project
from tests.conftest import npm_tool, require_tool

from .conftest import result_of

# Every test here renders a project (or runs `mcpforge new`): not in the fast lane.
pytestmark = pytest.mark.renders


@pytest.fixture(scope="module")
def mcpb() -> str:
    return npm_tool("mcpb")


def _mcpb(mcpb: str, project: Path, *args: str, code: int = 0) -> str:
    result = subprocess.run(
        [mcpb, *args], cwd=project, capture_output=True, text=True, timeout=300, check=False
    )
    output = result.stdout + result.stderr
    assert result.returncode == code, output
    return output


@pytest.mark.parametrize("preset", ["production", "scale", "minimal"])
def test_manifest_validates_and_packs(mcpb: str, tmp_path: Path, preset: str) -> None:
    uv = require_tool("uv")
    project = new_project(tmp_path / f"{preset}-server", {"preset": preset}, git=False).path
    subprocess.run([uv, "lock", "-q"], cwd=project, check=True, capture_output=True)
    assert "Manifest schema validation passes!" in _mcpb(mcpb, project, "validate", "manifest.json")
    bundle = tmp_path / f"{preset}.mcpb"
    _mcpb(mcpb, project, "pack", ".", str(bundle))
    names = set(zipfile.ZipFile(bundle).namelist())
    package = f"{preset}_server"
    assert {"manifest.json", "pyproject.toml", "uv.lock", f"src/{package}/server.py"} <= names
    assert not any(name.startswith(("tests/", ".venv/", ".git/")) for name in names)
    manifest = json.loads((project / "manifest.json").read_text())
    assert manifest["server"]["type"] == "uv"
    assert manifest["server"]["mcp_config"]["args"][-1] == f"{preset}-server"


def test_http_only_servers_have_no_bundle(tmp_path: Path) -> None:
    project = new_project(tmp_path / "web-server", {"transport": "http"}, git=False).path
    assert not (project / "manifest.json").exists()
    assert "bundle:" not in (project / ".github/workflows/release.yml").read_text()


def test_mf225_runs_mcpb_validate(
    mcpb: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(Path(mcpb).parent) + os.pathsep + os.environ["PATH"])
    project = new_project(tmp_path / "b-server", {"preset": "minimal"}, git=False).path
    status, message, _ = result_of(check_project(project, only=["MF225"]), "MF225")
    assert (status, message) == (Status.PASSED, "mcpb validate")
    manifest = project / "manifest.json"
    manifest.write_text(manifest.read_text().replace('"type": "uv"', '"type": "ruby"'))
    status, _, _ = result_of(check_project(project, only=["MF225"]), "MF225")
    assert status is Status.FAILED
