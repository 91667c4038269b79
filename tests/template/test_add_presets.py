"""`mcpforge add` on every preset, by flags and through the interview at a terminal, then the
project's own toolchain: ruff (check and format), mypy, pytest and `mcpforge check`.

One project per preset gets all its additions first, then runs its toolchain once.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest

from mcpforge import new_project
from tests.conftest import REPO_ROOT, project_env, require_tool, run_bash
from tests.template.projects import check_types, run

pytestmark = pytest.mark.slow

MCPFORGE = shutil.which("mcpforge", path=str(Path(sys.executable).parent)) or "mcpforge"
BACKSPACE = "\x7f"

# By flags, in every preset: a tool with typed, constrained arguments, a resource template
# and a prompt; the presets with an upstream client and a database get tools using them.
BY_FLAGS: list[tuple[str, ...]] = [
    (
        "tool", "get_forecast", "--description", "Forecast the weather of a city \u2013 fast",
        "--arg", "city:str:min_length=1,max_length=100:The city",
        "--arg", "days:int:ge=1,le=14,default=3:Days ahead",
        "--arg", "units:str:choices=metric|imperial,default=metric:Units",
        "--arg", "ratio:float:gt=0,lt=1",
        "--arg", 'code:str:pattern="^[A-Z]{3}$",example=NYC:IATA code',
        "--arg", "verbose:bool::Say more",
    ),
    (
        "resource", "weather://{city}/current", "--description", "Current weather of a city",
        "--arg", "city:str:min_length=2:The city",
    ),
    (
        "prompt", "plan_trip", "--description", "Plan a trip",
        "--arg", "city:str:min_length=1", "--arg", "days:int:ge=1",
        "--text", 'Plan {days} days in {city}, with {{braces}} and "quotes"',
    ),
    ("tool", "ping_all", "--description", "Answers with no arguments", "--sync"),
    ("resource", "weather://today", "--description", "Weather today", "--mime-type", "text/plain"),
]  # fmt: skip
# Projects with authentication: a tool that needs two scopes (its test calls it over HTTP
# with a key that has them and one that has none).
WITH_AUTH: list[tuple[str, ...]] = [
    (
        "tool", "save_note", "--description", "Save a note",
        "--arg", "body:str:min_length=1,max_length=2000:The note",
        "--scope", "notes:write", "--scope", "notes:admin", "--cost", "2", "--limit", "30/minute",
    ),
]  # fmt: skip
WITH_SERVICES: list[tuple[str, ...]] = [
    (
        "tool", "fetch_city", "--description", "Fetch a city",
        "--arg", "city:str:min_length=1", "--arg", "days:int:ge=1,le=5",
        "--uses", "upstream", "--uses", "database",
    ),
    ("resource", "city://{name}/info", "--description", "City info", "--uses", "database"),
]  # fmt: skip


def add(project: Path, *argv: str) -> str:
    result = subprocess.run(
        [MCPFORGE, "add", argv[0], argv[1], str(project), *argv[2:]],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def spawn(project: Path, *argv: str) -> pexpect.spawn:
    env = {**os.environ, "TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1"}
    return pexpect.spawn(
        MCPFORGE, ["add", *argv, str(project)], env=env, encoding="utf-8", timeout=60,
        dimensions=(60, 200),
    )  # fmt: skip


def finish(child: pexpect.spawn) -> None:
    child.expect_exact("Write these files?")
    child.send("y")
    child.expect_exact("Next: run its test")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before


def answer_uses(child: pexpect.spawn, project: Path, *, upstream: bool, database: bool) -> None:
    package = project.name.replace("-", "_")
    if (project / "src" / package / "upstream.py").is_file():
        child.expect_exact("Does it call the upstream HTTP API")
        child.send("y" if upstream else "n")
    if (project / "src" / package / "db.py").is_file():
        child.expect_exact("Does it use the database")
        child.send("y" if database else "n")


def interview_tool(project: Path) -> None:
    """A tool through every question, with a typo the interview refuses as it is typed."""
    child = spawn(project, "tool", "lookup_city")
    child.expect_exact("What does the tool do?")
    child.send("Look a city up\r")
    child.expect_exact("Does the tool take an argument?")
    child.send("y")
    child.expect_exact("Argument name")
    child.send("city\r")
    child.expect_exact("Type of city")
    child.send("\r")  # str, the first choice
    child.expect_exact("Constraints of city")
    child.send("min_length=x\r")
    child.expect_exact("argument city: min_length 'x' is not a whole number")
    child.send(BACKSPACE + "1,max_length=80\r")
    child.expect_exact("Description of city")
    child.send("The city\r")
    child.expect_exact("Another argument?")
    child.send("y")
    child.expect_exact("Argument name")
    child.send("limit\r")
    child.expect_exact("Type of limit")
    child.send("\x1b[B\r")  # int, the second choice
    child.expect_exact("Constraints of limit")
    child.send("ge=1,le=10,default=5\r")
    child.expect_exact("Description of limit")
    child.send("Most results\r")
    child.expect_exact("Another argument?")
    child.send("n")
    child.expect_exact("Async?")
    child.send("\r")
    answer_uses(child, project, upstream=False, database=True)
    if has_auth(project):
        child.expect_exact("Scopes an HTTP caller needs")
        child.send('cities read"\r')
        child.expect_exact("is not an OAuth scope token")
        child.send("\x7f\r")
        child.expect_exact("Rate-limit cost of one call")
        child.send("\x7f2\r")
        child.expect_exact("A rate limit of its own")
        child.send("5 a minute\r")
        child.expect_exact("is not a rate limit")
        child.send("\x7f" * 10 + "5/minute\r")
    finish(child)


def has_auth(project: Path) -> bool:
    return (project / "src" / project.name.replace("-", "_") / "auth.py").is_file()


def interview_resource(project: Path) -> None:
    child = spawn(project, "resource", "notes://{day}/summary")
    child.expect_exact("Name of the resource's function")
    child.send("\r")  # notes_summary, from the URI
    child.expect_exact("What does the resource do?")
    child.send("The notes of a day\r")
    child.expect_exact("Type of day")
    child.send("\x1b[B\r")  # int
    child.expect_exact("Constraints of day")
    child.send("ge=1,le=31\r")
    child.expect_exact("Description of day")
    child.send("Day of the month\r")
    child.expect_exact("Async?")
    child.send("n")
    answer_uses(child, project, upstream=False, database=False)
    finish(child)


def interview_prompt(project: Path) -> None:
    child = spawn(project, "prompt", "review_city")
    child.expect_exact("What does the prompt do?")
    child.send("Review a city\r")
    child.expect_exact("Does the prompt take an argument?")
    child.send("y")
    child.expect_exact("Argument name")
    child.send("city\r")
    child.expect_exact("Type of city")
    child.send("\r")
    child.expect_exact("Constraints of city")
    child.send("\r")
    child.expect_exact("Description of city")
    child.send("\r")
    child.expect_exact("Another argument?")
    child.send("n")
    child.expect_exact("Async?")
    child.send("\r")
    child.expect_exact("The prompt's message")
    child.send(BACKSPACE * 60 + "Review {town}\r")
    child.expect_exact("prompt text names {town}")
    child.send(BACKSPACE * 5 + "city} in three lines\r")
    finish(child)


@pytest.mark.parametrize("preset", ["production", "minimal", "scale"])
def test_added_code_passes_the_project_toolchain(tmp_path: Path, preset: str) -> None:
    uv = require_tool("uv")
    project = new_project(tmp_path / f"{preset}-server", {"preset": preset}).path
    package = project.name.replace("-", "_")
    has_services = (project / "src" / package / "db.py").is_file()
    extra = (WITH_AUTH if has_auth(project) else []) + (WITH_SERVICES if has_services else [])
    for argv in BY_FLAGS + extra:
        add(project, *argv)
    interview_tool(project)
    interview_resource(project)
    interview_prompt(project)

    tools = sorted(path.name for path in (project / "src" / package / "tools").glob("*.py"))
    assert len(tools) == 1 + len(BY_FLAGS) + 3 + len(extra)
    if has_auth(project):
        lookup = (project / "src" / package / "tools" / "lookup_city.py").read_text()
        assert (
            '@mcp.tool()\n@requires_scopes("cities", "read")\n@rate_limit("5/minute", cost=2)\n'
            in lookup
        )
    run(project, uv, "run", "ruff", "check", ".")
    run(project, uv, "run", "ruff", "format", "--check", ".")
    check_types(project, uv)  # mypy strict over src/ and tests/, as the README says
    check = subprocess.run(
        [MCPFORGE, "check", str(project), "--format", "json"],
        capture_output=True, text=True, check=False, timeout=1800, env=project_env(),
    )  # fmt: skip
    report = json.loads(check.stdout)
    failed = [r for r in report["results"] if r["status"] == "failed"]
    assert check.returncode == 0 and not failed, json.dumps(failed, indent=2) + check.stderr
    passed = {r["id"] for r in report["results"] if r["status"] == "passed"}
    # Its tests (MF401, the added ones included), the build and the runtime checks ran.
    assert {"MF301", "MF302", "MF401", "MF501" if preset == "minimal" else "MF503"} <= passed


def test_the_readmes_add_commands_run_as_written(tmp_path: Path) -> None:
    """mcpforge's README (from `mcpforge new` to the added tool's test) and the generated one."""
    bin_dir = str(Path(MCPFORGE).parent)
    env = project_env(PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    block = next(
        block
        for block in re.findall(r"```console\n(.*?)```", readme, re.S)
        if "mcpforge add tool" in block and "mcpforge new" in block
    )
    result = run_bash(block, tmp_path, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 passed" in result.stdout

    project = new_project(tmp_path / "docs-server", {"preset": "minimal"}).path
    generated = (project / "README.md").read_text(encoding="utf-8")
    block = next(
        block
        for block in re.findall(r"```sh\n(.*?)```", generated, re.S)
        if "mcpforge add" in block
    )
    result = run_bash(block, project, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 passed" in result.stdout
