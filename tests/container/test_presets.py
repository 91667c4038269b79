"""The production path on a real engine: the README's `docker run` and `docker compose up`.

For the production and scale presets: the image built by the README's line, run by the
README's line; HEALTHCHECK healthy, /health, an MCP client with the key, a non-root user,
`docker stop` with a 20 s call in flight (answered). Then compose as the README says: every
service healthy, (scale) calls spread over the replicas behind nginx, a note written through
one replica read through another, one rate limit for all replicas, `down` with a 20 s call
in flight (answered, through nginx on scale; every container gone, the scaled ones too),
data kept over `down` and `up`.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.container import engine
from tests.container.fixtures import (
    Built,
    as_podman,
    inline_commands,
    prepared,
    section,
    shell,
    shell_lines,
)

pytestmark = [
    pytest.mark.container,
    pytest.mark.timeout(2400),
    pytest.mark.usefixtures("container_env"),
]

INITIALIZE = (
    b'{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18",'
    b'"capabilities":{},"clientInfo":{"name":"mcpforge-tests","version":"1"}}}'
)


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def get(port: int, path: str, host: str = "127.0.0.1") -> tuple[int, bytes]:
    connection = http.client.HTTPConnection(host, port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def post_initialize(port: int, key: str) -> int:
    """One plain POST to /mcp (counted by the rate limit): its status."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(
            "POST",
            "/mcp",
            body=INITIALIZE,
            headers={
                "Authorization": f"Bearer {key}",
                "Content-Type": "application/json",
                "Accept": "application/json, text/event-stream",
            },
        )
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def mcp(
    url: str, key: str, calls: list[tuple[str, dict[str, Any]]], host: str | None = None
) -> tuple[list[str], list[str]]:
    """The tool names, and the text of each call's result, over one MCP SDK client session."""
    import anyio
    import httpx2
    from mcp import Client
    from mcp.client.streamable_http import streamable_http_client

    async def session() -> tuple[list[str], list[str]]:
        headers = {"Authorization": f"Bearer {key}"}
        if host:
            headers["Host"] = host
        with anyio.fail_after(120):
            async with httpx2.AsyncClient(headers=headers, timeout=60) as http_client:
                transport = streamable_http_client(url, http_client=http_client)
                async with Client(transport) as client:
                    tools = [tool.name for tool in (await client.list_tools()).tools]
                    texts = []
                    for name, arguments in calls:
                        result = await client.call_tool(name, arguments)
                        text = " ".join(getattr(item, "text", "") for item in result.content)
                        assert not result.is_error, f"{name} failed: {text}"
                        texts.append(text)
                    return tools, texts

    return anyio.run(session)


# A tool call longer than Docker's default stop timeout (10 s), shorter than SHUTDOWN_TIMEOUT.
SLOW_CALL = 20
# Seconds the slow call gets to reach the server before the stop begins.
CALL_HEADSTART = 4


def in_flight(url: str, key: str) -> Callable[[], list[str]]:
    """Start a SLOW_CALL-second `slow` call in a thread, CALL_HEADSTART seconds ahead;
    the returned function waits for it and gives its texts (none if it failed)."""
    answers: list[list[str]] = []
    errors: list[BaseException] = []

    def call() -> None:
        try:
            answers.append(mcp(url, key, [("slow", {"seconds": SLOW_CALL})])[1])
        except BaseException as error:  # noqa: BLE001 - reported by the test's assertion
            errors.append(error)

    thread = threading.Thread(target=call)
    thread.start()
    time.sleep(CALL_HEADSTART)

    def result() -> list[str]:
        thread.join(timeout=SLOW_CALL + 60)
        assert not errors, f"the call in flight failed: {errors[0]!r}"
        return answers[0] if answers else []

    return result


# --- docker run --------------------------------------------------------------------------


def readme_run(built: Built, port: int) -> tuple[str, dict[str, str]]:
    """The README's `docker run` line (as podman, on a free port) and the shell it runs in:
    the environment after the `export` lines the README gives (nothing else is set).
    """
    docker = section(built.project, "Docker")
    lines = shell_lines(docker)
    runs = [line for line in lines if line.startswith("docker run")]
    assert len(runs) == 1, f"expected one `docker run` line in the README: {runs}"
    run = runs[0]
    assert re.search(r"-p 127\.0\.0\.1:8000:", run), f"not published on loopback: {run}"
    # What the README has the user export first: in "Run it" (the key) or beside the line.
    exports = [
        line
        for line in shell_lines(section(built.project, "Run it")) + lines
        if line.startswith("export ")
    ]
    env = prepared(exports + inline_commands(docker), built.project, dict(os.environ))
    assert "-e MCP_API_KEYS" in run, f"the README's docker run passes no API key: {run}"
    assert env.get("MCP_API_KEYS"), "the README exports no MCP_API_KEYS before docker run"
    return as_podman(run, port), env


