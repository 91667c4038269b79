"""Security and observability of generated servers, checked from outside the project.

The generated projects test their own auth, limits, metrics and readiness (their tests run
here for the production preset, an OAuth + OpenTelemetry variant, one without auth, limits,
metrics and cache, and one keeping sessions and answering in SSE streams); this module adds what
a project cannot check alone: the alert rules with promtool, the optional features' import
cost on stdio, and rate limits shared by two server processes through a real Redis.
"""

from __future__ import annotations

import json
import secrets
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from mcpforge import new_project
from tests.conftest import require_tool, skip_or_fail
from tests.template.conftest import GeneratedSuite
from tests.template.projects import check_types, project_env, run

REDIS = ("127.0.0.1", 6379)
OPTIONAL_MODULES = ("prometheus_client", "limits", "redis", "opentelemetry.sdk", "jwt")


@pytest.mark.renders
def test_alert_rules_pass_promtool_check_and_their_unit_tests(tmp_path: Path) -> None:
    promtool = require_tool("promtool")
    project = new_project(tmp_path / "alerting-server", {"preset": "production"}).path
    monitoring = project / "monitoring"
    checked = run(monitoring, promtool, "check", "rules", "alerts.yml")
    assert "SUCCESS: 4 rules found" in checked.stdout
    tested = run(monitoring, promtool, "test", "rules", "alerts.test.yml")
    assert "SUCCESS" in tested.stdout


@pytest.mark.slow
@pytest.mark.parametrize(
    "answers",
    [
        pytest.param({"preset": "production"}, id="production"),
        pytest.param({"auth": "oauth", "opentelemetry": True}, id="oauth-otel"),
        pytest.param(
            {"auth": "none", "rate_limit": False, "metrics": False, "cache": False},
            id="features-off",
        ),
        # Sessions (initialize first, then Mcp-Session-Id) and SSE answers: the tests' own
        # client speaks both, and the server lets SSE answers finish on SIGTERM.
        pytest.param({"stateless_http": False, "json_response": False}, id="stateful-sse"),
    ],
)
def test_generated_security_and_observability_tests_pass(
    generated_suite: GeneratedSuite, answers: dict[str, object]
) -> None:
    """The production preset's run is shared with test_generated_project.py (once a session)."""
    uv = require_tool("uv")
    suite = generated_suite(answers)
    project, tests = suite.project, suite.tests
    assert " passed" in tests.stdout
    assert " failed" not in tests.stdout
    run(project, uv, "run", "ruff", "check", "--no-cache", ".")
    run(project, uv, "run", "ruff", "format", "--check", "--no-cache", ".")
    check_types(project, uv)


@pytest.mark.slow
def test_optional_features_are_not_imported_on_stdio(tmp_path: Path) -> None:
    uv = require_tool("uv")
    project = new_project(tmp_path / "lean-server", {"preset": "production"}).path
    probe = (
        "import json, sys\n"
        "import lean_server.cli\n"
        f"print(json.dumps([m for m in {OPTIONAL_MODULES!r} if m in sys.modules]))\n"
    )
    result = run(project, uv, "run", "python", "-c", probe)
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []


def redis_reachable() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=1) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def call_echo(port: int, key: str) -> int:
    body = json.dumps(
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "tools/call",
            "params": {"name": "echo", "arguments": {"text": "hi"}},
        }
    ).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/mcp",
        data=body,
        headers={
            "Content-Type": "application/json",
            "Accept": "application/json",
            "Authorization": f"Bearer {key}",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


def wait_ready(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server exited during start-up"
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/ready", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.1)
    pytest.fail(f"the server on port {port} was not ready within 60 seconds")


@pytest.fixture
def two_servers(tmp_path: Path) -> Iterator[tuple[int, int, str]]:
    """Two processes of one generated server sharing RATE_LIMIT=5/minute through Redis."""
    if not redis_reachable():
        skip_or_fail(f"Redis is not reachable on {REDIS[0]}:{REDIS[1]}")
    uv = require_tool("uv")
    # A project name of its own: its counters (keyed on the name) start from zero.
    name = "limited-" + "".join(secrets.choice("abcdefghij") for _ in range(10))
    project = new_project(tmp_path / name, {"preset": "production"}).path
    run(project, uv, "sync", "-q")
    key = "shared-limit-key-" + secrets.token_hex(8)
    ports = free_port(), free_port()
    processes = [
        subprocess.Popen(
            [uv, "run", "--no-sync", name, "--http", "--port", str(port)],
            cwd=project,
            env=project_env(
                MCP_API_KEYS=key, RATE_LIMIT="5/minute", REDIS_URL="redis://127.0.0.1:6379/0"
            ),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for port in ports
    ]
    try:
        for port, process in zip(ports, processes, strict=True):
            wait_ready(port, process)
        yield ports[0], ports[1], key
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=20)


@pytest.mark.slow
def test_two_server_processes_share_one_rate_limit_through_redis(
    two_servers: tuple[int, int, str],
) -> None:
    first, second, key = two_servers
    statuses = [call_echo(port, key) for port in (first, second, first, second, first)]
    assert statuses == [200] * 5
    # The sixth call is over the shared limit, whichever process answers it.
    assert call_echo(second, key) == 429
    assert call_echo(first, key) == 429
