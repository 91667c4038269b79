"""Update-bot configuration: Renovate's own validator and Dependabot's schema accept what
mcpforge generates, for every preset and CI, and MF221/MF222 catch a broken file."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from mcpforge import new_project
from mcpforge.checks import Status, check_project
from tests.conftest import npm_tool

from .conftest import render_cases, result_of

CASES: dict[str, dict[str, Any]] = {
    "production": {"preset": "production"},
    "scale": {"preset": "scale"},
    "minimal": {"preset": "minimal"},
    "gitlab": {"preset": "production", "ci": "gitlab"},
    "dependabot-production": {"preset": "production", "update_bot": "dependabot"},
    "dependabot-scale": {"preset": "scale", "update_bot": "dependabot"},
    "dependabot-minimal": {"preset": "minimal", "update_bot": "dependabot"},
}


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return render_cases(tmp_path_factory.mktemp("bots"), CASES)


@pytest.fixture(scope="module")
def renovate_validator() -> str:
    return npm_tool("renovate-config-validator")


def _validate(validator: str, folder: Path) -> subprocess.CompletedProcess[str]:
    # Without arguments it validates the repository configuration (renovate.json) in cwd.
    return subprocess.run(
        [validator, "--strict"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={"PATH": str(Path(validator).parent) + ":/usr/bin:/bin", "NO_COLOR": "1"},
    )


@pytest.mark.parametrize("case", ["production", "scale", "minimal", "gitlab"])
def test_renovate_accepts_the_generated_config(
    projects: dict[str, Path], renovate_validator: str, case: str
) -> None:
    project = projects[case]
    assert not (project / ".github" / "dependabot.yml").exists()
    result = _validate(renovate_validator, project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Config validated successfully" in result.stdout + result.stderr
    config = json.loads((project / "renovate.json").read_text())
    groups = {rule.get("groupName") for rule in config["packageRules"]}
    assert {"Python dependencies", "container images"} <= groups
    assert ("GitHub Actions" in groups) == (CASES[case].get("ci", "github") == "github")
    assert config["lockFileMaintenance"]["enabled"] is True  # uv.lock refreshed weekly


def test_renovate_validator_catches_a_misspelt_option(
    projects: dict[str, Path], renovate_validator: str, tmp_path: Path
) -> None:
    text = (projects["production"] / "renovate.json").read_text()
    (tmp_path / "renovate.json").write_text(text.replace("prConcurrentLimit", "prConcurentLimit"))
    result = _validate(renovate_validator, tmp_path)
    assert result.returncode == 1
    assert "Found errors in configuration" in result.stdout + result.stderr


def test_mf221_runs_renovates_validator_when_it_is_installed(
    projects: dict[str, Path], renovate_validator: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    monkeypatch.setenv("PATH", str(Path(renovate_validator).parent) + ":" + os.environ["PATH"])
    project = projects["scale"]
    status, message, _ = result_of(check_project(project, only=["MF221"]), "MF221")
    assert (status, message) == (Status.PASSED, "renovate-config-validator --strict")
    path = project / "renovate.json"
    text = path.read_text()
    try:
        # A misspelt option passes the JSON schema; Renovate's validator refuses it.
        path.write_text(text.replace("prConcurrentLimit", "prConcurentLimit"))
        status, message, _ = result_of(check_project(project, only=["MF221"]), "MF221")
        assert status is Status.FAILED
        assert "prConcurentLimit" in message or "errors in configuration" in message, message
    finally:
        path.write_text(text)


@pytest.mark.parametrize(
    "case", ["dependabot-production", "dependabot-scale", "dependabot-minimal"]
)
def test_dependabot_config_matches_its_schema_and_covers_each_ecosystem(
    projects: dict[str, Path], case: str
) -> None:
    project = projects[case]
    assert not (project / "renovate.json").exists()
    status, message, _ = result_of(check_project(project, only=["MF222"]), "MF222")
    assert status is Status.PASSED, message
    config = yaml.safe_load((project / ".github" / "dependabot.yml").read_text())
    ecosystems = {update["package-ecosystem"] for update in config["updates"]}
    expected = {"uv", "github-actions"}
    if (project / "Dockerfile").exists():
        expected.add("docker")
    if (project / "compose.yaml").exists():
        expected.add("docker-compose")
    assert ecosystems == expected
    # Grouped: one PR per ecosystem a week, not one per package.
    assert all(update.get("groups") for update in config["updates"])


def test_mf222_catches_an_unknown_ecosystem(projects: dict[str, Path]) -> None:
    project = projects["dependabot-production"]
    path = project / ".github" / "dependabot.yml"
    text = path.read_text()
    try:
        path.write_text(text.replace("package-ecosystem: uv", "package-ecosystem: uvv"))
        status, _, _ = result_of(check_project(project, only=["MF222"]), "MF222")
        assert status is Status.FAILED
    finally:
        path.write_text(text)


def test_dependabot_needs_github(tmp_path: Path) -> None:
    from mcpforge.errors import McpforgeError

    with pytest.raises(McpforgeError, match="Dependabot runs on GitHub"):
        new_project(tmp_path / "x-server", {"ci": "gitlab", "update_bot": "dependabot"})
