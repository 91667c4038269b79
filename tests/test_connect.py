"""`mcpforge connect CLIENT [PATH]`: real config files in an isolated HOME and project."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mcpforge import new_project
from mcpforge.cli import app

# Every test here renders a project (or runs `mcpforge new`): not in the fast lane.
pytestmark = pytest.mark.renders


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("connect")
    return {
        preset: new_project(root / f"{preset}-server", {"preset": preset}, git=False).path
        for preset in ("production", "minimal")
    }


@pytest.fixture
def home(isolation: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    return isolation


def connect(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["connect", *args])
    return result.exit_code, result.stdout, result.stderr


def test_claude_desktop_keeps_other_servers_and_settings(
    projects: dict[str, Path], home: Path
) -> None:
    project = projects["production"]
    config = home / ".config" / "Claude" / "claude_desktop_config.json"
    config.parent.mkdir(parents=True)
    mine = {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-memory"]}
    config.write_text(json.dumps({"mcpServers": {"memory": mine}, "theme": "dark"}))

    code, out, err = connect("claude-desktop", str(project))
    assert code == 0, err
    assert f"+++ {config} (after)" in out
    assert '+    "production-server": {' in out
    data = json.loads(config.read_text())
    assert data["theme"] == "dark"
    assert data["mcpServers"]["memory"] == mine
    # The project's own secret as a blank to fill in: Claude Desktop expands no reference,
    # and an empty value is no value for the server (the README says the same).
    assert data["mcpServers"]["production-server"] == {
        "command": "uv",
        "args": ["--directory", str(project), "run", "production-server"],
        "env": {"PRODUCTION_API_KEY": ""},
    }
    assert out.splitlines()[-1] == (
        "Claude Desktop reads no environment variables of yours: fill in "
        'PRODUCTION_API_KEY in its "env" by hand if the server needs them'
    )
    # Again: nothing to change.
    code, out, _ = connect("claude-desktop", str(project))
    assert code == 0
    assert out.splitlines()[0] == f"{config} already has this server (stdio)"
    # A value the user filled in is theirs: kept, and the note is not repeated.
    data["mcpServers"]["production-server"]["env"]["PRODUCTION_API_KEY"] = "sk-mine"
    config.write_text(json.dumps(data, indent=2) + "\n")  # as connect formats it
    code, out, _ = connect("claude-desktop", str(project))
    assert code == 0
    assert out.strip() == f"{config} already has this server (stdio)"


@pytest.mark.parametrize(
    ("client", "file", "section", "entry"),
    [
        (
            "claude-code",
            ".mcp.json",
            "mcpServers",
            {"type": "http", "headers": {"Authorization": "Bearer ${MCP_API_KEY}"}},
        ),
        (
            "cursor",
            ".cursor/mcp.json",
            "mcpServers",
            {"headers": {"Authorization": "Bearer ${env:MCP_API_KEY}"}},
        ),
        (
            "vscode",
            ".vscode/mcp.json",
            "servers",
            {"type": "http", "headers": {"Authorization": "Bearer ${input:mcp-api-key}"}},
        ),
    ],
)
def test_http_entries_reference_the_key_never_write_it(
    projects: dict[str, Path], home: Path, client: str, file: str, section: str, entry: dict
) -> None:
    project = projects["production"]
    code, _, err = connect(client, str(project), "--http")
    assert code == 0, err
    data = json.loads((project / file).read_text())
    assert data[section]["production-server"] == {"url": "http://127.0.0.1:8000/mcp", **entry}
    if client == "vscode":
        assert data["inputs"] == [
            {
                "type": "promptString",
                "id": "mcp-api-key",
                "description": "API key of production-server (one of its MCP_API_KEYS)",
                "password": True,
            }
        ]
    # Switching to stdio replaces the entry and keeps the rest.
    code, _, err = connect(client, str(project), "--stdio")
    assert code == 0, err
    stdio = json.loads((project / file).read_text())[section]["production-server"]
    assert stdio["command"] == "uv"


def test_a_file_it_cannot_parse_is_refused_untouched(projects: dict[str, Path], home: Path) -> None:
    project = projects["minimal"]
    broken = '{\n  // my servers\n  "servers": {}\n}\n'
    (project / ".vscode").mkdir(exist_ok=True)
    (project / ".vscode" / "mcp.json").write_text(broken)
    code, out, err = connect("vscode", str(project))
    assert code == 1
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(
        f"error: {project / '.vscode' / 'mcp.json'} is not valid JSON (line 2"
    )
    assert lines[1].startswith("hint: ")
    assert (project / ".vscode" / "mcp.json").read_text() == broken


@pytest.mark.parametrize(
    ("client", "preset", "flag", "message"),
    [
        ("claude-desktop", "production", "--http", "takes stdio servers only"),
        ("cursor", "minimal", "--http", "does not serve HTTP"),
        ("zed", "minimal", "--stdio", "unknown client 'zed'"),
    ],
)
def test_refusals_are_one_line_and_exit_1(
    projects: dict[str, Path], home: Path, client: str, preset: str, flag: str, message: str
) -> None:
    code, _, err = connect(client, str(projects[preset]), flag)
    assert code == 1
    assert message in err.splitlines()[0]
    assert "Traceback" not in err


def test_not_a_generated_project(home: Path, tmp_path: Path) -> None:
    code, _, err = connect("cursor", str(tmp_path))
    assert code == 1
    assert "has no .copier-answers.yml" in err
