"""`mcpforge check --conformance`: the official MCP conformance suite against the project.

The suite (npm `@modelcontextprotocol/conformance`, Node.js >= 22) connects to a server
URL and runs scenarios. Most of its scenarios call fixture tools, resources and prompts of
its own (`test_simple_text`, ...); the ones below apply to every server, and each becomes
a check with a stable ID named after its scenario. The server is the runtime checks' one
(started once, on 127.0.0.1), reached through a loopback proxy that adds its API key.
A scenario whose tool is missing is not run, and so never passed; one for a feature the
server does not declare (logging, completions) does not apply to it.
"""

from __future__ import annotations

import json
import re
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from mcpforge.checks.base import (
    Context,
    Outcome,
    Unmet,
    check,
    failed,
    not_verified_system,
    passed,
    provides,
    skipped,
    tail,
    warning,
)
from mcpforge.checks.loopback_proxy import bearer_proxy
from mcpforge.checks.validators import binary

SUITE = "@modelcontextprotocol/conformance@0.1.16"
NODE_MAJOR = 22  # the suite imports fs.globSync, which Node 20 lacks
INSTALL = f"install Node.js >= {NODE_MAJOR}, then: npm install -g {SUITE}"
SCENARIO_TIMEOUT = 120.0
_VERSION = re.compile(r"v(\d+)\.")

# Scenario -> (check ID, what it proves, the fix when it fails).
SCENARIOS: dict[str, tuple[str, str, str]] = {
    "server-initialize": (
        "MF801",
        "the initialize handshake: server info, protocol version, capabilities",
        "run the server with MCP_TRANSPORT=http and connect any MCP client: the server log "
        "names what broke the handshake",
    ),
    "ping": (
        "MF802",
        "ping is answered with an empty result",
        "leave `ping` to the SDK: a middleware or handler that answers it must return {}",
    ),
    "tools-list": (
        "MF803",
        "tools/list: every tool has a name, a description and an input schema",
        "give every tool a docstring (its description) and typed parameters",
    ),
    "resources-list": (
        "MF804",
        "resources/list: every resource has a URI and a name",
        "give every @mcp.resource a URI and a name",
    ),
    "prompts-list": (
        "MF805",
        "prompts/list: every prompt has a name and a description",
        "give every @mcp.prompt a docstring (its description)",
    ),
    "completion-complete": (
        "MF806",
        "completion/complete answers with a values array (servers declaring `completions`)",
        "keep the @mcp.completion handler; return None (an empty list) for what it does not "
        "complete rather than raising",
    ),
    "logging-set-level": (
        "MF807",
        "logging/setLevel is accepted with an empty result (servers declaring `logging`)",
        "a server that declares the logging capability answers logging/setLevel with {}; "
        "one that sends no log messages declares none",
    ),
    "dns-rebinding-protection": (
        "MF808",
        "a foreign Host/Origin is refused (4xx), a localhost one accepted (2xx)",
        "keep DNS-rebinding protection on (MCP_ALLOWED_HOSTS lists the real host names; "
        "127.0.0.1:* and localhost:* stay allowed)",
    ),
}


# Scenarios that exercise an optional feature: they apply to a server that declares the
# capability in its initialize answer (a server without it answers -32601, as it should).
NEEDS_CAPABILITY = {
    "tools-list": "tools",
    "resources-list": "resources",
    "prompts-list": "prompts",
    "completion-complete": "completions",
    "logging-set-level": "logging",
}


@dataclass(frozen=True)
class Target:
    """The suite's program and the URL it tests (the proxy in front of the server)."""

    program: str
    url: str


def node_major(context: Context, node: str) -> int | None:
    result = context.run([node, "--version"], timeout=30)
    match = _VERSION.match(result.stdout.strip())
    return int(match[1]) if result.returncode == 0 and match else None


