"""`mcpforge add` on real generated projects: what it writes, and every refusal writing nothing.

The projects' own toolchains (ruff, mypy, pytest, `mcpforge check`) run on added code in
tests/template/test_add_presets.py; here the written files are read and compared.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from typer.testing import CliRunner

from mcpforge import new_project
from mcpforge.add_listings import README_END, README_START
from mcpforge.cli import app
from tests.conftest import npm_tool
from tests.update.conftest import snapshot

# Every test here renders a project (or uses one rendered for the module): not the fast lane.
pytestmark = pytest.mark.renders

ADD = ("add",)
FORECAST = (
    "tool", "get_forecast", "--description", "Forecast the weather of a city",
    "--arg", "city:str:min_length=1,max_length=100:The city",
    "--arg", "days:int:ge=1,le=14,default=3:Days ahead",
)  # fmt: skip


def run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, [str(arg) for arg in args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A production and a minimal project, each a git repository, rendered once."""
    root = tmp_path_factory.mktemp("add-projects")
    return {
        preset: new_project(root / f"{preset}-server", {"preset": preset}).path
        for preset in ("production", "minimal")
    }


@pytest.fixture
def copy(rendered: dict[str, Path], tmp_path: Path) -> Callable[[str], Path]:
    """A fresh copy of a rendered project (git repository included)."""

    def make(preset: str) -> Path:
        target = tmp_path / f"{preset}-server"
        shutil.copytree(rendered[preset], target, symlinks=True)
        return target

    return make


def added_rows(readme: str) -> list[list[str]]:
    """The cells of the table between the README's added markers, as text (Markdown rendered)."""
    region = readme.split(README_START, 1)[1].split(README_END, 1)[0]
    tokens = MarkdownIt("commonmark").enable("table").parse(region)
    rows: list[list[str]] = []
    cells: list[str] = []
    inside_body = False
    for token in tokens:
        if token.type == "tbody_open":
            inside_body = True
        elif token.type == "tr_close" and inside_body:
            rows.append(cells)
            cells = []
        elif token.type == "inline" and inside_body:
            cells.append("".join(child.content for child in token.children or []))
    return rows


def test_add_writes_the_module_its_test_and_the_readme_row(copy: Callable[[str], Path]) -> None:
    project = copy("production")
    code, out, err = run(*ADD, *FORECAST, project)
    assert code == 0, err
    module = project / "src/production_server/tools/get_forecast.py"
    test = project / "tests/tools/test_get_forecast.py"
    assert "created src/production_server/tools/get_forecast.py" in out
    assert "created tests/tools/test_get_forecast.py" in out
    assert "updated README.md" in out
    assert "updated manifest.json" in out
    assert "uv run pytest tests/tools/test_get_forecast.py" in out
    source = module.read_text()
    assert "@mcp.tool()\nasync def get_forecast(\n" in source
    assert (
        '    city: Annotated[str, Field(min_length=1, max_length=100, description="The city")],\n'
        in source
    )
    assert '    days: Annotated[int, Field(ge=1, le=14, description="Days ahead")] = 3,\n' in source
    assert '    """Forecast the weather of a city"""\n' in source
    assert "from production_server.server import mcp\n" in source
    tests = test.read_text()
    assert 'TOOL = "get_forecast"\n' in tests
    assert 'await client.call_tool(TOOL, {"city": "example", "days": 3})' in tests
    assert '"result": "get_forecast: city=\'example\', days=3"' in tests
    assert 'await client.call_tool(TOOL, {"city": "", "days": 3})' in tests
    readme = (project / "README.md").read_text()
    assert added_rows(readme) == [["tool", "get_forecast", "Forecast the weather of a city"]]
    # Only these files changed: the module, its test and the two listings.
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=project, capture_output=True, text=True, check=True,
    ).stdout.split("\n")  # fmt: skip
    assert sorted(line for line in status if line) == [
        " M README.md",
        " M manifest.json",
        "?? src/production_server/tools/get_forecast.py",
        "?? tests/tools/test_get_forecast.py",
    ]