@pytest.mark.parametrize("preset", ["production", "scale"])
def test_docker_run_as_the_readme_says(preset: str, built: Callable[[str], Built]) -> None:
    project = built(preset)
    port = free_port()
    command, env = readme_run(project, port)
    key = env["MCP_API_KEYS"].split(",")[0]
    log = project.project.parent / f"{preset}-run.log"
    started = time.monotonic()
    with log.open("wb") as output:
        process = subprocess.Popen(
            ["bash", "-c", "exec " + command],
            cwd=project.project,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        image = engine.podman("image", "inspect", "--format", "{{.Id}}", project.image)
        container = ""
        while not container:
            assert process.poll() is None, log.read_text()
            listed = engine.podman(
                "ps", "--filter", f"ancestor={image.stdout.strip()}", "--format", "{{.ID}}"
            )
            container = listed.stdout.strip().split("\n")[0]
            time.sleep(0.2)
        engine.wait_healthy([container], timeout=180)
        healthy = time.monotonic() - started

        status, body = get(port, "/health")
        assert status == 200, body
        assert json.loads(body)["status"] == "ok"

        url = f"http://127.0.0.1:{port}/mcp"
        tools, texts = mcp(url, key, [("echo", {"text": "hello"}), ("add", {"a": 2, "b": 3})])
        assert {"echo", "add", "slow"} <= set(tools)
        assert texts[0] == "hello"
        assert float(texts[1]) == 5

        uid = engine.podman("exec", container, "id", "-u").stdout.strip()
        assert uid != "0", "the container runs as root"

        # The README's `docker stop` while a long call is in flight: the call completes (the
        # stop timeout outlasts it; Docker's default 10 s would kill the server under it),
        # then the container exits.
        docker_lines = shell_lines(section(project.project, "Docker"))
        stops = [line for line in docker_lines if line.startswith("docker stop")]
        assert len(stops) == 1, stops
        answers = in_flight(url, key)
        terminated = time.monotonic()
        shell(as_podman(stops[0]), project.project, env, timeout=120)
        exited = time.monotonic() - terminated
        assert answers() == [f"slept {float(SLOW_CALL)}"], log.read_text()
        process.wait(timeout=30)
        print(  # noqa: T201 - figures for the closing note (pytest -s)
            f"\n[container] {preset}: docker run healthy {healthy:.1f} s after `run`; "
            f"`docker stop` returned {exited:.1f} s after it began, exit code "
            f"{process.returncode}, the {SLOW_CALL} s call answered",
            file=sys.stderr,
        )
        assert process.returncode == 0, log.read_text()
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=60)


# --- compose ------------------------------------------------------------------------------


def compose_containers(project: Path) -> dict[str, list[str]]:
    """Running containers of the compose project, by service."""
    listed = engine.podman(
        "ps",
        "--filter",
        f"label=io.podman.compose.project={project.name}",
        "--format",
        '{{.Names}} {{index .Labels "com.docker.compose.service"}}',
    )
    services: dict[str, list[str]] = {}
    for line in listed.stdout.splitlines():
        name, service = line.split()
        services.setdefault(service, []).append(name)
    return services


