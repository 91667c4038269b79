"""Generated projects declare what they import, and their floors are real.

Every third-party module the rendered code imports is a declared dependency (the tests'
imports may also come from the dev group), and the generated suites pass both at the
oldest versions the pyproject allows (`--resolution lowest-direct`) and at the newest.
"""

from __future__ import annotations

import ast
import re
import socket
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from mcpforge import new_project
from tests.conftest import require_tool
from tests.template.projects import PYTEST, project_env

# Import name -> distribution name, where they differ.
DISTRIBUTION = {
    "jwt": "pyjwt",
    "opentelemetry": "opentelemetry-api",
    "prometheus_client": "prometheus-client",
    "pydantic_settings": "pydantic-settings",
    "sqlalchemy": "sqlalchemy",
    "yaml": "pyyaml",
}
# Packages that are extras of a declared one: `pyjwt[crypto]` brings cryptography.
EXTRA_OF = {"cryptography": "pyjwt"}

VARIANTS: dict[str, dict[str, Any]] = {
    "production": {"preset": "production"},
    "scale": {"preset": "scale"},
    "minimal": {"preset": "minimal"},
    "oauth-otel-sqlite": {
        "preset": "production",
        "auth": "oauth",
        "opentelemetry": True,
        "database": "sqlite",
    },
}


def _imports(folder: Path, package: str) -> set[str]:
    found: set[str] = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    local = {package, "conftest", "tests"} | {p.stem for p in folder.rglob("*.py")}
    return {name for name in found - local if name not in sys.stdlib_module_names}


def _names(requirements: list[str]) -> set[str]:
    return {re.split(r"[\[<>=!~; ]", req, maxsplit=1)[0].lower() for req in requirements}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
@pytest.mark.renders
def test_every_import_is_a_declared_dependency(tmp_path: Path, variant: str) -> None:
    project = new_project(tmp_path / "deps-server", VARIANTS[variant], git=False).path
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    runtime = _names(pyproject["project"]["dependencies"])
    dev = runtime | _names(pyproject["dependency-groups"]["dev"])

    def missing(imports: set[str], declared: set[str]) -> set[str]:
        return {
            name
            for name in imports
            if DISTRIBUTION.get(name, name).replace("_", "-") not in declared
            and EXTRA_OF.get(name) not in declared
        }

    assert missing(_imports(project / "src", "deps_server"), runtime) == set()
    assert missing(_imports(project / "tests", "deps_server"), dev) == set()


def _redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def _run(project: Path, *argv: str, env: dict[str, str]) -> str:
    import subprocess  # noqa: PLC0415

    result = subprocess.run(
        argv, cwd=project, env=env, capture_output=True, text=True, timeout=900, check=False
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"{' '.join(argv)} failed:\n{output[-6000:]}"
    return output


@pytest.mark.slow
@pytest.mark.parametrize("lane", ["lowest-direct", "newest"])
@pytest.mark.parametrize("preset", ["production", "scale"])
def test_generated_suite_passes_at_the_floors_and_at_the_newest(
    tmp_path: Path, preset: str, lane: str
) -> None:
    uv = require_tool("uv")
    project = new_project(tmp_path / f"{preset}-server", {"preset": preset}, git=False).path
    extra = {"TEST_REDIS_URL": "redis://127.0.0.1:6379/0"} if _redis_reachable() else {}
    env = project_env(**extra)
    resolution = ["--resolution", "lowest-direct"] if lane == "lowest-direct" else ["--upgrade"]
    _run(project, uv, "sync", *resolution, env=env)
    if lane == "lowest-direct":
        # Really at the floors: SQLAlchemy is at its declared minimum, not the newest.
        versions = _run(project, uv, "pip", "list", env=env)
        assert re.search(r"^mcp\s+2\.3\.0$", versions, re.M), versions
        if preset == "scale":
            assert re.search(r"^sqlalchemy\s+2\.0\.38$", versions, re.M | re.I), versions
        output = _run(
            project, uv, "run", "--no-sync", *PYTEST, env=env
        )
    else:
        # The newest lane runs the README's "refresh the lock" commands, as written.
        readme = (project / "README.md").read_text(encoding="utf-8")
        block = re.search(r"### Pinned versions \(uv.lock\).*?```sh\n(.*?)```", readme, re.S)
        assert block is not None, "README.md: no refresh commands"
        commands = [line.split("#")[0].strip() for line in block.group(1).splitlines()]
        assert commands == ["uv lock --upgrade", "uv lock", "uv run pytest"]
        for command in commands:
            output = _run(project, "sh", "-c", command, env=env)
    assert re.search(r"\d+ passed", output)
    assert " failed" not in output
