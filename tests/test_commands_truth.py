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
