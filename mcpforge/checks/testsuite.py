"""Tests check: the project's own test suite passes."""

from __future__ import annotations

import re
from contextlib import suppress
from pathlib import Path

from mcpforge.checks.base import (
    CheckFailedError,
    Context,
    Outcome,
    check,
    failed,
    not_verified,
    passed,
    tail,
)
from mcpforge.checks.project_copy import synced, uv, uv_env, venv_bin


@check(
    "MF401",
    "tests",
    "The project's own test suite passes (`uv run pytest`)",
    "run `uv run pytest` in the project and fix the failing tests",
)
def test_suite(context: Context) -> Outcome:
    if uv() is None:
        return not_verified("uv")
    if not context.path("tests").is_dir():
        return failed("the project has no tests/ folder")
    try:
        root = synced(context)
    except CheckFailedError as error:
        return failed(str(error))
    context.progress("pytest")
    python = venv_bin(root) / "python"
    # -p no:cacheprovider: the copy is thrown away; no need to write caches into it.
    # --tb=line --show-capture=no: each failure as `file:line: error` and its assertion,
    # not the logs and output pytest captured (they pushed the assertion out of view).
    result = context.run(
        [
            str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "--color=no",
            "--tb=line", "--show-capture=no", "-rfE",
        ],
        cwd=root,
        timeout=900,
        env=uv_env(),
    )  # fmt: skip
    summary = tail(result.stdout, 1)
    if result.returncode != 0:
        return failure(result.stdout, result.stderr, root)
    return passed(summary)


_LOCATION = re.compile(r"^(?P<path>/\S+?|\S+?\.py):(?P<line>\d+): (?P<error>.*)$")


def failure(stdout: str, stderr: str, root: Path) -> Outcome:
    """The failed outcome of a pytest run: its failures' locations, assertions, summary."""
    lines = stdout.splitlines()
    start = next((i for i, line in enumerate(lines) if "= FAILURES =" in line), None)
    end = next((i for i, line in enumerate(lines) if "short test summary info" in line), None)
    if start is None:  # no test ran (a collection or usage error): the end of the output
        return failed(tail(stdout + stderr, 15))
    details = [line for line in lines[start + 1 : end] if line.strip()]
    summary = [line for line in lines[(end or len(lines)) + 1 :] if line.strip()]
    file: str | None = None
    number: int | None = None
    for line in details:
        match = _LOCATION.match(line)
        if match:
            path = Path(match["path"])
            with suppress(ValueError):
                path = path.relative_to(root) if path.is_absolute() else path
            file, number = file or path.as_posix(), number or int(match["line"])
    shown = [_relative(line, root) for line in details[:12]] + summary[-3:]
    return failed("\n".join(shown), file=file, line=number)


def _relative(line: str, root: Path) -> str:
    return line.replace(f"{root}/", "")
