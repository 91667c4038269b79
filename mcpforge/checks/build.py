"""Build checks: the package builds, installs into a fresh virtualenv, and its command runs."""

from __future__ import annotations

import tempfile
from pathlib import Path

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
from mcpforge.checks.project_copy import console_script, uv, uv_env, workdir


def _wheel(context: Context) -> Path:
    """Build wheel and sdist once per run; the wheel's path."""

    def make() -> Path:
        program = uv()
        if program is None:
            raise CheckFailedError("uv is not installed")
        root = workdir(context)
        out = Path(tempfile.mkdtemp(prefix="dist-", dir=root.parent))
        context.progress("uv build")
        result = context.run(
            [program, "build", "--quiet", "--out-dir", str(out)], cwd=root, env=uv_env()
        )
        if result.returncode != 0:
            raise CheckFailedError("`uv build` failed:\n" + tail(result.stdout + result.stderr))
        wheels, sdists = sorted(out.glob("*.whl")), sorted(out.glob("*.tar.gz"))
        if len(wheels) != 1 or len(sdists) != 1:
            built = ", ".join(path.name for path in out.iterdir()) or "nothing"
            raise CheckFailedError(f"expected one wheel and one sdist, `uv build` made {built}")
        return wheels[0]

    return context.shared("wheel", make)


@check(
    "MF301",
    "build",
    "The package builds: `uv build` makes a wheel and an sdist",
    "run `uv build` in the project and fix what it reports (often [tool.hatch.build] "
    "paths or a file named in pyproject.toml that is missing)",
)
def build(context: Context) -> Outcome:
    if uv() is None:
        return not_verified("uv")
    try:
        wheel = _wheel(context)
    except CheckFailedError as error:
        return failed(str(error), file="pyproject.toml")
    return passed(wheel.name)


@check(
    "MF302",
    "build",
    "The wheel installs into a fresh virtualenv and its command runs (`--help`)",
    "check [project.scripts] in pyproject.toml points at an existing function, and that "
    "every import the server needs is listed in [project] dependencies",
)
def install(context: Context) -> Outcome:  # noqa: PLR0911 - one return per way it fails
    program = uv()
    if program is None:
        return not_verified("uv")
    try:
        wheel = _wheel(context)
    except CheckFailedError:
        return skipped("the package does not build (see MF301)")
    script = console_script(context.root)
    if script is None:
        return failed("pyproject.toml declares no [project.scripts] command")
    root = workdir(context)
    venv = Path(tempfile.mkdtemp(prefix="venv-", dir=root.parent)) / "venv"
    context.progress("fresh venv")
    steps = (
        [program, "venv", "--quiet", str(venv)],
        [program, "pip", "install", "--quiet", "--python", str(venv), str(wheel)],
    )
    for argv in steps:
        result = context.run(argv, cwd=root, env=uv_env())
        if result.returncode != 0:
            return failed(f"`{' '.join(argv[:3])}` failed:\n" + tail(result.stdout + result.stderr))
    command = venv / "bin" / script
    if not command.is_file():
        return failed(f"the wheel installs no `{script}` command")
    context.progress(f"{script} --help")
    result = context.run([str(command), "--help"], cwd=venv, timeout=60)
    if result.returncode != 0:
        return failed(f"`{script} --help` exited {result.returncode}:\n" + tail(result.stderr))
    return passed(f"`{script} --help` runs from the installed wheel")
