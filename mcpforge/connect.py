"""`mcpforge connect CLIENT`: add or update the server's entry in an MCP client's config.

Only the server's own entry changes: every other key and server is kept, the diff is
shown, the file is replaced atomically, and a file that is not a JSON object is refused
untouched. Secrets are never written: each client gets its documented reference to an
environment variable or a prompt (MCP_API_KEY over HTTP, the project's own secrets over
stdio, as the generated README writes them); Claude Desktop, which expands none, gets an
empty value to fill in (a value already filled in is kept).
"""

from __future__ import annotations

import difflib
import json
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mcpforge.errors import UserError
from mcpforge.next_steps import (
    http_entry,
    key_input,
    secret_input,
    secret_names,
    serves_http,
    serves_stdio,
    stdio_entry,
)

CLIENTS = ("claude-desktop", "claude-code", "cursor", "vscode")


@dataclass(frozen=True)
class Connection:
    """What `connect` did: the file, its diff (empty when unchanged) and the transport."""

    client: str
    path: Path
    transport: str
    diff: str
    note: str = ""  # what the user still has to do by hand (Claude Desktop's secrets)

    @property
    def changed(self) -> bool:
        return bool(self.diff)


def config_path(client: str, project: Path) -> Path:
    """Where CLIENT reads its MCP servers: per user (Claude Desktop) or in the project."""
    if client == "claude-desktop":
        home = Path.home()
        if sys.platform == "darwin":
            return home / "Library/Application Support/Claude/claude_desktop_config.json"
        if sys.platform == "win32":
            appdata = Path(os.environ.get("APPDATA") or home / "AppData/Roaming")
            return appdata / "Claude/claude_desktop_config.json"
        config_home = Path(os.environ.get("XDG_CONFIG_HOME") or home / ".config")
        return config_home / "Claude/claude_desktop_config.json"
    return project / {"claude-code": ".mcp.json", "cursor": ".cursor/mcp.json"}.get(
        client, ".vscode/mcp.json"
    )


def connect(
    client: str,
    project: Path,
    *,
    http: bool | None = None,
    config: Path | None = None,
    pretend: bool = False,
) -> Connection:
    """Write the server's entry into CLIENT's configuration (see the module docstring)."""
    from mcpforge.record import project_answers  # noqa: PLC0415

    if client not in CLIENTS:
        raise UserError(f"unknown client {client!r}", f"use one of: {', '.join(CLIENTS)}")
    project = project.resolve()
    answers = project_answers(project)
    transport = _transport(client, answers, http)
    path = config or config_path(client, project)
    before = _read(path)
    data: dict[str, Any] = json.loads(before) if before.strip() else {}
    name = str(answers["project_name"])
    section = "servers" if client == "vscode" else "mcpServers"
    servers = data.setdefault(section, {})
    if not isinstance(servers, dict):
        raise UserError(
            f"{path}: {section!r} is not a JSON object",
            "fix that key by hand; mcpforge connect only adds or replaces one server entry",
        )
    prompts: list[dict[str, Any]] = []
    if transport == "stdio":
        entry = stdio_entry(client, str(project), answers)
        if client == "claude-desktop":
            _keep_filled_in(entry, servers.get(name))
        servers[name] = entry
        if client == "vscode":
            prompts = [secret_input(secret, name) for secret in secret_names(answers)]
    else:
        servers[name] = http_entry(client, answers)
        if client == "vscode" and answers.get("auth") == "apikey":
            prompts = [key_input(name)]
    if prompts:
        inputs = data.setdefault("inputs", [])
        if isinstance(inputs, list):
            known = {item.get("id") for item in inputs if isinstance(item, dict)}
            inputs += [prompt for prompt in prompts if prompt["id"] not in known]
    after = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    diff = "".join(
        difflib.unified_diff(
            before.splitlines(keepends=True) if before else [],
            after.splitlines(keepends=True),
            fromfile=f"{path} (before)",
            tofile=f"{path} (after)",
        )
    )
    if diff and not pretend:
        _write(path, after)
    note = ""
    blanks = [key for key, value in servers[name].get("env", {}).items() if value == ""]
    if client == "claude-desktop" and blanks:
        note = (
            f"Claude Desktop reads no environment variables of yours: fill in "
            f'{", ".join(blanks)} in its "env" by hand if the server needs them'
        )
    return Connection(client=client, path=path, transport=transport, diff=diff, note=note)


def _transport(client: str, answers: dict[str, Any], http: bool | None) -> str:
    stdio_ok, http_ok = serves_stdio(answers), serves_http(answers)
    wanted = "http" if http or (http is None and not stdio_ok) else "stdio"
    if wanted == "http" and not http_ok:
        raise UserError(
            f"{answers['project_name']} does not serve HTTP", "connect it over stdio: drop --http"
        )
    if wanted == "stdio" and not stdio_ok:
        raise UserError(
            f"{answers['project_name']} does not serve stdio", "connect it over HTTP: add --http"
        )
    if wanted == "http" and client == "claude-desktop":
        raise UserError(
            "Claude Desktop's configuration file takes stdio servers only",
            "add the URL in Claude Desktop under Settings > Connectors, or connect over stdio",
        )
    return wanted


def _keep_filled_in(entry: dict[str, Any], before: object) -> None:
    """Keep the values the user filled into Claude Desktop's blanks (it expands no
    references, so the value itself is the only way)."""
    old_env = before.get("env") if isinstance(before, dict) else None
    if not isinstance(old_env, dict):
        return
    for secret in entry.get("env", {}):
        if isinstance(old_env.get(secret), str) and old_env[secret]:
            entry["env"][secret] = old_env[secret]


def _read(path: Path) -> str:
    if not path.exists():
        return ""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise UserError(f"cannot read {path}: {error}", "check the file's permissions") from None
    if not text.strip():
        return ""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise UserError(
            f"{path} is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg}); "
            "nothing was changed",
            "fix the file (comments and trailing commas are not JSON), or pass --config "
            "to write another file",
        ) from None
    if not isinstance(value, dict):
        raise UserError(f"{path} is not a JSON object; nothing was changed", "fix the file")
    return text


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o600
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        Path(temporary).chmod(mode)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
