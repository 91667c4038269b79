"""MF701 (`mcpforge check --container`): the engine probe, a missing engine, a real engine."""

from __future__ import annotations

import re
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from mcpforge.checks import Status, check_project
from mcpforge.checks.base import Context
from mcpforge.checks.container import ENGINE_HINT, engine, run_environment
from mcpforge.cli import app
from tests.container.fixtures import Built

from .conftest import result_of


def fake_tool(folder: Path, name: str, script: str) -> None:
    path = folder / name
    path.write_text("#!/bin/sh\n" + script, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)


@pytest.fixture
def only_fakes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """PATH holds only a folder of fake engines."""
    folder = tmp_path / "bin"
    folder.mkdir()
    monkeypatch.setenv("PATH", str(folder))
    return folder


DOCKER_WITHOUT_DAEMON = (
    'echo "Cannot connect to the Docker daemon at unix:///var/run/docker.sock." >&2\nexit 1\n'
)


def test_probe_asks_each_engine_its_own_question(only_fakes: Path, project: Path) -> None:
    # podman has no .ServerVersion: it must be asked for .Version.Version.
    fake_tool(only_fakes, "docker", DOCKER_WITHOUT_DAEMON)
    fake_tool(
        only_fakes,
        "podman",
        '[ "$3" = "{{.Version.Version}}" ] && echo 4.3.1 && exit 0\n'
        'echo "template: info:1:2: executing at <.ServerVersion>: can\'t evaluate" >&2\nexit 125\n',
    )
    found, _ = engine(Context(root=project, answers={}))
    assert found is not None
    assert (found.name, found.version) == ("podman", "4.3.1")


def test_missing_engine_fails_with_a_hint(only_fakes: Path, project: Path) -> None:
    fake_tool(only_fakes, "docker", DOCKER_WITHOUT_DAEMON)
    report = check_project(project, container=True, only=["container"])
    status, message, hint = result_of(report, "MF701")
    assert status is Status.FAILED
    assert message == (
        "no container engine answers: docker does not answer (Cannot connect to the Docker "
        "daemon at unix:///var/run/docker.sock.); podman is not installed\nhint: " + ENGINE_HINT
    )
    assert hint


@pytest.mark.parametrize("strict", [[], ["--strict"]])
def test_container_without_engine_exits_2(
    only_fakes: Path, project: Path, strict: list[str]
) -> None:
    del only_fakes
    result = CliRunner().invoke(app, ["check", str(project), "--only", "MF701", *strict])
    assert result.exit_code == 2, result.output
    assert "no container engine answers" in result.output
    assert "podman is not installed" in result.output


def test_run_environment_has_a_throwaway_key_and_secrets(project: Path) -> None:
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text(encoding="utf-8"))
    secret = answers["secret_env_vars"]
    env = run_environment(Context(root=project, answers=answers))
    assert set(env) == {"MCP_API_KEYS", secret}
    assert all(len(value) >= 24 for value in env.values())
    assert env != run_environment(Context(root=project, answers=answers))  # fresh each run


@pytest.mark.container
@pytest.mark.timeout(2400)
@pytest.mark.usefixtures("container_env")
@pytest.mark.parametrize("preset", ["production", "scale"])
def test_mf701_passes_on_a_real_engine(preset: str, built: Callable[[str], Built]) -> None:
    """On the project tests/container builds (`built`, once a session): MF701's own build of
    the same context is a layer-cache hit, so each preset's image is built once."""
    project = built(preset).project
    report = check_project(project, container=True, only=["container"])
    status, message, _ = result_of(report, "MF701")
    assert status is Status.PASSED, message
    assert re.fullmatch(r"podman \S+: healthy after \d+ s", message), message
