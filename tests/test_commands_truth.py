"""Every command tells the truth: exit codes, messages, and what is (not) written."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mcpforge.cli import app

REPO_ROOT = Path(__file__).resolve().parent.parent


def mcpforge(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The installed command line, in a real process (exit codes as a shell sees them)."""
    return subprocess.run(
        [sys.executable, "-m", "mcpforge", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


@pytest.mark.renders
def test_gitignore_covers_the_sqlite_database(tmp_path: Path) -> None:
    """The database the tests and the server create leaves the tree clean (update needs it)."""
    result = CliRunner().invoke(
        app, ["new", str(tmp_path / "db-server"), "--defaults", "--data", "database=sqlite"]
    )
    assert result.exit_code == 0, result.stderr
    project = tmp_path / "db-server"
    for name in ("db_server.db", "db_server.db-journal", "db_server.db-wal", "db_server.db-shm"):
        (project / name).write_bytes(b"SQLite format 3\x00")
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=project, capture_output=True, text=True, check=True
    )
    assert status.stdout == ""


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["update", "--check", "--bogus"], "error: No such option: --bogus"),
        (["new"], "error: Missing argument 'name'."),
        (["new", "x", "--defaults", "--nope"], "error: No such option: --nope"),
        (["check", "--format"], "error: Option '--format' requires an argument."),
        (["frobnicate"], "error: No such command 'frobnicate'."),
    ],
)
def test_usage_errors_exit_1_with_one_line_and_a_hint(
    tmp_path: Path, argv: list[str], message: str
) -> None:
    """2 means "check failed / update available": a usage error must never look like it."""
    result = mcpforge(*argv, cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[0] == message
    assert lines[1].startswith("hint: see `mcpforge")
    assert len(lines) == 2
    assert list(tmp_path.iterdir()) == []


def test_bare_mcpforge_prints_the_help_and_exits_1(tmp_path: Path) -> None:
    result = mcpforge(cwd=tmp_path)
    assert result.returncode == 1
    assert "Usage: mcpforge" in result.stderr
    assert "Exit codes: 0 success; 1 user error" in result.stderr


@pytest.mark.renders
def test_a_closed_stdout_ends_quietly(tmp_path: Path) -> None:
    """`mcpforge new ... | head -1`: the reader went away; no error, no traceback."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first line
    result = subprocess.run(
        [sys.executable, "-m", "mcpforge", "new", "piped", "--defaults", "--no-git"],
        cwd=tmp_path,
        stdout=write_end,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
        timeout=300,
    )
    os.close(write_end)
    assert result.returncode == 141
    assert result.stderr == ""
    assert (tmp_path / "piped" / "pyproject.toml").is_file()  # the project is complete


@pytest.mark.renders
def test_ctrl_c_inside_copier_is_not_reported_as_a_bug(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mcpforge import copier_calls

    def interrupted(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("copier.run_copy", interrupted)
    monkeypatch.chdir(tmp_path)
    assert copier_calls.copy_template  # copier is imported lazily inside
    result = CliRunner().invoke(app, ["new", "stopped", "--defaults"])
    assert result.exit_code == 130
    assert result.stderr.strip() == "error: interrupted; nothing was written"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.renders
def test_ctrl_c_after_new_wrote_the_project_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("mcpforge.console.print_new_project", interrupted)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["new", "done", "--defaults", "--no-git"])
    assert result.exit_code == 130
    assert "nothing was" not in result.stderr
    assert f"interrupted; {tmp_path / 'done'} was created" in result.stderr
    assert (tmp_path / "done" / "pyproject.toml").is_file()


@pytest.mark.parametrize("argument", [".", ""])
@pytest.mark.renders
def test_new_in_the_current_empty_folder_fills_it_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, argument: str
) -> None:
    """The user's shell stays in the folder: same inode, never removed and recreated."""
    folder = tmp_path / "here-server"
    folder.mkdir()
    inode = folder.stat().st_ino
    monkeypatch.chdir(folder)
    result = CliRunner().invoke(app, ["new", argument, "--defaults"])
    assert result.exit_code == 0, result.stderr
    assert folder.stat().st_ino == inode
    assert Path.cwd() == folder
    assert (folder / "src" / "here_server" / "server.py").is_file()
    assert (folder / ".git").is_dir()
    assert "Created here-server" in result.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["here-server"]
    assert not [p for p in folder.iterdir() if p.name.startswith(".mcpforge-new-")]
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=folder, capture_output=True, text=True, check=True
    )
    assert status.stdout == ""


@pytest.mark.renders
def test_new_in_place_that_fails_leaves_the_folder_empty(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "here-server"
    folder.mkdir()
    inode = folder.stat().st_ino
    monkeypatch.chdir(folder)
    result = CliRunner().invoke(app, ["new", ".", "--defaults", "--data", "max_results=0"])
    assert result.exit_code == 1
    assert folder.stat().st_ino == inode
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("mcpforge new x --preset ", ["production", "minimal", "scale"]),
        ("mcpforge check --format ", ["text", "json", "junit", "github"]),
        ("mcpforge check -f j", ["json", "junit"]),
        ("mcpforge update --format ", ["text", "json"]),
        ("mcpforge check --only MF10", ["MF101", "MF102"]),
        ("mcpforge check --skip run", ["runtime"]),
    ],
)
def test_shell_completion_completes_option_values(words: str, expected: list[str]) -> None:
    count = len(words.split()) - (0 if words.endswith(" ") else 1)
    env = {
        **os.environ,
        "_MCPFORGE_COMPLETE": "complete_bash",
        "COMP_WORDS": words,
        "COMP_CWORD": str(count),
    }
    result = subprocess.run(
        [sys.executable, "-m", "mcpforge"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == expected
