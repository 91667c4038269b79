"""The repository is a plain Copier template: `copier copy` renders what `mcpforge new` does."""

from __future__ import annotations

import filecmp
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from mcpforge import __version__, new_project
from tests.conftest import REPO_ROOT
from tests.template.projects import PRESETS

# Every test here renders a project (or runs `mcpforge new`): not in the fast lane.
pytestmark = pytest.mark.renders

ANSWERS = {
    "preset": "scale",
    "description": "Interop 'check' ☕",
    "http_port": 9000,
    "secret_env_vars": "A_KEY,B_TOKEN",
}


def tree(root: Path) -> set[str]:
    return {
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


@pytest.mark.parametrize("preset", PRESETS)
def test_plain_copier_copy_renders_the_same_tree(tmp_path: Path, preset: str) -> None:
    copier = shutil.which("copier", path=str(Path(sys.executable).parent))
    assert copier, "copier's console script is installed with mcpforge"
    answers = {**ANSWERS, "preset": preset}
    ours = new_project(tmp_path / "ours" / "interop-server", answers).path

    theirs = tmp_path / "theirs" / "interop-server"
    data = [arg for key, value in answers.items() for arg in ("--data", f"{key}={value}")]
    # This checkout has no version tag for the CI's `mcpforge[check]==` pin to come from:
    # give plain copier the version, as mcpforge new does for its plain-folder render.
    data += ["--data", f"mcpforge_version={__version__}"]
    subprocess.run(
        [copier, "copy", "--quiet", "--defaults", *data, str(REPO_ROOT), str(theirs)],
        check=True,
        capture_output=True,
    )

    assert tree(ours) == tree(theirs)
    names = sorted(tree(ours) - {".copier-answers.yml"})
    _, mismatch, errors = filecmp.cmpfiles(ours, theirs, names, shallow=False)
    assert mismatch == [] and errors == []
    # The answers agree; only where the template came from differs (a local path here,
    # the public repository and a version tag for mcpforge).
    our_answers = yaml.safe_load((ours / ".copier-answers.yml").read_text())
    their_answers = yaml.safe_load((theirs / ".copier-answers.yml").read_text())
    for metadata in ("_src_path", "_commit"):
        our_answers.pop(metadata)
        their_answers.pop(metadata, None)
    assert our_answers == their_answers


def test_plain_copier_copy_refuses_a_project_named_after_a_dependency(tmp_path: Path) -> None:
    """The rule lives in copier.yml's validator, so copier alone refuses it too."""
    copier = shutil.which("copier", path=str(Path(sys.executable).parent))
    assert copier, "copier's console script is installed with mcpforge"
    target = tmp_path / "pydantic"
    result = subprocess.run(
        [copier, "copy", "--defaults", "--data", "preset=minimal", str(REPO_ROOT), str(target)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "project name 'pydantic' is the name of a package generated projects depend on" in (
        result.stdout + result.stderr
    )
    assert not target.exists()