@pytest.mark.parametrize("preset", ["production", "scale"])
def test_compose_as_the_readme_says(preset: str, built: Callable[[str], Built]) -> None:
    project = built(preset)
    root = project.project
    port = free_port()
    compose_file = root / "compose.yaml"
    text = compose_file.read_text(encoding="utf-8")
    assert '"127.0.0.1:8000:' in text
    compose_file.write_text(
        text.replace('"127.0.0.1:8000:', f'"127.0.0.1:{port}:'), encoding="utf-8"
    )

    engine.ensure_standins(root)  # nginx, PostgreSQL, Redis: built in the background so far
    compose = section(root, "Compose")
    lines = [as_podman(line, port) for line in shell_lines(compose)]
    ups = [index for index, line in enumerate(lines) if line.startswith("podman-compose up")]
    assert ups, f"no `docker compose up` in the README's Compose section: {lines}"
    downs = [index for index, line in enumerate(lines) if line.startswith("podman-compose down")]
    assert len(downs) == 1, f"expected one `docker compose down` in the README: {lines}"
    up, checks, down = lines[ups[0]], lines[ups[0] + 1 : downs[0]], lines[downs[0]]
    # The lines before `up` prepare the shell and .env (the key, the database password).
    env = prepared(inline_commands(compose) + lines[: ups[0]], root, dict(os.environ))
    dotenv = root / ".env"
    settings = dotenv.read_text(encoding="utf-8") if dotenv.exists() else ""
    # A second key (README: list several to rotate) whose calls only the rate-limit test makes.
    rate_key = secrets.token_urlsafe(24)
    found = re.search(r"^MCP_API_KEYS=(.*)$", settings, re.M)
    if found:
        keys = [*found.group(1).strip().split(","), rate_key]
        settings = settings.replace(found.group(0), "MCP_API_KEYS=" + ",".join(keys))
    else:
        assert "MCP_API_KEYS" in env, "the README's Compose section sets no MCP_API_KEYS"
        keys = [*env["MCP_API_KEYS"].split(","), rate_key]
        env["MCP_API_KEYS"] = ",".join(keys)
    dotenv.write_text(settings + f"RATE_LIMIT={RATE_LIMIT}/minute\n", encoding="utf-8")
    with engine.HealthDriver():
        started = time.monotonic()
        shell(up, root, env)
        services = compose_containers(root)
        engine.wait_healthy([name for names in services.values() for name in names], timeout=300)
        up_seconds = time.monotonic() - started
        # The README's lines after `up` (curl /health; scale: --scale to 5, restart nginx).
        for line in checks:
            shell(line, root, env)
        services = compose_containers(root)
        engine.wait_healthy([name for names in services.values() for name in names], timeout=300)
        lb = f"http://127.0.0.1:{port}/mcp"

        if preset == "scale":
            replicas = services[root.name]
            assert len(replicas) >= 3, services
            assert {"nginx", "postgres", "redis"} <= set(services)
            # Calls through nginx land on more than one replica.
            _, names = mcp(lb, keys[0], [("whoami", {})] * 9)
            assert len(set(names)) > 1, names
            # A note written through one replica is read through another.
            addresses = {
                replica: engine.podman(
                    "inspect",
                    "--format",
                    "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}",
                    replica,
                ).stdout.strip()
                for replica in replicas[:2]
            }
            first, second = (f"http://{address}:8000/mcp" for address in addresses.values())
            note = f"note {secrets.token_hex(4)}"
            mcp(first, keys[0], [("add_note", {"text": note})], host="127.0.0.1:8000")
            _, listed = mcp(second, keys[0], [("list_notes", {})], host="127.0.0.1:8000")
            assert note in listed[0]
            # One rate limit for all replicas (Redis): RATE_LIMIT requests pass, then 429.
            statuses = [post_initialize(port, rate_key) for _ in range(RATE_LIMIT + 10)]
            assert statuses.count(200) == RATE_LIMIT, statuses
            assert statuses[RATE_LIMIT:] == [429] * 10, statuses
        else:
            _, texts = mcp(lb, keys[0], [("echo", {"text": "through compose"})])
            assert texts == ["through compose"]

        # The README's `down` while a long call is in flight (scale: through nginx): the
        # client gets its answer, and nothing of the project is left running (scale: the
        # replicas `--scale` added too, which podman-compose's plain `down` leaves).
        answers = in_flight(lb, keys[0])
        started = time.monotonic()
        shell(down, root, env, timeout=300)
        down_seconds = time.monotonic() - started
        assert answers() == [f"slept {float(SLOW_CALL)}"]
        assert compose_containers(root) == {}, "compose down left containers running"
        # Up again on the image just built (the README's `--build` would only rebuild it
        # from cache: minutes on vfs storage).
        shell(up.replace(" --build", ""), root, env)
        services = compose_containers(root)
        engine.wait_healthy([name for names in services.values() for name in names], timeout=300)
        if preset == "scale":
            _, listed = mcp(lb, keys[0], [("list_notes", {})])
            assert note in listed[0], "the note did not survive compose down and up"
        shell(down, root, env, timeout=300)
        assert compose_containers(root) == {}, "compose down left containers running"
    print(  # noqa: T201
        f"\n[container] {preset}: compose up to healthy {up_seconds:.0f} s, "
        f"down with a {SLOW_CALL} s call in flight {down_seconds:.0f} s (answered)",
        file=sys.stderr,
    )


RATE_LIMIT = 20
