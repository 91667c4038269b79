"""Tests check: the project's own test suite passes."""

from __future__ import annotations

from mcpforge.checks.base import (
    CheckFailedError,
    Context,
    Outcome,
    check,
    failed,
    passed,
    skipped,
    tail,
)
from mcpforge.checks.tools import missing
from mcpforge.checks.workspace import UV_HINT, synced, uv, uv_env, venv_bin


@check(
    "MF401",
    "tests",
    "The project's own test suite passes (`uv run pytest`)",
    "run `uv run pytest` in the project and fix the failing tests",
)
def test_suite(context: Context) -> Outcome:
    if uv() is None:
        return skipped(missing("uv", UV_HINT))
    if not context.path("tests").is_dir():
        return failed("the project has no tests/ folder")
    try:
        root = synced(context)
    except CheckFailedError as error:
        return failed(str(error))
    context.progress("pytest")
    python = venv_bin(root) / "python"
    # -p no:cacheprovider: the copy is thrown away; no need to write caches into it.
    result = context.run(
        [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "--color=no"],
        cwd=root,
        timeout=900,
        env=uv_env(),
    )
    summary = tail(result.stdout, 1)
    if result.returncode != 0:
        return failed(tail(result.stdout + result.stderr, 15))
    return passed(summary)
