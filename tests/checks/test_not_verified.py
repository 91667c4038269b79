"""`mcpforge check` never says ok for what it did not verify, as a user meets it: mcpforge
installed with `pip install .` (no `check` extra) into a fresh virtualenv, then the default
tier on a generated project exits 2 with one line naming what was not verified and the
command that installs it; that command, run as printed, makes the same check exit 0."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, project_env

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]


def run(argv: list[str] | str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv if isinstance(argv, list) else ["bash", "-ec", argv],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=1200, check=False,
    )  # fmt: skip


def test_without_the_extra_check_exits_2_and_names_the_install_command(
    project: Path, tmp_path: Path
) -> None:
    env = project_env(PIP_DISABLE_PIP_VERSION_CHECK="1")
    # A user's shell: not this suite's virtualenv, whose validators would be found on PATH.
    suite_bin = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join(d for d in env["PATH"].split(os.pathsep) if d != suite_bin)
    venv = tmp_path / "venv"
    made = run([sys.executable, "-m", "venv", str(venv)], tmp_path, env)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    installed = run([str(python), "-m", "pip", "install", "-q", str(REPO_ROOT)], tmp_path, env)
    assert installed.returncode == 0, installed.stderr[-3000:]
    mcpforge = str(venv / "bin" / "mcpforge")

    result = run([mcpforge, "check"], project, env)
    output = result.stdout + result.stderr
    assert result.returncode == 2, output[-4000:]
    lines = [line for line in result.stdout.splitlines() if line.startswith("not verified: ")]
    assert len(lines) == 1, output[-4000:]
    line = lines[0]
    # What was not verified: the validators' static checks and the runtime (the MCP SDK).
    for check_id in ("MF201", "MF202", "MF207", "MF214", "MF501", "MF503"):
        assert check_id in line.split(" (", 1)[0], line
    assert "validate-pyproject" in line and "the MCP SDK (mcp)" in line
    # uv came with mcpforge: the build and the project's own tests ran.
    assert "MF301" not in line and "MF401" not in line
    command = line.rsplit("; run: ", 1)[1]
    assert command == f"{python} -m pip install '{REPO_ROOT}[check]'"
    assert result.stdout.splitlines()[-1].startswith("NOT VERIFIED: "), result.stdout[-2000:]
    assert "ok:" not in result.stdout
    assert run("git status --porcelain", project, env).stdout == ""  # never written to

    # The user skips what was not verified, explicitly: that is their call, exit 0.
    named = line.split(": ", 1)[1].split(" (", 1)[0].split()
    skipped = run([mcpforge, "check", "--fast", "--skip", ",".join(named)], project, env)
    assert skipped.returncode == 0, skipped.stdout[-3000:]

    # The command, as printed, from the user's shell; then the same check passes.
    added = run(command, tmp_path, env)
    assert added.returncode == 0, added.stderr[-3000:]
    again = run([mcpforge, "check"], project, env)
    assert again.returncode == 0, again.stdout[-4000:] + again.stderr[-2000:]
    assert not [line for line in again.stdout.splitlines() if line.startswith("not verified: ")]
    last = again.stdout.splitlines()[-1]
    assert last.startswith(("ok: ", "passed, not all verified: ")), again.stdout[-2000:]
    assert (venv / "bin" / "uv").is_file()  # the uv that came with mcpforge