def test_a_tool_with_scopes_declares_them_and_tests_them_over_http(
    copy: Callable[[str], Path],
) -> None:
    project = copy("production")
    code, _, err = run(*ADD, *FORECAST, project, "--scope", "weather:read", "--scope", "geo")
    assert code == 0, err
    source = (project / "src/production_server/tools/get_forecast.py").read_text()
    assert '@mcp.tool()\n@requires_scopes("weather:read", "geo")\nasync def get_forecast(' in source
    assert "from production_server.policies import requires_scopes\n" in source
    test = (project / "tests/tools/test_get_forecast.py").read_text()
    assert 'NEEDED = ("weather:read", "geo")' in test
    assert "async def test_get_forecast_needs_its_scopes_over_http(" in test
    assert 'keys = f"{SCOPED_KEY}:weather:read+geo,{UNSCOPED_KEY}:"' in test
    assert "@rate_limit" not in source
    assert added_rows((project / "README.md").read_text()) == [
        [
            "tool",
            "get_forecast",
            "Forecast the weather of a city (needs the scopes weather:read, geo)",
        ]
    ]


def test_a_tool_with_a_rate_limit_share_declares_it(copy: Callable[[str], Path]) -> None:
    project = copy("production")
    code, _, err = run(*ADD, *FORECAST, project, "--cost", "3", "--limit", "10/minute")
    assert code == 0, err
    source = (project / "src/production_server/tools/get_forecast.py").read_text()
    assert '@mcp.tool()\n@rate_limit("10/minute", cost=3)\nasync def get_forecast(' in source
    test = (project / "tests/tools/test_get_forecast.py").read_text()
    assert 'assert meta["mcpforge/rateLimit"] == {"cost": 3, "limit": "10/minute"}' in test
    assert added_rows((project / "README.md").read_text())[0][2] == (
        "Forecast the weather of a city (rate limits: counts 3 requests, at most 10/minute per"
        " client)"
    )


def test_each_addition_appends_its_row(copy: Callable[[str], Path]) -> None:
    project = copy("minimal")
    assert run(*ADD, *FORECAST, project)[0] == 0
    code, _, err = run(
        *ADD, "resource", "weather://{city}/now", project, "--description", "Weather *now* | here"
    )
    assert code == 0, err
    code, _, err = run(*ADD, "prompt", "plan_trip", project, "--description", "Plan a trip")
    assert code == 0, err
    readme = (project / "README.md").read_text()
    assert added_rows(readme) == [
        ["tool", "get_forecast", "Forecast the weather of a city"],
        ["resource", "weather://{city}/now", "Weather *now* | here"],
        ["prompt", "plan_trip", "Plan a trip"],
    ]
    assert (project / "src/minimal_server/tools/weather_now.py").is_file()
    assert (project / "src/minimal_server/tools/plan_trip.py").is_file()


def test_pretend_shows_the_diff_and_writes_nothing(copy: Callable[[str], Path]) -> None:
    project = copy("production")
    before = snapshot(project)
    code, out, err = run(*ADD, *FORECAST, project, "--pretend")
    assert code == 0, err
    assert "+++ b/src/production_server/tools/get_forecast.py" in out
    assert "+++ b/tests/tools/test_get_forecast.py" in out
    assert "+| tool | `get_forecast` | Forecast the weather of a city |" in out
    assert "Nothing was written (--pretend)." in out
    assert snapshot(project) == before


