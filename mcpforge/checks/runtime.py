"""Runtime checks: boot the server and speak MCP to it over stdio and HTTP.

The server runs from the synced copy of the project (see project_copy.py). Features (auth,
/metrics, /ready) are detected from the answers file, and from the routes in the source
so that a project edited by hand is checked for what it serves.
"""

from __future__ import annotations

import json
import re
import secrets
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mcpforge.checks import files, serve
from mcpforge.checks.base import (
    CheckFailedError,
    Context,
    Outcome,
    Unmet,
    check,
    failed,
    not_verified,
    passed,
    provides,
    skipped,
    tail,
)
from mcpforge.checks.project_copy import console_script, synced, uv, uv_env, venv_bin
from mcpforge.checks.validators import has_module

START_TIMEOUT = 30.0
CALL_TIMEOUT = 60.0
_AUTH_SETTING = re.compile(r"(API_KEYS?|AUTH_TOKENS?|BEARER_TOKENS?)$")
_OFF = {None, False, "", "none", "off", "false", "no"}


@dataclass(frozen=True)
class Features:
    """What the server is expected to serve."""

    stdio: bool
    http: bool
    auth: str | None  # "api_key", "oauth", ... or None
    metrics: bool
    ready: bool
    services: bool  # database / Redis: /ready may answer 503 without them


def features(root: Path, answers: Mapping[str, Any]) -> Features:
    transport = str(answers.get("transport", "stdio"))
    source = "\n".join(
        path.read_text(encoding="utf-8", errors="replace")
        for path in files.project_files(root / "src" if (root / "src").is_dir() else root, ".py")
    )
    auth = answers.get("auth")
    return Features(
        stdio=transport in {"stdio", "both"},
        http=transport in {"http", "both"},
        auth=None if auth in _OFF else str(auth),
        metrics=answers.get("metrics") not in _OFF or '"/metrics"' in source,
        ready=answers.get("readiness", answers.get("ready")) not in _OFF or '"/ready"' in source,
        services=any(answers.get(key) not in _OFF for key in ("database", "redis")),
    )


def _prerequisites(context: Context) -> tuple[Path, str] | Outcome:
    """The synced copy and the server command, or the outcome explaining why not."""
    if uv() is None:
        return not_verified("uv")
    if not has_module("mcp"):
        return not_verified("the MCP SDK (mcp)")
    script = console_script(context.root)
    if script is None:
        return failed("pyproject.toml declares no [project.scripts] command to start the server")
    try:
        return synced(context), script
    except CheckFailedError as error:
        return failed(str(error))


def _auth_env(root: Path, answers: Mapping[str, Any], token: str) -> dict[str, str]:
    """Configure the server to accept `token` (API-key auth), via its own settings."""
    own_secrets = {
        name.strip().upper() for name in str(answers.get("secret_env_vars") or "").split(",")
    }
    names: set[str] = set()
    for module in files.settings_modules(root):
        names |= files.settings_env_names(module.read_text(encoding="utf-8"))
    return {name: token for name in names - own_secrets if _AUTH_SETTING.search(name)}


# --- stdio ------------------------------------------------------------------------------


def _tool_arguments(schema: Mapping[str, Any]) -> dict[str, Any] | None:
    """Arguments satisfying a tool's required parameters, or None if we cannot make them."""
    properties = schema.get("properties") or {}
    arguments: dict[str, Any] = {}
    for name in schema.get("required") or []:
        spec = properties.get(name) or {}
        kinds = [spec.get("type")] + [item.get("type") for item in spec.get("anyOf") or []]
        if spec.get("enum"):
            arguments[name] = spec["enum"][0]
        elif "string" in kinds:
            arguments[name] = "mcpforge"
        elif "integer" in kinds or "number" in kinds:
            arguments[name] = max(1, spec.get("minimum", 1))
        elif "boolean" in kinds:
            arguments[name] = True
        else:
            return None
    return arguments


