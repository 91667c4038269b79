"""Tests checks: the project's own test suite and type checks pass."""

from __future__ import annotations

import re
from contextlib import suppress
from pathlib import Path

from mcpforge import tomlcompat as tomllib
from mcpforge.checks.base import (
    CheckFailedError,
    Context,
    Outcome,
    check,
    failed,
    not_verified,
    passed,
    skipped,
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


@check(
    "MF402",
    "tests",
    "The project's own type checks pass (`uv run mypy`, as [tool.mypy] configures them)",
    "run `uv run mypy` in the project and fix the errors it names",
)
def type_checks(context: Context) -> Outcome:
    if uv() is None:
        return not_verified("uv")
    if not _configures_mypy(context.path("pyproject.toml")):
        return skipped("the project configures no mypy ([tool.mypy] in pyproject.toml)")
    try:
        root = synced(context)
    except CheckFailedError as error:
        return failed(str(error))
    context.progress("mypy")
    result = context.run(
        [str(venv_bin(root) / "python"), "-m", "mypy", "--no-color-output", "--no-pretty"],
        cwd=root,
        timeout=900,
        env=uv_env(),
    )
    if result.returncode == 0:
        return passed(tail(result.stdout, 1))
    return _mypy_failure(result.stdout, result.stderr)


def _configures_mypy(pyproject: Path) -> bool:
    """Whether pyproject.toml has a [tool.mypy] table (MF201 reports one it cannot read)."""
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return False
    return "mypy" in data.get("tool", {})


_MYPY_ERROR = re.compile(r"^(?P<path>[^:\s]+):(?P<line>\d+): error: ")


def _mypy_failure(stdout: str, stderr: str) -> Outcome:
    """The failed outcome of a mypy run: its first errors (the first one's place) and count."""
    if "No module named mypy" in stderr:
        return failed("mypy is not installed in the project: add it to its dev dependency group")
    errors = [found for line in stdout.splitlines() if (found := _MYPY_ERROR.match(line))]
    if not errors:  # mypy itself failed (a bad configuration, a crash)
        return failed(tail(stdout + stderr, 15))
    shown = [error.string for error in errors[:12]] + [tail(stdout, 1)]
    return failed("\n".join(shown), file=errors[0]["path"], line=int(errors[0]["line"]))


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
