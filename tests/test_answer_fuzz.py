"""Property test: every answer set mcpforge accepts renders a project that parses and builds;
every one it refuses gets one error line, a hint, exit 1 and nothing written.

CI runs a bounded number of examples (the `ci` hypothesis profile); more on demand:
`MCPFORGE_FUZZ_EXAMPLES=500 uv run --extra check pytest tests/test_answer_fuzz.py`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from tests.conftest import project_env, skip_or_fail
from tests.fuzz import answer_sets, classify, python_for_imports

settings.register_profile(
    "ci",
    max_examples=int(os.environ.get("MCPFORGE_FUZZ_EXAMPLES", "25")),
    deadline=None,
    derandomize=False,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)

# Every test here renders a project (or runs `mcpforge new`): not in the fast lane.
pytestmark = pytest.mark.renders


@pytest.fixture(scope="session")
def import_python(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Python that can import every dependency a generated project may have.

    The test virtualenv when it has them all; else one shared virtualenv, installed once
    from the dependencies of the largest project (every feature on) and its dev group.
    """
    found = python_for_imports()
    if found is not None:
        yield found
        return
    uv = shutil.which("uv")
    if uv is None:
        skip_or_fail("uv is not on PATH: cannot build the virtualenv for import checks")
    from mcpforge.create import new_project

    root = tmp_path_factory.mktemp("fuzz-venv")
    project = new_project(
        root / "everything",
        {"preset": "scale", "opentelemetry": True, "auth": "apikey"},
        git=False,
    ).path
    venv = root / "venv"
    env = project_env()
    python = venv / "bin" / "python"
    for argv in (
        [uv, "venv", "-q", "--python", sys.executable, str(venv)],
        [
            uv,
            "pip",
            "install",
            "-q",
            "--python",
            str(python),
            "-r",
            str(project / "pyproject.toml"),
            # The dev group too: a package must not shadow the project's tools either.
            "--group",
            f"{project / 'pyproject.toml'}:dev",
        ],
    ):
        result = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            skip_or_fail(f"cannot build the import virtualenv: {result.stderr.strip()[-300:]}")
    yield str(python)


@settings(settings.get_profile("ci"))
@given(answer_sets())
def test_every_answer_set_renders_a_working_project_or_is_refused_cleanly(
    import_python: str, case: tuple[str, dict[str, Any]]
) -> None:
    name, answers = case
    with tempfile.TemporaryDirectory(prefix="mcpforge-fuzz-") as work:
        outcome = classify(Path(work), name, answers, import_python)
    assert outcome.kind != "broken", f"{name!r} {answers!r}: {outcome.detail}"


def test_names_lists_cover_pydantic_and_every_dependency(import_python: str) -> None:
    """names.jinja reserves every public BaseSettings attribute, and refuses as a package
    name every top-level module the largest generated project installs."""
    from tests.test_answers_refused import names_module

    probe = (
        "import json, importlib.metadata as m, pydantic_settings as p\n"
        "print(json.dumps([sorted(n for n in dir(p.BaseSettings) if not n.startswith('_')),"
        " sorted(n for n in m.packages_distributions() if n.isidentifier())]))"
    )
    result = subprocess.run(
        [import_python, "-c", probe], capture_output=True, text=True, check=True
    )
    attributes, modules = json.loads(result.stdout)
    names = names_module()
    reserved = set(names.reserved_settings)  # type: ignore[attr-defined]
    missing = [n for n in attributes if n not in reserved and not n.startswith("model_")]
    assert missing == []
    known = set(names.modules)  # type: ignore[attr-defined]
    assert [n for n in modules if n not in known and not n.startswith("_")] == []