D = ("--description", "Does things")
PROD, MINI = "production", "minimal"
# (preset, argv after `add`, the error line, a part of the hint)
REFUSALS: list[tuple[str, tuple[str, ...], str, str]] = [
    (
        PROD,
        ("tool", "echo", *D),
        "a tool named 'echo' exists already (src/production_server/server.py)",
        "another name",
    ),
    (
        PROD,
        ("tool", "measure", *D),
        "a tool named 'measure' exists already (tests/test_server.py)",
        "another name",
    ),
    (PROD, ("tool", "class", *D), "tool name 'class' is a Python keyword", "snake_case"),
    (PROD, ("tool", "list", *D), "tool name 'list' would shadow the Python builtin", "snake_case"),
    (PROD, ("tool", "Forecast", *D), "tool name 'Forecast' must start with a lowercase", "snake"),
    (PROD, ("tool", "mcp", *D), "tool name 'mcp' is taken by a name the written code uses", "name"),
    (
        PROD,
        ("tool", "production_server", *D),
        "tool name 'production_server' is taken by a name the written code uses",
        "another name",
    ),
    (
        MINI,
        ("tool", "http", *D),
        "a test module test_http.py exists already (or comes with the template)",
        "unique",
    ),
    (
        PROD,
        ("resource", "info://server", *D, "--name", "info"),
        "the URI info://server is answered already by info://server"
        " (src/production_server/server.py)",
        "another URI",
    ),
    (
        PROD,
        ("resource", "weather://{city}", *D, "--arg", "town:str"),
        "argument town is not a variable of the URI weather://{city}",
        "(city)",
    ),
    (
        PROD,
        ("resource", "weather://{city}", *D, "--arg", "city:str:default=x"),
        "argument city of a resource cannot have a default",
        "drop default=",
    ),
    (
        PROD,
        ("resource", "not a uri", *D),
        "resource URI 'not a uri' is not a URI template mcpforge can write",
        "weather://{city}/current",
    ),
    (
        PROD,
        ("tool", "note", *D, "--uses", "database"),
        "the project has no database (src/production_server/db.py)",
        "database=sqlite",
    ),
    (
        MINI,
        ("tool", "fetch", *D, "--uses", "upstream"),
        "the project has no upstream HTTP client (src/minimal_server/upstream.py)",
        "cache=true",
    ),
    (
        PROD,
        ("tool", "fetch", *D, "--uses", "upstream", "--sync"),
        "a sync handler cannot await the upstream client or the database",
        "drop --sync",
    ),
    (
        PROD,
        ("tool", "fetch", *D, "--uses", "files"),
        "--uses 'files' is not one of upstream, database",
        "--uses upstream",
    ),
    (PROD, ("tool", "fetch", *D, "--arg", "city"), "--arg 'city' has no type", "NAME:TYPE"),
    (
        MINI,
        ("tool", "fetch", *D, "--scope", "notes:write"),
        "the project has no authentication to check scopes against (auth=none)",
        "auth=apikey",
    ),
    (
        MINI,
        ("tool", "fetch", *D, "--cost", "3"),
        "the project has no rate limits for a tool to count against (rate_limit=false)",
        "rate_limit=true",
    ),
    (PROD, ("tool", "fetch", *D, "--cost", "0"), "the cost 0 must be 1 or more", "--cost 5"),
    (PROD, ("tool", "fetch", *D, "--limit", "lots"), "the limit 'lots' is not a rate limit", "10/"),
    (
        PROD,
        ("tool", "fetch", *D, "--scope", 'notes:"write"'),
        "scope 'notes:\"write\"' is not an OAuth scope token",
        "notes:write",
    ),
    (
        PROD,
        ("tool", "fetch", *D, "--arg", "a:str", "--arg", "a:int"),
        "argument a is given twice",
        "once",
    ),
    (
        PROD,
        ("tool", "fetch", *D, "--arg", "response:str", "--uses", "upstream"),
        "argument name 'response' is taken by a name the written code uses",
        "another argument name",
    ),
    (
        PROD,
        ("tool", "fetch", *D, "--arg", 'code:str:pattern="(?=x)x",example=x'),
        "argument code: pydantic cannot use the pattern '(?=x)x'",
        "look-around",
    ),
    (
        PROD,
        ("prompt", "plan", *D, "--arg", "city:str", "--text", "Go to {town}"),
        "prompt text names {town}, which is not an argument of the prompt",
        "(city)",
    ),
    (
        PROD,
        ("tool", "fetch", "--description", "two\nlines"),
        "the tool's description must be one line of text",
        "drop them",
    ),
    (
        PROD,
        ("tool", "fetch"),
        "no terminal to ask for the tool's description",
        "pass --description TEXT",
    ),
]


@pytest.mark.parametrize(
    ("preset", "argv", "message", "hint"),
    REFUSALS,
    ids=[f"{index}-{case[1][1]}" for index, case in enumerate(REFUSALS)],
)
def test_refusals_say_why_in_one_line_and_write_nothing(
    copy: Callable[[str], Path], preset: str, argv: tuple[str, ...], message: str, hint: str
) -> None:
    project = copy(preset)
    before = snapshot(project)
    code, out, err = run(*ADD, *argv[:2], project, *argv[2:])
    assert code == 1, out + err
    lines = err.strip().splitlines()
    assert lines[0] == f"error: {message}" or lines[0].startswith(f"error: {message}"), err
    assert len(lines) == 2, err
    assert lines[1].startswith("hint: ") and hint in lines[1], err
    assert snapshot(project) == before


def test_a_name_added_once_is_refused_the_second_time(copy: Callable[[str], Path]) -> None:
    project = copy("production")
    assert run(*ADD, *FORECAST, project)[0] == 0
    before = snapshot(project)
    code, _, err = run(*ADD, *FORECAST, project)
    assert code == 1
    assert (
        "error: a tool named 'get_forecast' exists already"
        " (src/production_server/tools/get_forecast.py)" in err
    )
    assert snapshot(project) == before


