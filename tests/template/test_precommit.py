"""The generated pre-commit hooks: a valid config, every hook passes on a fresh project
(installed from PyPI only, no GitHub), the secret scanner catches a key in the code, mypy
a type error in the code or its tests, and the commands the generated README gives run as
written."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from mcpforge import new_project
from tests.conftest import REPO_ROOT, require_tool
from tests.template.projects import PRESETS, project_env

pytestmark = pytest.mark.slow

# Hook environments (detect-secrets from PyPI) are reused between runs, like a user's.
PRE_COMMIT_HOME = os.environ.get("PRE_COMMIT_HOME") or str(REPO_ROOT / ".cache" / "pre-commit")


def _run(project: Path, *argv: str, code: int = 0) -> str:
    result = subprocess.run(
        argv,
        cwd=project,
        env=project_env(PRE_COMMIT_HOME=PRE_COMMIT_HOME),
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == code, f"{' '.join(argv)} exited {result.returncode}:\n{output}"
    return output


@pytest.mark.parametrize("preset", PRESETS)
def test_hooks_pass_on_a_fresh_project_and_catch_a_secret_and_a_type_error(
    tmp_path: Path, preset: str
) -> None:
    uv = require_tool("uv")
    project = new_project(tmp_path / f"{preset}-server", {"preset": preset}).path
    _run(project, uv, "run", "pre-commit", "validate-config", ".pre-commit-config.yaml")
    # As the generated README gives them.
    _run(project, "sh", "-c", "uv run pre-commit install")
    assert (project / ".git" / "hooks" / "pre-commit").is_file()
    output = _run(project, "sh", "-c", "uv run pre-commit run --all-files")
    for hook in ("ruff check", "ruff format", "mypy", "detect secrets"):
        assert any(
            line.startswith(hook + ".") and line.endswith("Passed") for line in output.splitlines()
        ), output

    # A key pasted into the code is stopped.
    module = next((project / "src").rglob("config.py"))
    key = "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc"  # split: keep this file clean of secrets
    module.write_text(module.read_text() + f'\nSTRIPE_KEY = "{key}"\n')
    _run(project, "git", "add", "-A")
    output = _run(project, uv, "run", "pre-commit", "run", "--all-files", code=1)
    assert "detect secrets" in output and "Failed" in output
    assert "config.py" in output

    # A type error in the code or in its tests is stopped (CI runs the same hook).
    (project / "src" / f"{preset}_server" / "typo.py").write_text('COUNT: int = "one"\n')
    with (project / "tests" / "test_server.py").open("a") as tests:
        tests.write("\n\ndef test_typo() -> None:\n    assert len(3) == 3\n")
    _run(project, "git", "add", "-A")
    output = _run(project, uv, "run", "pre-commit", "run", "mypy", "--all-files", code=1)
    assert "mypy" in output and "Failed" in output
    assert f"src/{preset}_server/typo.py:1: error" in output
    assert "tests/test_server.py:" in output and "[arg-type]" in output
