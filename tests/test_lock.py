"""uv.lock after `mcpforge new` and `update`: written and committed when the index answers,
one clear line (and a complete project) when it does not, nothing with --no-lock."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mcpforge import __version__
from mcpforge.cli import app
from tests.conftest import require_tool

# Every test here renders a project (or runs `mcpforge new`): not in the fast lane.
pytestmark = pytest.mark.renders


def new(workdir: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["new", *args])
    return result.exit_code, result.stdout, result.stderr


def git(project: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=project, capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    monkeypatch.setenv("UV_PYTHON_DOWNLOADS", "never")
    return tmp_path


@pytest.mark.slow
def test_new_pins_dependencies_in_the_first_commit(workdir: Path) -> None:
    uv = require_tool("uv")
    code, out, err = new(workdir, "locked-server", "--preset", "production")
    assert code == 0, err
    project = workdir / "locked-server"
    assert "dependencies pinned in uv.lock (refresh with `uv lock -U`)" in out
    lock = (project / "uv.lock").read_text()
    assert 'name = "mcp"' in lock and 'name = "starlette"' in lock
    # One commit, uv.lock in it, nothing left uncommitted: ready for `mcpforge update`.
    assert git(project, "log", "--format=%s").strip() == (
        f"Generate locked-server with mcpforge {__version__}"
    )
    assert "uv.lock" in git(project, "ls-files").split()
    assert git(project, "status", "--porcelain") == ""
    # The lock is current: `uv sync --locked` (the Dockerfile's and CI's install) accepts it.
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    checked = subprocess.run(
        [uv, "lock", "--check"], cwd=project, env=env, capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stderr


def test_unreachable_index_leaves_a_complete_project_and_one_line(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    require_tool("uv")
    # A closed port as the only index, and an empty cache: uv must go to the network.
    monkeypatch.setenv("UV_DEFAULT_INDEX", "http://127.0.0.1:9/simple")
    monkeypatch.setenv("UV_CACHE_DIR", str(workdir / "empty-cache"))
    monkeypatch.setenv("UV_HTTP_RETRIES", "0")
    code, out, err = new(workdir, "offline-server", "--preset", "production")
    assert code == 0, err
    project = workdir / "offline-server"
    assert not (project / "uv.lock").exists()
    lines = [line for line in out.splitlines() if "uv.lock" in line]
    assert len(lines) == 1, out
    assert lines[0].startswith("uv.lock not written: `uv lock` failed (")
    assert lines[0].endswith("run `uv lock` in offline-server when the package index is reachable")
    assert git(project, "status", "--porcelain") == ""
    assert [path.name for path in workdir.iterdir() if path.name != "empty-cache"] == [
        "offline-server"
    ]
    assert_unlocked_files_say_what_to_do(project)


def assert_unlocked_files_say_what_to_do(project: Path) -> None:
    """Without uv.lock, the files that install from it stop with the command that makes it
    (README.md and the generated README say so): CI's `uv sync --locked` with uv's own
    message, the Dockerfile's install step with its own (run for real on an engine in
    tests/container/test_unlocked.py)."""
    workflow = (project / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8")
    assert "        run: uv sync --locked\n" in workflow
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    synced = subprocess.run(
        ["bash", "-c", "uv sync --locked"],
        cwd=project, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert synced.returncode != 0
    assert "Unable to find lockfile at `uv.lock`" in synced.stderr
    assert "run `uv lock`" in synced.stderr
    # The Dockerfile's dependency step, as its shell runs it in the build folder.
    dockerfile = (project / "Dockerfile").read_text(encoding="utf-8")
    assert "COPY pyproject.toml uv.lock* README.md" in dockerfile
    step = dockerfile.split("RUN --mount=type=cache,target=/root/.cache/uv \\\n", 1)[1]
    script = step.split("\nCOPY ", 1)[0].replace("\\\n", "\n")
    ran = subprocess.run(
        ["sh", "-c", script], cwd=project, capture_output=True, text=True, check=False
    )
    assert ran.returncode == 1
    assert ran.stderr == (
        "error: no uv.lock (the image installs exactly what it pins): run 'uv lock' in the "
        "project, commit uv.lock, build again\n"
    )


def test_without_uv_on_path_mcpforge_locks_with_its_own_uv(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """uv is a dependency of mcpforge: its binary locks the project where no uv is on PATH
    (a fresh machine, pipx, an interpreter called by its path)."""
    git_dir = Path(require_tool("git")).parent
    monkeypatch.setenv("PATH", str(workdir if (git_dir / "uv").exists() else git_dir))
    code, out, err = new(workdir, "nouv-server", "--preset", "minimal")
    assert code == 0, err
    assert "dependencies pinned in uv.lock" in out
    assert "uv.lock" in git(workdir / "nouv-server", "ls-files").split()


def test_no_lock_skips_locking(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UV_DEFAULT_INDEX", "http://127.0.0.1:9/simple")
    code, out, err = new(workdir, "nolock-server", "--preset", "minimal", "--no-lock")
    assert code == 0, err
    assert "uv.lock" not in out
    assert not (workdir / "nolock-server" / "uv.lock").exists()


@pytest.mark.slow
def test_update_refreshes_the_lock_with_the_other_changes(workdir: Path) -> None:
    require_tool("uv")
    code, _, err = new(workdir, "relock-server", "--preset", "production")
    assert code == 0, err
    project = workdir / "relock-server"
    assert 'name = "httpx"' in (project / "uv.lock").read_text()
    # Dropping the cache drops httpx: the refreshed lock is part of the update's changes.
    result = CliRunner().invoke(
        app, ["update", str(project), "--data", "cache=false", "--defaults"]
    )
    assert result.exit_code == 0, result.stderr
    assert "dependencies pinned in uv.lock" in result.stdout
    assert 'name = "httpx"' not in (project / "uv.lock").read_text()
    assert " M uv.lock" in git(project, "status", "--porcelain").splitlines()