async def _round_trip(client: Any) -> str:
    """tools/list and one tool call; raises CheckFailedError on a wrong answer."""
    listed = await client.list_tools()
    if not listed.tools:
        raise CheckFailedError("tools/list returned no tools")
    for tool in listed.tools:
        arguments = _tool_arguments(tool.input_schema)
        if arguments is not None:
            result = await client.call_tool(tool.name, arguments)
            if result.is_error:
                text = " ".join(getattr(item, "text", "") for item in result.content)
                raise CheckFailedError(f"tools/call {tool.name} returned an error: {text[:300]}")
            return f"{len(listed.tools)} tools; called {tool.name}"
    raise CheckFailedError("no tool takes arguments this check can make up")


def _server_env(extra: Mapping[str, str]) -> dict[str, str]:
    env = uv_env()
    env.update({"LOG_LEVEL": "INFO", "PYTHONUNBUFFERED": "1", **extra})
    return env


@check(
    "MF501",
    "runtime",
    "stdio: the server answers initialize, tools/list and a tool call",
    "run the server command by hand: nothing but protocol may go to stdout (log to "
    "stderr), and it must start without a .env file",
)
def stdio(context: Context, features: Features) -> Outcome:
    if not features.stdio:
        return skipped("the server speaks HTTP only (transport: http)")
    ready = _prerequisites(context)
    if isinstance(ready, Outcome):
        return ready
    root, script = ready
    context.progress("stdio session")
    with tempfile.TemporaryFile("w+", encoding="utf-8") as errors:
        try:
            message = _stdio_session(root, script, errors)
        except Exception as error:  # noqa: BLE001 - any failure of the session is the finding
            errors.seek(0)
            return failed(f"{_describe(error)}\nserver stderr:\n{tail(errors.read(), 10)}")
    return passed(message)


def _stdio_session(root: Path, script: str, errors: Any) -> str:
    import anyio  # noqa: PLC0415 - the SDK and its dependencies load only when needed
    from mcp import Client, StdioServerParameters  # noqa: PLC0415
    from mcp.client.stdio import stdio_client  # noqa: PLC0415

    parameters = StdioServerParameters(
        command=str(venv_bin(root) / script),
        args=[],
        env=_server_env({"MCP_TRANSPORT": "stdio"}),
        cwd=str(root),
    )

    async def session() -> str:
        with anyio.fail_after(CALL_TIMEOUT):
            # mode="legacy": the initialize handshake every stdio client performs.
            async with Client(stdio_client(parameters, errlog=errors), mode="legacy") as client:
                return "initialize ok; " + await _round_trip(client)

    return anyio.run(session)


def _describe(error: BaseException) -> str:
    """One readable line for an error, unwrapping anyio's exception groups."""
    while getattr(error, "exceptions", None):  # an (anyio) exception group
        error = error.exceptions[0]  # type: ignore[attr-defined]
    if isinstance(error, TimeoutError):
        return f"no answer within {CALL_TIMEOUT:g} seconds"
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


# --- HTTP -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Http:
    server: serve.HttpServer
    token: str | None  # the bearer token the server accepts, when auth is on


@provides("features")
def _features(context: Context) -> Features:
    """What the server is expected to serve, read once per run."""
    return features(context.root, context.answers)


@provides("http_server")
def _http(context: Context) -> _Http:
    """The server running over HTTP (started once per run); Unmet says why it cannot be."""
    wanted: Features = context.need("features")
    if not wanted.http:
        raise Unmet(skipped("the server speaks stdio only (transport: stdio)"))
    ready = _prerequisites(context)
    if isinstance(ready, Outcome):
        raise Unmet(ready)
    root, script = ready
    token = secrets.token_urlsafe(24) if wanted.auth else None
    env = _server_env(_auth_env(root, context.answers, token) if token else {})
    context.progress("starting HTTP server")
    path = str(context.answers.get("http_path") or "/mcp")
    try:
        server = serve.start(context, [str(venv_bin(root) / script)], root, env, path)
    except CheckFailedError as error:
        raise Unmet(failed(str(error))) from None
    return _Http(server, token)


