"""Running a generated project's own tools the way a user's shell would."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from mcpforge.checks.matrix import presets
from tests.conftest import project_env, skip_or_fail

__all__ = ["PRESETS", "PYTEST", "check_types", "develop_command", "project_env", "run"]

# A generated project's own test run, as its README says (`uv run pytest`), quiet and
# without a cache folder in the project; append paths and options.
PYTEST = ("pytest", "-q", "-p", "no:cacheprovider")

# Every preset of copier.yml: the one list the render matrix, the generated-project tests
# and `mcpforge check --matrix` share.
PRESETS = presets()


def run(
    project: Path, *argv: str, timeout: float = 600, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a command in the project; it must succeed."""
    result = subprocess.run(
        argv,
        cwd=project,
        env=project_env() if env is None else env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, f"{' '.join(argv)} failed:\n{result.stdout}\n{result.stderr}"
    return result


def develop_command(project: Path, program: str) -> str:
    """The command of the generated README's Develop block that runs `program` (`uv run
    PROGRAM ...`), as written there, without its comment."""
    readme = (project / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Develop\n", 1)[1].split("\n## ", 1)[0]
    block = re.findall(r"```sh\n(.*?)```", section, re.S)[0]
    commands = [line.split("#", 1)[0].strip() for line in block.splitlines()]
    found = [command for command in commands if command.split()[:3] == ["uv", "run", program]]
    assert len(found) == 1, f"README.md's Develop block runs {program} {len(found)} times: {block}"
    return found[0]


def check_types(project: Path, uv: str) -> subprocess.CompletedProcess[str]:
    """mypy, run the way the project's README says (its Develop block), in a shell whose
    `uv` is `uv`; it must pass. Skipped (a failure in CI) without the project's Python."""
    env = project_env()
    # pyenv's shims (when they started this suite) pin their own version for every child.
    for name in ("PYENV_VERSION", "PYENV_DIR"):
        env.pop(name, None)
    env["PATH"] = os.pathsep.join([str(Path(uv).parent), env.get("PATH", "")])
    python = (project / ".python-version").read_text(encoding="utf-8").strip()
    found = subprocess.run(
        [uv, "python", "find", python], cwd=project, env=env, capture_output=True, check=False
    )
    if found.returncode != 0:
        skip_or_fail(f"Python {python} is not installed (the project's .python-version)")
    result = run(project, "sh", "-c", develop_command(project, "mypy"), env=env)
    assert re.search(r"^Success: no issues found in \d+ source files$", result.stdout, re.M), (
        result.stdout
    )
    return result
