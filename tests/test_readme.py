"""The README's first commands, run as written on a copy of the clone."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, project_env, run_bash

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")


def console_blocks(section: str) -> list[str]:
    body = README.split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```console\n(.*?)\n```", body, re.S)


def test_the_two_commands_are_what_this_test_runs() -> None:
    first, second, venv = console_blocks("Two commands")
    assert first == "pip install . && mcpforge new ../weather-server --defaults"
    assert second == "python3 -m pip install uv && uv run --extra check pytest --full"
    assert venv == "python3 -m venv .venv && . .venv/bin/activate"
    assert "PEP 668" in README


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    """`.ci/run` ends with the README's test command, the full suite (not the fast lane)."""
    _, second, _ = console_blocks("Two commands")
    ci = (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8").rstrip().splitlines()
    assert ci[-1] == second
    assert second.endswith(" --full")


def run_in_a_copy_of_the_clone(
    clone: Path, script: str, *, path: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Copy this repository to `clone` (without its virtualenv and build output) and run
    `script` there with bash -e, outside this suite's virtualenv (`path`: the shell's PATH,
    default this suite's interpreter folder first)."""
    shutil.copytree(
        REPO_ROOT,
        clone,
        ignore=shutil.ignore_patterns(".venv", "dist", "build", "*_cache", "__pycache__"),
    )
    env = project_env(PIP_DISABLE_PIP_VERSION_CHECK="1")
    env["PATH"] = path or f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return run_bash(script, clone, env)


def path_without_uv(folder: Path) -> str:
    """A fresh machine's PATH: python3 (this suite's base interpreter) and git, no uv."""
    folder.mkdir()
    base = Path(sys.base_prefix) / "bin" / f"python{sys.version_info[0]}.{sys.version_info[1]}"
    (folder / "python3").symlink_to(base)
    git = shutil.which("git")
    assert git is not None
    (folder / "git").symlink_to(git)
    system = [d for d in ("/usr/local/bin", "/usr/bin", "/bin") if not Path(d, "uv").exists()]
    return os.pathsep.join([str(folder), *system])


@pytest.mark.slow
def test_the_first_command_gives_a_locked_project_outside_the_clone(tmp_path: Path) -> None:
    """Run in the virtualenv the PEP 668 note makes, on a PATH without uv (the README
    installs it only in its second command): mcpforge brings uv, so the project's first
    commit holds uv.lock and `uv sync --locked` (its Dockerfile's and CI's install) works.
    The clone is left without a nested repository (which broke the second command's suite).
    """
    first, _, venv = console_blocks("Two commands")
    clone = tmp_path / "mcpforge"
    path = path_without_uv(tmp_path / "bin")
    result = run_in_a_copy_of_the_clone(clone, f"{venv}\n{first}", path=path)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    project = tmp_path / "weather-server"
    assert (project / "src" / "weather_server" / "server.py").is_file()
    assert "dependencies pinned in uv.lock" in result.stdout
    nested = [p.parent for p in clone.rglob(".git") if p.parent != clone]
    assert nested == []
    assert "uv.lock" in run_bash("git ls-files", project).stdout.split()
    assert run_bash("git status --porcelain", project).stdout == ""
    uv = clone / ".venv" / "bin" / "uv"  # the uv mcpforge brought
    synced = run_bash(f"{uv} sync --locked", project)
    assert synced.returncode == 0, synced.stderr[-2000:]

    # mcpforge called by its path, the virtualenv not activated: uv is not on PATH, so the
    # next steps put mcpforge's uv there before the first command that needs it.
    env = project_env(PATH=path)
    made = run_bash(f"{clone}/.venv/bin/mcpforge new ../plain-server --preset minimal", clone, env)
    assert made.returncode == 0, made.stderr[-2000:]
    steps = made.stdout.split("Next steps\n", 1)[1].split("\n\n", 1)[0].splitlines()
    commands = [line.split("  # ", 1)[0].strip() for line in steps]
    assert commands[:3] == [
        f"cd {tmp_path / 'plain-server'}",
        f'export PATH="$PATH:{clone}/.venv/bin"',
        "uv run pytest",
    ], made.stdout
    ran = run_bash(" && ".join(commands[:3]), clone, env)
    assert ran.returncode == 0, ran.stdout[-2000:] + ran.stderr[-2000:]
    assert "passed" in ran.stdout


def development_commands() -> list[str]:
    """The commands of the Development section's first block, without their comments."""
    block = console_blocks("Development")[0]
    return [line.split("  #", 1)[0].strip() for line in block.splitlines()]


# The Development block's other commands: the full suite is the README's test command
# (.ci/run); the benchmark and the 500-example fuzz are not run here (minutes each, and the
# benchmark rewrites bench/results/), as the README says.
RUN_HERE = ("uv run --extra check pytest", "uv run ruff check . && uv run mypy")


@pytest.mark.slow
def test_the_development_commands_pass_as_written(tmp_path: Path) -> None:
    """Lint and types, then the fast lane, on a copy of the clone with its own virtualenv.
    Lint and types first: on a fresh clone, before the fast lane's `--extra check` synced
    the extra's packages (mypy needs the MCP SDK's: the dev group brings it)."""
    commands = development_commands()
    assert set(RUN_HERE) <= set(commands), commands
    lint, fast_lane = RUN_HERE[1], RUN_HERE[0]
    clone = tmp_path / "mcpforge"
    result = run_in_a_copy_of_the_clone(clone, lint)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert not (clone / ".venv" / "bin" / "hadolint").exists()  # the extra was not synced
    env = project_env()
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    result = run_bash(fast_lane, clone, env)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