def _feature_on(name: str, reason: str) -> None:
    """Provide `name`: the project's Features where `name` is on; else skipped: reason."""

    @provides(name)
    def provide(context: Context) -> Features:
        wanted: Features = context.need("features")
        if not getattr(wanted, name.removesuffix("_on")):
            raise Unmet(skipped(reason))
        return wanted


_feature_on("auth_on", "auth is off in this project")
_feature_on("metrics_on", "metrics are off in this project")
_feature_on("ready_on", "readiness is off in this project")


def _auth_headers(running: _Http) -> dict[str, str]:
    return {"Authorization": f"Bearer {running.token}"} if running.token else {}


@check(
    "MF502",
    "runtime",
    "HTTP: GET /health answers 200 with JSON",
    "keep the /health route (added in create_app, outside auth): load balancers, compose "
    "and Kubernetes probe it",
)
def http_health(context: Context, http_server: _Http) -> Outcome:
    status, body = http_server.server.request("GET", "/health")
    if status != 200:
        return failed(f"GET /health answered {status}: {body[:200]!r}")
    try:
        json.loads(body)
    except ValueError:
        return failed(f"GET /health did not answer JSON: {body[:200]!r}")
    return passed()


@check(
    "MF503",
    "runtime",
    "HTTP: an MCP client lists the tools and calls one",
    "start the server with MCP_TRANSPORT=http and connect with `from mcp import Client`; "
    "the server log names the failure",
)
def http_round_trip(context: Context, features: Features, http_server: _Http) -> Outcome:
    if http_server.token is None and features.auth:
        return skipped("auth is on, but no API-key setting was found to configure a token")
    context.progress("MCP over HTTP")
    try:
        message = _http_session(http_server)
    except Exception as error:  # noqa: BLE001 - any failure of the session is the finding
        return failed(f"{_describe(error)}\nserver log:\n{http_server.server.logs()}")
    return passed(message)


def _http_session(running: _Http) -> str:
    import anyio  # noqa: PLC0415
    import httpx2  # noqa: PLC0415 - the SDK's HTTP client
    from mcp import Client  # noqa: PLC0415
    from mcp.client.streamable_http import streamable_http_client  # noqa: PLC0415

    async def session() -> str:
        with anyio.fail_after(CALL_TIMEOUT):
            async with httpx2.AsyncClient(headers=_auth_headers(running)) as http:
                transport = streamable_http_client(running.server.url, http_client=http)
                async with Client(transport) as client:
                    return await _round_trip(client)

    return anyio.run(session)


@check(
    "MF504",
    "runtime",
    "HTTP: a request with a foreign Host header is rejected (421)",
    "keep DNS-rebinding protection on (TransportSecuritySettings) and list real host "
    "names in MCP_ALLOWED_HOSTS instead of turning it off",
)
def http_foreign_host(context: Context, http_server: _Http) -> Outcome:
    headers = {**_auth_headers(http_server), "Host": "evil.example.com"}
    status = http_server.server.post_mcp(headers)
    if status != 421:
        return failed(
            f"POST {http_server.server.path} with Host: evil.example.com answered {status}"
        )
    return passed()


@check(
    "MF505",
    "runtime",
    "HTTP: with auth on, a request without a token is rejected (401)",
    "put the MCP endpoint behind the token verifier; only /health may be open",
)
def http_auth(context: Context, auth_on: Features, http_server: _Http) -> Outcome:
    status = http_server.server.post_mcp()
    if status != 401:
        return failed(f"POST {http_server.server.path} without a token answered {status}, not 401")
    return passed()


@check(
    "MF506",
    "runtime",
    "HTTP: /metrics serves Prometheus metrics (where enabled)",
    "keep the /metrics route and its prometheus-client registry",
)
def http_metrics(context: Context, metrics_on: Features, http_server: _Http) -> Outcome:
    headers = _auth_headers(http_server)
    status, body = http_server.server.request("GET", "/metrics", headers=headers)
    if status != 200 or b"# TYPE" not in body:
        return failed(f"GET /metrics answered {status}: {body[:200]!r}")
    return passed()