@provides("conformance_suite")
def _suite(context: Context) -> str:
    """The suite's `conformance` program, on a Node.js it runs on; Unmet (not run) without."""
    program, node = binary("conformance"), binary("node")
    if node is None:
        raise Unmet(not_verified_system("Node.js (for the conformance suite)", INSTALL))
    major = node_major(context, node)
    if major is None or major < NODE_MAJOR:
        found = f"Node.js {major}" if major else "a Node.js that does not answer --version"
        needed = f"Node.js >= {NODE_MAJOR} (for the conformance suite)"
        outcome = not_verified_system(needed, INSTALL)
        raise Unmet(replace(outcome, message=f"{outcome.message}: found {found}"))
    if program is None:
        raise Unmet(not_verified_system(f"the conformance suite ({SUITE})", INSTALL))
    return program


@provides("conformance_target")
def _target(context: Context) -> Target:
    """The runtime checks' HTTP server behind a loopback proxy that adds its API key."""
    program = context.need("conformance_suite")
    running: Any = context.need("http_server")
    proxy = context.cleanup.enter_context(bearer_proxy(running.server.port, running.token))
    return Target(program, f"http://127.0.0.1:{proxy}{running.server.path}")


@provides("declared_capabilities")
def _capabilities(context: Context) -> frozenset[str]:
    """The capabilities the server declares to a 2025-11-25 client, as the suite's is."""
    target: Target = context.need("conformance_target")
    try:
        return _initialize(target.url)
    except Exception as error:  # noqa: BLE001 - any failure is the finding
        raise Unmet(failed(f"initialize through the loopback proxy failed: {error}")) from None


def _initialize(url: str) -> frozenset[str]:
    import anyio  # noqa: PLC0415 - the SDK loads only when needed
    from mcp import Client  # noqa: PLC0415
    from mcp.client.streamable_http import streamable_http_client  # noqa: PLC0415

    async def session() -> frozenset[str]:
        with anyio.fail_after(SCENARIO_TIMEOUT):
            async with Client(streamable_http_client(url), mode="legacy") as client:
                declared = client.server_capabilities.model_dump(exclude_none=True)
                return frozenset(declared)

    return anyio.run(session)


def run_scenario(context: Context, target: Target, scenario: str) -> Outcome:
    """Run one scenario and turn the suite's checks.json into an outcome."""
    with tempfile.TemporaryDirectory(prefix="mcpforge-conformance-") as folder:
        argv = [target.program, "server", "--url", target.url, "--scenario", scenario, "-o", folder]
        result = context.run(argv, timeout=SCENARIO_TIMEOUT, extra_env={"NO_COLOR": "1"})
        found = sorted(Path(folder).glob("*/checks.json"))
        if not found:
            return failed(
                f"the suite wrote no results (exit {result.returncode}):\n"
                + tail(result.stdout + result.stderr, 8)
            )
        checks = json.loads(found[0].read_text(encoding="utf-8"))
    return outcome_of(checks)


def outcome_of(checks: list[dict[str, Any]]) -> Outcome:
    """FAILURE anywhere fails; WARNING warns; otherwise passed, with the count."""
    judged = [item for item in checks if item.get("status") in {"SUCCESS", "FAILURE", "WARNING"}]
    failures = [_line(item) for item in judged if item["status"] == "FAILURE"]
    if failures:
        return failed("\n".join(failures))
    if not judged:
        return failed("the suite judged nothing in this scenario")
    warnings = [_line(item) for item in judged if item["status"] == "WARNING"]
    if warnings:
        return warning("\n".join(warnings))
    return passed(f"{len(judged)} of {len(judged)} suite checks passed")


def _line(item: dict[str, Any]) -> str:
    message = str(item.get("errorMessage") or item.get("description") or "")
    return f"{item.get('id')}: {message[:300]}"


def _register(scenario: str, check_id: str, proves: str, hint: str) -> None:
    @check(check_id, "conformance", f"conformance `{scenario}`: {proves}", hint)
    def scenario_check(context: Context, conformance_target: Target) -> Outcome:
        capability = NEEDS_CAPABILITY.get(scenario)
        if capability is not None and capability not in context.need("declared_capabilities"):
            return skipped(
                f"the server declares no `{capability}` capability: the scenario applies "
                "to servers that do"
            )
        context.progress(f"conformance {scenario}")
        return run_scenario(context, conformance_target, scenario)


for _scenario, (_id, _proves, _hint) in SCENARIOS.items():
    _register(_scenario, _id, _proves, _hint)
