"""The generated README's HTTP client configurations agree with what `mcpforge new`'s next
steps print and `mcpforge connect` writes, for every kind of auth and bind address.

Claude Code's line runs as written in the real client (npm @anthropic-ai/claude-code), which
must write what `mcpforge connect claude-code --http` writes; that Claude Code then connects
with the key (`claude mcp list`) is in test_documented_commands.py. Cursor and VS Code have
no command line that runs here: their JSON must parse and carry the header, and VS Code's
must match the schema VS Code checks `.vscode/mcp.json` with (transcribed below).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from mcpforge import new_project
from mcpforge.connect import connect
from mcpforge.next_steps import client_configs
from tests.conftest import npm_tool

pytestmark = pytest.mark.renders

# VS Code's schema of .vscode/mcp.json: `mcpServerSchema` (the HTTP server branch) in
# microsoft/vscode src/vs/workbench/contrib/mcp/common/mcpConfiguration.ts, its `inputs`
# from src/vs/workbench/services/configurationResolver/common/configurationResolverSchema.ts
# (the promptString form).
VSCODE_MCP_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "servers": {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "additionalProperties": False,
                "required": ["url"],
                "properties": {
                    "type": {"type": "string", "enum": ["http", "sse"]},
                    "url": {"type": "string", "pattern": "^https?:\\/\\/.+"},
                    "headers": {"type": "object", "additionalProperties": {"type": "string"}},
                },
            },
        },
        "inputs": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "type", "description"],
                "additionalProperties": False,
                "properties": {
                    "id": {"type": "string"},
                    "type": {"type": "string", "enum": ["promptString"]},
                    "description": {"type": "string"},
                    "default": {"type": "string"},
                    "password": {"type": "boolean"},
                },
            },
        },
    },
}

VARIANTS: dict[str, dict[str, Any]] = {
    "apikey-both": {"preset": "production"},
    "oauth-http": {"auth": "oauth", "transport": "http"},
    "none-http": {"auth": "none", "transport": "http"},
    "apikey-wildcard-host": {"http_host": "0.0.0.0", "http_port": 9100, "http_path": "/api/mcp"},  # noqa: S104 - an answer
    "none-ipv6": {"auth": "none", "http_host": "::1"},
}


def http_client_configs(project: Path) -> dict[str, Any]:
    """The README's HTTP client configurations: the `claude mcp add` line, Cursor's and VS
    Code's JSON (the blocks naming a URL in "Connect a client")."""
    readme = (project / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Connect a client\n", 1)[1].split("\n## ", 1)[0]
    claude = [
        block.strip()
        for block in re.findall(r"```sh\n(.*?)```", section, re.S)
        if "--transport http" in block
    ]
    found: dict[str, Any] = {"claude-code": claude}
    for block in re.findall(r"```json\n(.*?)```", section, re.S):
        data = json.loads(block)
        if "mcpServers" in data and "url" in json.dumps(data):
            found["cursor"] = data
        elif "servers" in data and "url" in json.dumps(data):
            found["vscode"] = data
    return found


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_readme_next_steps_and_connect_agree_on_http_clients(tmp_path: Path, variant: str) -> None:
    project = new_project(tmp_path / "agree-server", VARIANTS[variant], git=False).path
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text(encoding="utf-8"))
    api_key = answers["auth"] == "apikey"
    readme = http_client_configs(project)

    # The next steps print the same command and the same JSON.
    printed = {config.client: config.text for config in client_configs(project, answers)}
    assert readme["claude-code"] == [printed["Claude Code (HTTP)"]]
    assert readme["cursor"] == json.loads(printed["Cursor (HTTP)"])
    assert readme["vscode"] == json.loads(printed["VS Code (HTTP)"])

    # `mcpforge connect CLIENT --http` writes the same entries (Claude Code's .mcp.json is
    # compared with what `claude mcp add` writes in test_documented_commands.py).
    for client in ("cursor", "vscode"):
        written = tmp_path / f"{client}.json"
        connect(client, project, http=True, config=written)
        assert json.loads(written.read_text(encoding="utf-8")) == readme[client], client

    # Claude Code's line, run as written in the project, writes what connect writes.
    (line,) = readme["claude-code"]
    claude = Path(npm_tool("claude")).parent
    env = {**os.environ, "PATH": f"{claude}:{os.environ['PATH']}"}
    env["CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"] = "1"
    added = subprocess.run(  # noqa: S603 - the README's line, in the client's own CLI
        ["bash", "-c", line], cwd=project, env=env, capture_output=True, text=True, timeout=120,
        check=False,
    )  # fmt: skip
    assert added.returncode == 0, added.stdout + added.stderr
    written = tmp_path / "claude-code.json"
    connect("claude-code", project, http=True, config=written)
    expected = json.loads(written.read_text(encoding="utf-8"))
    assert json.loads((project / ".mcp.json").read_text(encoding="utf-8")) == expected

    # Each reads the key the way its client documents, never a value; OAuth clients and
    # servers without auth need the URL only.
    cursor = readme["cursor"]["mcpServers"]["agree-server"]
    vscode = readme["vscode"]["servers"]["agree-server"]
    jsonschema.validate(readme["vscode"], VSCODE_MCP_SCHEMA)
    if api_key:
        assert line.endswith(" --header 'Authorization: Bearer ${MCP_API_KEY}'")
        assert cursor["headers"] == {"Authorization": "Bearer ${env:MCP_API_KEY}"}
        assert vscode["headers"] == {"Authorization": "Bearer ${input:mcp-api-key}"}
        assert [item["id"] for item in readme["vscode"]["inputs"]] == ["mcp-api-key"]
        assert readme["vscode"]["inputs"][0]["password"] is True
    else:
        assert "--header" not in line
        assert "headers" not in cursor
        assert "headers" not in vscode
        assert "inputs" not in readme["vscode"]
    # The address: loopback for a wildcard bind, brackets around IPv6.
    shown = {"0.0.0.0": "127.0.0.1", "::1": "[::1]"}  # noqa: S104 - an answer
    host = shown.get(answers["http_host"], answers["http_host"])
    assert cursor["url"] == f"http://{host}:{answers['http_port']}{answers['http_path']}"


