"""Running a generated project's own tools the way a user's shell would."""

from __future__ import annotations

import subprocess
from pathlib import Path

from mcpforge.checks.matrix import presets
from tests.conftest import project_env

__all__ = ["PRESETS", "PYTEST", "project_env", "run"]

# A generated project's own test run, as its README says (`uv run pytest`), quiet and
# without a cache folder in the project; append paths and options.
PYTEST = ("pytest", "-q", "-p", "no:cacheprovider")

# Every preset of copier.yml: the one list the render matrix, the generated-project tests
# and `mcpforge check --matrix` share.
PRESETS = presets()


def run(project: Path, *argv: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Run a command in the project; it must succeed."""
    result = subprocess.run(
        argv,
        cwd=project,
        env=project_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, f"{' '.join(argv)} failed:\n{result.stdout}\n{result.stderr}"
    return result
