"""`mcpforge new` from the command line: successes, and every bad input refused cleanly."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from mcpforge import __version__
from mcpforge.cli import app

# Every test here renders a project (or runs `mcpforge new`): not in the fast lane.
pytestmark = pytest.mark.renders


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_version() -> None:
    code, out, _ = run("--version")
    assert code == 0
    assert out.strip() == f"mcpforge {__version__}"


def test_help_lists_commands_and_exit_codes() -> None:
    code, out, _ = run("--help")
    assert code == 0
    assert "new" in out
    assert "130 interrupted" in out


def test_new_on_defaults_creates_a_committed_project(workdir: Path) -> None:
    code, out, err = run("new", "weather-server", "--defaults")
    assert code == 0, err
    project = workdir / "weather-server"
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["project_name"] == "weather-server"
    assert answers["package_name"] == "weather_server"
    assert answers["preset"] == "production"
    assert (project / "src" / "weather_server" / "server.py").is_file()
    assert "Created weather-server" in out
    assert "uv run pytest" in out
    assert "claude mcp add --scope project weather-server" in out
    assert '"url": "http://127.0.0.1:8000/mcp"' in out
    # API keys are on by default: the server gets one, the clients send it.
    assert "MCP_API_KEYS=$MCP_API_KEY uv run weather-server --http" in out
    # The key is referenced for Claude Code to expand, never expanded by the shell.
    assert " --header 'Authorization: Bearer ${MCP_API_KEY}'" in out
    # Only the project is left behind: no staging folder.
    assert [path.name for path in workdir.iterdir()] == ["weather-server"]
    log = __import__("subprocess").run(
        ["git", "log", "--format=%s"], cwd=project, capture_output=True, text=True, check=True
    )
    assert log.stdout.strip() == f"Generate weather-server with mcpforge {__version__}"


def test_new_into_nested_missing_folders(workdir: Path) -> None:
    code, _, err = run("new", "deep/er/tool-server", "--preset", "minimal", "--no-git")
    assert code == 0, err
    project = workdir / "deep" / "er" / "tool-server"
    assert (project / "pyproject.toml").is_file()
    assert not (project / ".git").exists()


def test_new_into_an_existing_empty_folder(workdir: Path) -> None:
    (workdir / "empty-server").mkdir()
    code, _, err = run("new", "empty-server", "--defaults", "--no-git")
    assert code == 0, err
    assert (workdir / "empty-server" / "pyproject.toml").is_file()


def test_data_file_answers(workdir: Path) -> None:
    answers = workdir / "answers.yml"
    answers.write_text("transport: http\ndocker: false\ndescription: From a file\n")
    code, _, err = run("new", "file-server", "--data-file", str(answers), "--defaults")
    assert code == 0, err
    recorded = yaml.safe_load((workdir / "file-server" / ".copier-answers.yml").read_text())
    assert recorded["transport"] == "http"
    assert recorded["docker"] is False
    assert recorded["description"] == "From a file"


BAD_INPUTS = [
    pytest.param(
        ["new", "Weather Server", "--defaults"],
        'project name "Weather Server" must start with a lowercase letter',
        "choose another name for the project folder (mcpforge new NAME)",
        id="name-with-space-and-uppercase",
    ),
    pytest.param(
        ["new", "9lives", "--defaults"],
        'project name "9lives" must start with a lowercase letter',
        "choose another name for the project folder (mcpforge new NAME)",
        id="name-with-leading-digit",
    ),
    pytest.param(
        ["new", "ok-server", "--defaults", "--data", "package_name=class"],
        "package name 'class' is a Python keyword",
        "--data package_name=VALUE",
        id="package-keyword",
    ),
    pytest.param(
        ["new", "ok-server", "--defaults", "--data", "package_name=Ok-Server"],
        'package name "Ok-Server" must start with a lowercase letter',
        "--data package_name=VALUE",
        id="package-uppercase",
    ),
    pytest.param(
        ["new", "ok-server", "--defaults", "--data", "http_port=0"],
        "port 0 is outside 1-65535",
        "--data http_port=VALUE",
        id="port-zero",
    ),
    pytest.param(
        ["new", "ok-server", "--defaults", "--data", "http_port=70000"],
        "HTTP port: port 70000 is outside 1-65535",
        "--data http_port=VALUE",
        id="port-too-big",
    ),
    pytest.param(
        ["new", "ok-server", "--defaults", "--data", "http_port=eighty"],
        "HTTP port: 'eighty' is not a whole number",
        "HTTP port (1-65535)",
        id="port-not-a-number",
    ),
    pytest.param(
        ["new", "ok-server", "--defaults", "--data", "http_path=mcp"],
        "path \"mcp\" must start with '/'",
        "--data http_path=VALUE",
        id="path-without-slash",
    ),
    pytest.param(
        ["new", "ok-server", "--defaults", "--data", "secret_env_vars=API_KEY,weather-key"],
        'secret env var name "weather-key" must be UPPER_SNAKE_CASE',
        "--data secret_env_vars=VALUE",
        id="secret-not-upper-snake",
    ),
    pytest.param(
        ["new", "ok-server", "--defaults", "--data", "feature_flags=Admin Tools"],
        'feature flag "Admin Tools" must be snake_case',
        "--data feature_flags=VALUE",
        id="flag-not-snake",
    ),
    pytest.param(
        ["new", "ok-server", "--defaults", "--data", "docker=maybe"],
        "Dockerfile (docker): 'maybe' is not true or false",
        "docker=true or false",
        id="bool-not-a-bool",
    ),
    pytest.param(
        ["new", "ok-server", "--defaults", "--data", "transport=grpc"],
        "Transport the server speaks (transport): unknown choice 'grpc'",
        "choose one of: both, stdio, http",
        id="unknown-choice",
    ),
    pytest.param(
        ["new", "ok-server", "--preset", "huge"],
        "Preset: unknown choice 'huge'",
        "choose one of: production, minimal, scale",
        id="unknown-preset",
    ),
    pytest.param(
        ["new", "ok-server", "--preset", "minimal", "--preset", "scale"],
        "--preset is given 2 times (minimal, scale)",
        "give one preset",
        id="duplicate-preset",
    ),
    pytest.param(
        ["new", "ok-server", "--defaults", "--data", "http_port=1", "--data", "http_port=2"],
        "--data http_port is given twice ('1' and '2')",
        "give each answer once",
        id="duplicate-data",
    ),
    pytest.param(
        ["new", "ok-server", "--preset", "minimal", "--data", "preset=scale"],
        "preset is given twice: 'minimal' by --preset and 'scale' by --data",
        "give each answer once",
        id="preset-twice",
    ),
    pytest.param(
        ["new", "ok-server", "--defaults", "--data", "http_prot=1"],
        "unknown question 'http_prot' in --data",
        "did you mean 'http_port'?",
        id="unknown-data-key",
    ),
    pytest.param(
        ["new", "ok-server", "--defaults", "--data", "http_port"],
        "--data 'http_port' is not of the form KEY=VALUE",
        "--data http_port=8080",
        id="data-without-equals",
    ),
    pytest.param(
        ["new", "ok-server", "--data-file", "missing.yml", "--defaults"],
        "data file missing.yml does not exist",
        "YAML file of answers",
        id="missing-data-file",
    ),
    pytest.param(
        ["new", "ok-server"],
        "no terminal to ask",
        "pass --defaults, --preset NAME, --data KEY=VALUE or --data-file FILE",
        id="no-terminal",
    ),
]


@pytest.mark.parametrize(("args", "message", "hint"), BAD_INPUTS)
def test_bad_input_is_refused_and_nothing_is_written(
    workdir: Path, args: list[str], message: str, hint: str
) -> None:
    code, out, err = run(*args)
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 2, err
    assert lines[0].startswith("error: ")
    assert message in lines[0]
    assert lines[1].startswith("hint: ")
    assert hint in lines[1]
    assert "Traceback" not in err + out
    assert list(workdir.iterdir()) == []


def test_data_file_that_is_not_a_mapping(workdir: Path) -> None:
    (workdir / "answers.yml").write_text("- a list\n- of things\n")
    code, _, err = run("new", "ok-server", "--data-file", "answers.yml", "--defaults")
    assert code == 1
    assert "error: data file answers.yml does not hold a mapping of answers" in err
    assert sorted(path.name for path in workdir.iterdir()) == ["answers.yml"]


@pytest.mark.parametrize("content", ["not empty", None])
def test_destination_that_exists(workdir: Path, content: str | None) -> None:
    target = workdir / "taken-server"
    if content is None:
        target.write_text("a file")
        expected = f"error: {target} is a file"
    else:
        target.mkdir()
        (target / "notes.txt").write_text(content)
        expected = f"error: {target} already exists and is not empty"
    code, _, err = run("new", "taken-server", "--defaults")
    assert code == 1
    assert err.splitlines()[0] == expected
    assert sorted(path.name for path in workdir.iterdir()) == ["taken-server"]
    if content is not None:
        assert [path.name for path in target.iterdir()] == ["notes.txt"]


def test_debug_shows_the_traceback(workdir: Path) -> None:
    result = CliRunner().invoke(app, ["--debug", "new", "9lives", "--defaults"])
    assert result.exit_code == 1
    assert type(result.exception).__name__ == "InvalidAnswerError"


def test_failure_half_way_leaves_nothing(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A crash after rendering started removes the staging folder and creates nothing."""
    import mcpforge.create

    def crash(*_: object, **__: object) -> bool:
        raise KeyboardInterrupt

    monkeypatch.setattr(mcpforge.create, "_init_repository", crash)
    code, _, err = run("new", "crash-server", "--defaults")
    assert code == 130
    assert "interrupted" in err
    assert list(workdir.iterdir()) == []