def test_a_project_before_the_tools_package_is_told_to_update(copy: Callable[[str], Path]) -> None:
    project = copy("production")
    (project / "src/production_server/tools/__init__.py").unlink()
    before = snapshot(project)
    code, _, err = run(*ADD, *FORECAST, project)
    assert code == 1
    assert "has no src/production_server/tools/ package: its template predates mcpforge add" in err
    assert "hint: run `mcpforge update` first" in err
    assert snapshot(project) == before


def test_a_folder_that_is_no_project_is_refused(tmp_path: Path) -> None:
    code, _, err = run(*ADD, *FORECAST, tmp_path)
    assert code == 1
    assert f"error: {tmp_path} is not a project generated by mcpforge" in err
    assert list(tmp_path.iterdir()) == []


def test_a_failed_write_puts_every_file_back(
    copy: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk fails (or Ctrl-C comes) after the module and the test are in place."""
    project = copy("production")
    before = snapshot(project)
    real_replace = Path.replace

    def failing_replace(self: Path, target: Path) -> Path:
        if Path(target).name == "README.md":
            raise KeyboardInterrupt
        return real_replace(self, target)

    monkeypatch.setattr(Path, "replace", failing_replace)
    code, _, err = run(*ADD, *FORECAST, project)
    assert code == 130
    assert "interrupted; nothing was written" in err
    monkeypatch.undo()
    assert snapshot(project) == before
    assert not (project / "tests/tools").exists()


def test_the_readme_region_survives_a_readme_without_markers(copy: Callable[[str], Path]) -> None:
    project = copy("production")
    readme = project / "README.md"
    text = readme.read_text().replace(README_START + "\n" + README_END + "\n", "")
    readme.write_text(text)
    code, out, err = run(*ADD, *FORECAST, project)
    assert code == 0, err
    assert "note: README.md has no `<!-- mcpforge:added:start -->` region" in out
    assert readme.read_text() == text


def test_the_manifest_lists_the_tool_first(copy: Callable[[str], Path]) -> None:
    """manifest.json's tools get the added one first: a line inserted, none changed."""
    mcpb = npm_tool("mcpb")
    project = copy("minimal")
    path = project / "manifest.json"
    manifest = json.loads(path.read_text())
    assert [tool["name"] for tool in manifest["tools"]] == ["echo", "add", "search_items"]
    old_lines = path.read_text().splitlines()
    code, out, err = run(*ADD, *FORECAST, project)
    assert code == 0, err
    assert "updated manifest.json" in out
    new = json.loads(path.read_text())
    assert new["tools"][0] == {
        "description": "Forecast the weather of a city",
        "name": "get_forecast",
    }
    assert new["tools"][1:] == manifest["tools"]
    new_lines = path.read_text().splitlines()
    start = new_lines.index('  "tools": [') + 1
    assert new_lines[start] == (
        '    {"description": "Forecast the weather of a city", "name": "get_forecast"},'
    )
    assert new_lines[:start] + new_lines[start + 1 :] == old_lines  # a line inserted, none changed
    result = subprocess.run(
        [mcpb, "validate", "manifest.json"], cwd=project, capture_output=True, text=True,
        timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_help_shows_an_example() -> None:
    code, out, _ = run("add", "--help")
    assert code == 0
    assert "Examples:" in out
    assert "mcpforge add tool get_forecast --description" in out
    for kind in ("tool", "resource", "prompt"):
        code, out, _ = run("add", kind, "--help")
        assert code == 0
        assert "--arg" in out


def test_ctrl_c_in_the_interview_writes_nothing(copy: Callable[[str], Path]) -> None:
    import os
    import sys

    import pexpect

    project = copy("minimal")
    before = snapshot(project)
    script = str(Path(sys.executable).parent / "mcpforge")
    env = {**os.environ, "TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1"}
    child = pexpect.spawn(
        script, ["add", "tool", "get_forecast", str(project)], env=env, encoding="utf-8",
        timeout=60, dimensions=(60, 200),
    )  # fmt: skip
    child.expect_exact("What does the tool do?")
    child.send("Forecast\r")
    child.expect_exact("Does the tool take an argument?")
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert "interrupted; nothing was changed" in (child.before or "")
    assert snapshot(project) == before