# VS Code's schema of a stdio server entry (`mcpServerSchema`'s stdio branch, same source).
VSCODE_STDIO_SERVER: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["command"],
    "properties": {
        "type": {"type": "string", "enum": ["stdio"]},
        "command": {"type": "string"},
        "args": {"type": "array", "items": {"type": "string"}},
        "env": {"type": "object", "additionalProperties": {"type": ["string", "number", "null"]}},
        "envFile": {"type": "string"},
    },
}

STDIO_VARIANTS: dict[str, dict[str, Any]] = {
    "production": {"preset": "production"},
    "two-secrets": {"preset": "minimal", "secret_env_vars": "WEATHER_KEY, GEO_TOKEN"},
    "no-secrets": {"preset": "minimal", "secret_env_vars": ""},
}


def stdio_client_configs(project: Path) -> dict[str, Any]:
    """The README's stdio client configurations, by client."""
    readme = (project / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Connect a client\n", 1)[1].split("\nOver HTTP", 1)[0]
    found: dict[str, Any] = {
        "claude-code": [
            block.strip()
            for block in re.findall(r"```sh\n(.*?)```", section, re.S)
            if "claude mcp add" in block
        ]
    }
    desktop, cursor, vscode = [json.loads(b) for b in re.findall(r"```json\n(.*?)```", section, re.S)]
    found.update({"claude-desktop": desktop, "cursor": cursor, "vscode": vscode})
    return found


@pytest.mark.parametrize("variant", list(STDIO_VARIANTS))
def test_readme_next_steps_and_connect_agree_on_stdio_clients(
    tmp_path: Path, variant: str
) -> None:
    """The project's own secrets reach a stdio server the way each client documents,
    alike in the README, the next steps and `mcpforge connect`; never a value."""
    project = new_project(tmp_path / "stdio-server", STDIO_VARIANTS[variant], git=False).path
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text(encoding="utf-8"))
    secrets = [name.strip() for name in answers["secret_env_vars"].split(",") if name.strip()]
    readme = stdio_client_configs(project)
    # The README says /path/to/NAME where the next steps and connect know the path.
    here = json.loads(json.dumps(readme).replace("/path/to/stdio-server", str(project)))

    printed = {config.client: config.text for config in client_configs(project, answers)}
    assert [here["claude-code"][0]] == [printed["Claude Code"]]
    assert here["claude-desktop"] == json.loads(printed["Claude Desktop"])
    assert here["cursor"] == json.loads(printed["Cursor"])
    assert here["vscode"] == json.loads(printed["VS Code"])
    for client in ("claude-desktop", "cursor", "vscode", "claude-code"):
        written = tmp_path / f"{client}.json"
        connect(client, project, http=False, config=written)
        document = json.loads(written.read_text(encoding="utf-8"))
        if client != "claude-code":  # Claude Code's: what `claude mcp add` writes (below)
            assert document == here[client], client

    entries = {
        "claude-desktop": here["claude-desktop"]["mcpServers"]["stdio-server"],
        "cursor": here["cursor"]["mcpServers"]["stdio-server"],
        "vscode": here["vscode"]["servers"]["stdio-server"],
    }
    jsonschema.validate(entries["vscode"], VSCODE_STDIO_SERVER)
    if not secrets:
        assert all("env" not in entry for entry in entries.values())
        assert "inputs" not in here["vscode"]
        assert "--env" not in here["claude-code"][0]
        return
    ids = [name.lower().replace("_", "-") for name in secrets]
    assert entries["claude-desktop"]["env"] == dict.fromkeys(secrets, "")
    assert entries["cursor"]["env"] == {name: f"${{env:{name}}}" for name in secrets}
    assert entries["vscode"]["env"] == {
        name: f"${{input:{ident}}}" for name, ident in zip(secrets, ids, strict=True)
    }
    assert [item["id"] for item in here["vscode"]["inputs"]] == ids
    assert all(item["password"] is True for item in here["vscode"]["inputs"])
    jsonschema.validate({"inputs": here["vscode"]["inputs"]}, VSCODE_MCP_SCHEMA)
    flags = re.findall(r"--env '([^']*)'", here["claude-code"][0])
    assert flags == [f"{name}=${{{name}:-}}" for name in secrets]
