"""A project generated without uv.lock (the index was unreachable): the README's
`docker build` line stops at the dependency step with the command that makes the lock,
instead of COPY's "uv.lock: no such file or directory"."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.container import engine
from tests.container.fixtures import as_podman, section, shell_lines

pytestmark = pytest.mark.container


def test_docker_build_without_a_lock_says_how_to_make_it(
    container_engine: dict[str, str], tmp_path: Path
) -> None:
    del container_engine
    project = tmp_path / "unlocked-server"
    subprocess.run(
        [sys.executable, "-m", "mcpforge", "new", str(project), "--defaults", "--no-git",
         "--no-lock"],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    assert not (project / "uv.lock").exists()
    engine.ensure_standins(project, frozenset({"python", "uv"}))
    build = [line for line in shell_lines(section(project, "Docker")) if "docker build" in line]
    assert len(build) == 1, build
    result = subprocess.run(
        ["bash", "-c", as_podman(build[0])],
        cwd=project,
        env=engine.environment(dict(os.environ)),
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0, output[-3000:]
    assert (
        "error: no uv.lock (the image installs exactly what it pins): run 'uv lock' in the "
        "project, commit uv.lock, build again"
    ) in output, output[-3000:]
    assert "no such file or directory" not in output.lower(), output[-3000:]