@check(
    "MF507",
    "runtime",
    "HTTP: /ready answers (where enabled)",
    "keep the /ready route; it answers 503 while a dependency (database, Redis) is down",
)
def http_ready(context: Context, ready_on: Features, http_server: _Http) -> Outcome:
    status, body = http_server.server.request("GET", "/ready")
    if status == 200:
        return passed()
    if status == 503 and ready_on.services:
        return passed("503: its database/Redis is not running here; the endpoint answers")
    return failed(f"GET /ready answered {status}: {body[:200]!r}")


# --- the MCP bundle's tool list -------------------------------------------------------------


@check(
    "MF508",
    "runtime",
    "manifest.json lists the tools the server lists (tools/list over stdio)",
    "make manifest.json's `tools` the names and descriptions tools/list gives (a tool "
    "added, renamed or removed in server.py changes both)",
)
def bundle_tools(context: Context, bundle_manifest: Path, features: Features) -> Outcome:
    from mcpforge.checks.publish import load_json  # noqa: PLC0415  # one check needs it

    if not features.stdio:
        return skipped("the server speaks HTTP only: a bundle runs it over stdio")
    manifest, unreadable = load_json(bundle_manifest)
    if unreadable is not None or not isinstance(manifest, dict):
        return failed(unreadable or "manifest.json does not hold an object", file="manifest.json")
    declared = manifest.get("tools")
    ready = _prerequisites(context)
    if not isinstance(declared, list) or isinstance(ready, Outcome):
        return ready if isinstance(ready, Outcome) else failed("manifest.json lists no `tools`")
    root, script = ready
    context.progress("stdio tools/list")
    with tempfile.TemporaryFile("w+", encoding="utf-8") as errors:
        try:
            served = _stdio_tools(root, script, errors)
        except Exception as error:  # noqa: BLE001 - any failure of the session is the finding
            errors.seek(0)
            return failed(f"{_describe(error)}\nserver stderr:\n{tail(errors.read(), 10)}")
    problems = _tool_drift(declared, served)
    if problems:
        return failed("\n".join(problems), file="manifest.json")
    return passed(f"{len(served)} tools")


def _tool_drift(declared: list[Any], served: Mapping[str, str | None]) -> list[str]:
    """How manifest.json's tools differ from the served ones (descriptions where given)."""
    listed = {
        str(item.get("name")): item.get("description")
        for item in declared
        if isinstance(item, dict)
    }
    problems = [f"not in manifest.json: {name}" for name in sorted(served.keys() - listed.keys())]
    problems += [f"not served: {name}" for name in sorted(listed.keys() - served.keys())]
    problems += [
        f"{name}: manifest.json says {listed[name]!r}, the server {served[name]!r}"
        for name in sorted(served.keys() & listed.keys())
        if listed[name] is not None and listed[name] != served[name]
    ]
    return problems


def _stdio_tools(root: Path, script: str, errors: Any) -> dict[str, str | None]:
    """The tools the server lists over stdio: name -> description."""
    import anyio  # noqa: PLC0415
    from mcp import Client, StdioServerParameters  # noqa: PLC0415
    from mcp.client.stdio import stdio_client  # noqa: PLC0415

    parameters = StdioServerParameters(
        command=str(venv_bin(root) / script),
        args=[],
        env=_server_env({"MCP_TRANSPORT": "stdio"}),
        cwd=str(root),
    )

    async def session() -> dict[str, str | None]:
        with anyio.fail_after(CALL_TIMEOUT):
            async with Client(stdio_client(parameters, errlog=errors), mode="legacy") as client:
                listed = await client.list_tools()
                return {tool.name: tool.description for tool in listed.tools}

    return anyio.run(session)
