"""What to do after `mcpforge new`: commands to run and client configurations to paste."""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class ClientConfig:
    """A ready-to-paste configuration for one MCP client."""

    client: str
    where: str
    text: str


def serves_http(answers: Mapping[str, Any]) -> bool:
    return answers.get("transport") in {"http", "both"}


def serves_stdio(answers: Mapping[str, Any]) -> bool:
    return answers.get("transport") in {"stdio", "both"}


def http_url(answers: Mapping[str, Any]) -> str:
    """The URL clients reach the server at (the generated README's rule, in README.md.jinja)."""
    host = str(answers.get("http_host", "127.0.0.1"))
    shown = "127.0.0.1" if host in {"0.0.0.0", "::"} else host  # noqa: S104 - a display rule
    if ":" in shown:  # an IPv6 address
        shown = f"[{shown}]"
    return f"http://{shown}:{answers.get('http_port', 8000)}{answers.get('http_path', '/mcp')}"


# With API keys, a client sends one as a bearer token, read from the client's environment
# (MCP_API_KEY, as the generated README names it) or, in VS Code, asked for once.
KEY_VARIABLE = "MCP_API_KEY"
KEY_INPUT_ID = "mcp-api-key"


def key_input(name: str) -> dict[str, Any]:
    """VS Code's prompt for the API key: a password input, kept in its secret storage."""
    return {
        "type": "promptString",
        "id": KEY_INPUT_ID,
        "description": f"API key of {name} (one of its MCP_API_KEYS)",
        "password": True,
    }


def http_entry(client: str, answers: Mapping[str, Any]) -> dict[str, Any]:
    """CLIENT's entry for the server over HTTP (claude-code, cursor or vscode).

    With API keys the Authorization header references the key the way each client
    documents (Claude Code expands `${NAME}` in .mcp.json, Cursor `${env:NAME}`, VS Code
    an `${input:id}`), never its value. OAuth clients sign in by themselves from the
    protected-resource metadata the server's 401 names: the URL is all they need.
    """
    entry: dict[str, Any] = {"url": http_url(answers)}
    if client in {"claude-code", "vscode"}:
        entry = {"type": "http", **entry}
    if answers.get("auth") == "apikey":
        reference = {
            "claude-code": f"${{{KEY_VARIABLE}}}",
            "cursor": f"${{env:{KEY_VARIABLE}}}",
            "vscode": f"${{input:{KEY_INPUT_ID}}}",
        }[client]
        entry["headers"] = {"Authorization": f"Bearer {reference}"}
    return entry


def secret_names(answers: Mapping[str, Any]) -> list[str]:
    """The project's own secrets (`secret_env_vars`), in order, each once."""
    names = (name.strip() for name in str(answers.get("secret_env_vars") or "").split(","))
    return list(dict.fromkeys(name for name in names if name))


def secret_input(name: str, project_name: str) -> dict[str, Any]:
    """VS Code's prompt for one of the project's secrets (a password input)."""
    return {
        "type": "promptString",
        "id": name.lower().replace("_", "-"),
        "description": f"{name} of {project_name} (optional: it starts without it)",
        "password": True,
    }


# How each client reads a secret for a stdio server from where the user keeps it, never
# the value: Claude Code expands `${NAME:-}` in .mcp.json (`:-`: empty when unset, which
# the server reads as unset; a bare `${NAME}` would arrive as its own text), Cursor
# `${env:NAME}`, VS Code asks once (a password input). Claude Desktop expands nothing:
# an empty value for the user to fill in (the server reads it as unset until then).
def _stdio_secret(client: str, name: str) -> str:
    return {
        "claude-desktop": "",
        "claude-code": f"${{{name}:-}}",
        "cursor": f"${{env:{name}}}",
        "vscode": f"${{input:{name.lower().replace('_', '-')}}}",
    }[client]


def stdio_entry(client: str, project: str, answers: Mapping[str, Any]) -> dict[str, Any]:
    """CLIENT's entry starting the server over stdio from PROJECT (a path), passing the
    project's own secrets the way CLIENT documents (see `_stdio_secret`)."""
    name = str(answers["project_name"])
    entry: dict[str, Any] = {"command": "uv", "args": ["--directory", project, "run", name]}
    if client in {"claude-code", "vscode"}:
        entry = {"type": "stdio", **entry}
    secrets = secret_names(answers)
    if secrets:
        entry["env"] = {secret: _stdio_secret(client, secret) for secret in secrets}
    return entry


def claude_code_stdio_command(project: str, answers: Mapping[str, Any]) -> str:
    """`claude mcp add` for the stdio server, into .mcp.json (what `mcpforge connect
    claude-code` writes): single quotes keep each `${NAME:-}` for Claude Code to expand."""
    name = str(answers["project_name"])
    env = "".join(
        f" --env '{secret}={_stdio_secret('claude-code', secret)}'"
        for secret in secret_names(answers)
    )
    return (
        f"claude mcp add --scope project {name}{env} -- "
        f"uv --directory {shlex.quote(project)} run {name}"
    )


def claude_code_http_command(answers: Mapping[str, Any]) -> str:
    """`claude mcp add` for the HTTP server, into .mcp.json (what `mcpforge connect
    claude-code --http` writes): single quotes keep `${MCP_API_KEY}` for Claude Code to
    expand at start-up, so the key is never written down."""
    name, url = answers["project_name"], http_url(answers)
    header = ""
    if answers.get("auth") == "apikey":
        header = f" --header 'Authorization: Bearer ${{{KEY_VARIABLE}}}'"
    return f"claude mcp add --transport http --scope project {name} {url}{header}"


