"""A throwaway copy of the project for the checks that build, test and run it.

Checks never write into the project: `uv sync` would add a uv.lock and a .venv, `uv
build` a dist/, pytest its caches, and a dirty tree blocks `mcpforge update`. The copy
leaves out git, virtualenvs, caches and `.env` (so the server runs on its defaults).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from mcpforge import tomlcompat as tomllib
from mcpforge.checks.base import CheckFailedError, Context, tail
from mcpforge.checks.files import SKIPPED_DIRS
from mcpforge.uv_binary import find_uv


def uv_env() -> dict[str, str]:
    """Environment for uv: never download interpreters, never reuse the caller's venv."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("VIRTUAL_ENV")}
    env.pop("UV_PROJECT_ENVIRONMENT", None)
    env.setdefault("UV_PYTHON_DOWNLOADS", "never")
    env["UV_NO_PROGRESS"] = "1"
    return env


def uv() -> str | None:
    """The uv binary: mcpforge's own dependency's, else uv on PATH."""
    return find_uv()


def workdir(context: Context) -> Path:
    """The copy of the project, made once per run and removed at the end."""

    def make() -> Path:
        folder = Path(tempfile.mkdtemp(prefix="mcpforge-check-"))
        context.cleanup.callback(shutil.rmtree, folder, ignore_errors=True)
        target = folder / context.root.name
        ignore = shutil.ignore_patterns(*SKIPPED_DIRS, "*.egg-info", ".env")
        shutil.copytree(context.root, target, ignore=ignore, symlinks=True)
        return target

    return context.shared("workdir", make)


def synced(context: Context) -> Path:
    """The copy with its virtualenv synced (dev dependencies included); returns the copy."""

    def make() -> Path:
        program = uv()
        if program is None:
            raise CheckFailedError("uv is not installed")
        root = workdir(context)
        context.progress("uv sync")
        result = context.run([program, "sync", "--quiet"], cwd=root, timeout=600, env=uv_env())
        if result.returncode != 0:
            raise CheckFailedError("`uv sync` failed:\n" + tail(result.stdout + result.stderr))
        return root

    return context.shared("synced", make)


def venv_bin(root: Path) -> Path:
    return root / ".venv" / ("Scripts" if os.name == "nt" else "bin")


def console_script(root: Path) -> str | None:
    """The project's first console script ([project.scripts])."""
    try:
        data = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return None
    scripts = data.get("project", {}).get("scripts", {})
    return next(iter(scripts), None) if isinstance(scripts, dict) else None