def test_exit_raised_inside_the_error_boundary_keeps_its_code() -> None:
    import typer

    from mcpforge.cli import error_boundary

    for code in (0, 2):
        try:
            with error_boundary():
                raise typer.Exit(code)
        except typer.Exit as exit_:
            assert exit_.exit_code == code


def test_unexpected_error_is_one_line_with_a_debug_hint(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mcpforge.create

    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("disk on fire\nsecond line")

    monkeypatch.setattr(mcpforge.create, "copy_template", broken)
    code, _, err = run("new", "bug-server", "--defaults")
    assert code == 1
    assert err.splitlines() == [
        "error: internal error: RuntimeError: disk on fire",
        "hint: run again with --debug and report the traceback",
    ]
    assert list(workdir.iterdir()) == []


def test_http_client_configs_use_each_clients_env_syntax(tmp_path: Path) -> None:
    """Cursor interpolates `${env:NAME}`; VS Code asks through an input (`${input:id}`);
    neither expands a bare `${NAME}`."""
    import json

    from mcpforge.next_steps import client_configs

    answers = {"project_name": "p", "transport": "http", "auth": "apikey"}
    answers |= {"http_host": "127.0.0.1", "http_port": 8000, "http_path": "/mcp"}
    configs = {
        config.client: json.loads(config.text)
        for config in client_configs(tmp_path, answers)
        if config.text.startswith("{")
    }
    cursor = configs["Cursor (HTTP)"]["mcpServers"]["p"]
    assert cursor["headers"] == {"Authorization": "Bearer ${env:MCP_API_KEY}"}
    vscode = configs["VS Code (HTTP)"]
    assert vscode["servers"]["p"]["headers"] == {"Authorization": "Bearer ${input:mcp-api-key}"}
    assert vscode["inputs"][0]["id"] == "mcp-api-key"
    assert vscode["inputs"][0]["password"] is True
    assert "${MCP_API_KEY}" not in json.dumps(configs)