def next_steps(project: Path, answers: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(what, command) pairs, in the order a user runs them."""
    script = str(answers["project_name"])
    steps = [("go to the project", f"cd {shlex.quote(_shortest(project))}")]
    steps += _uv_steps()
    steps.append(("run the tests", "uv run pytest"))
    if serves_stdio(answers):
        steps.append(("serve over stdio", f"uv run {script}"))
    if serves_http(answers):
        flag = "" if answers.get("transport") == "http" else " --http"
        keys = ""
        if answers.get("auth") == "apikey":
            make_key = "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"
            steps.append(("make an API key for clients", f"export MCP_API_KEY=$({make_key})"))
            keys = "MCP_API_KEYS=$MCP_API_KEY "
        elif answers.get("auth") == "oauth":
            issuer = "export OAUTH_ISSUER_URL=https://auth.example.com"
            steps.append(("name the authorization server that issues tokens", issuer))
        steps.append((f"serve over HTTP at {http_url(answers)}", f"{keys}uv run {script}{flag}"))
    if answers.get("docker") and serves_http(answers):
        steps += _container_steps(answers)
    return steps


def _uv_steps() -> list[tuple[str, str]]:
    """What makes `uv` a command in the user's shell, where it is not one yet.

    mcpforge depends on uv, whose binary lands beside mcpforge's interpreter: on PATH in an
    activated virtualenv, not with pipx or an interpreter called by its path. PATH is
    extended at its end, so the folder's own python does not shadow the user's.
    """
    from mcpforge.uv_binary import uv_folder, uv_on_path  # noqa: PLC0415

    if uv_on_path():
        return []
    folder = uv_folder()
    if folder is None:
        return [("install uv, which every command below uses", "python3 -m pip install uv")]
    put = f'export PATH="$PATH:{shlex.quote(str(folder))}"'
    return [("put mcpforge's uv on PATH (the commands below use it)", put)]


def _container_steps(answers: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Build the image, run it and compose it with every variable the deployment needs."""
    from mcpforge.copier_calls import deployment_variables, stop_grace  # noqa: PLC0415 - loads jinja2

    script = str(answers["project_name"])
    # Every required variable is in the shell by now: the API key made above as MCP_API_KEY
    # (the clients' name for it), OAUTH_ISSUER_URL exported as it is.
    _required, secrets = deployment_variables(answers)
    given = {"MCP_API_KEYS": "$MCP_API_KEY"} if answers.get("auth") == "apikey" else {}
    # Values reach docker through its environment (`NAME=value docker ...`), and `-e NAME`
    # passes them on: a key on docker's command line would show in `ps` and shell history.
    prefix = "".join(f"{name}={value} " for name, value in given.items())
    port = answers.get("http_port", 8000)
    flags = "".join(f" -e {name}" for name in secrets)
    if answers.get("database", "none") != "none":
        flags += f" -v {script}-data:/data"
    # Named, so that `docker stop NAME` finds it; its stop timeout outlasts SHUTDOWN_TIMEOUT,
    # so that calls in flight finish (the generated README's line, the same).
    name = f"--name {script} --stop-timeout {stop_grace(answers)}"
    run = f"{prefix}docker run --rm {name} -p 127.0.0.1:{port}:{port}{flags} {script}"
    steps = [("build the image", f"docker build -t {script} ."), ("run the image", run)]
    if answers.get("compose"):
        # Every worker and replica seals multi-round-trip requests with the same keys.
        keys = "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"
        steps.append(
            ("make the request-state keys", f'echo "REQUEST_STATE_KEYS=$({keys})" >> .env')
        )
        if answers.get("database") == "postgres":
            password = "python3 -c 'import secrets; print(secrets.token_hex(16))'"  # noqa: S105 - a command, not a password
            steps.append(
                ("set the database password", f'echo "POSTGRES_PASSWORD=$({password})" >> .env')
            )
        steps.append(("run with compose", f"{prefix}docker compose up --build -d"))
    return steps


def client_configs(project: Path, answers: Mapping[str, Any]) -> list[ClientConfig]:
    """Configurations for Claude Desktop, Claude Code, Cursor and VS Code."""
    name = str(answers["project_name"])
    path = str(project)
    configs: list[ClientConfig] = []
    if serves_stdio(answers):
        prompts = [secret_input(secret, name) for secret in secret_names(answers)]
        vscode: dict[str, Any] = {"servers": {name: stdio_entry("vscode", path, answers)}}
        configs += [
            ClientConfig(
                "Claude Desktop",
                "claude_desktop_config.json",
                _json({"mcpServers": {name: stdio_entry("claude-desktop", path, answers)}}),
            ),
            ClientConfig("Claude Code", "shell", claude_code_stdio_command(path, answers)),
            ClientConfig(
                "Cursor",
                ".cursor/mcp.json",
                _json({"mcpServers": {name: stdio_entry("cursor", path, answers)}}),
            ),
            ClientConfig(
                "VS Code",
                ".vscode/mcp.json",
                _json({"inputs": prompts, **vscode} if prompts else vscode),
            ),
        ]
    if serves_http(answers):
        inputs = {"inputs": [key_input(name)]} if answers.get("auth") == "apikey" else {}
        configs += [
            ClientConfig("Claude Code (HTTP)", "shell", claude_code_http_command(answers)),
            ClientConfig(
                "Cursor (HTTP)",
                ".cursor/mcp.json",
                _json({"mcpServers": {name: http_entry("cursor", answers)}}),
            ),
            ClientConfig(
                "VS Code (HTTP)",
                ".vscode/mcp.json",
                _json({**inputs, "servers": {name: http_entry("vscode", answers)}}),
            ),
        ]
    return configs


def _json(value: object) -> str:
    return json.dumps(value)


def _shortest(path: Path) -> str:
    """The path relative to the working directory when it is below it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
