"""Every way the generated README and `mcpforge new`'s next steps say to run the server works.

The commands are read from the rendered README and from the next-steps list, never
re-typed: each README command sits in its own ```sh block. The local ones run for real
(bash, uv, the server) and the server must answer MCP through the SDK client; the container
ones (docker run, compose, Kubernetes) are checked here for passing every variable a
deployment must set, and run for real by the container tests.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from mcpforge import new_project
from mcpforge.connect import connect
from mcpforge.copier_calls import deployment_variables
from mcpforge.next_steps import next_steps
from tests.conftest import npm_tool
from tests.template.projects import project_env, run

# What each kind of auth makes a deployment set (the server refuses to start without it).
REQUIRED = {"apikey": ["MCP_API_KEYS"], "oauth": ["OAUTH_ISSUER_URL"], "none": []}
SETTINGS = {name for names in REQUIRED.values() for name in names}


def readme_blocks(project: Path, section: str) -> list[str]:
    """The ```sh blocks of one `## section` of the generated README, in order."""
    readme = (project / "README.md").read_text(encoding="utf-8")
    body = readme.split(f"\n## {section}\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.*?)```", body, re.S)


def block_with(blocks: list[str], needle: str) -> str:
    found = [block for block in blocks if needle in block]
    assert len(found) == 1, (needle, blocks)
    return found[0]


def block_ending(blocks: list[str], last_line: str) -> list[str]:
    """The lines of the one block whose last line is `last_line`."""
    found = [block.splitlines() for block in blocks if block.splitlines()[-1:] == [last_line]]
    assert len(found) == 1, (last_line, blocks)
    return found[0]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def answers_of(project: Path) -> dict[str, Any]:
    return yaml.safe_load((project / ".copier-answers.yml").read_text(encoding="utf-8"))


# --- running the local commands for real ------------------------------------------------


class Shell:
    """A shell script running a server: its process group, port and log."""

    def __init__(self, cwd: Path, tmp_path: Path) -> None:
        self.cwd, self.tmp_path = cwd, tmp_path
        self.processes: list[subprocess.Popen[bytes]] = []

    def serve(self, lines: list[str], **env: str) -> tuple[int, str, Path]:
        """Run `lines` in bash, the last one a server; return its port, API key and log.

        The lines run exactly as written. Two things are added: MCP_PORT in the environment
        (a free port instead of the documented default, which another test may hold), and,
        right before the last line, a printf that tells the test the key the lines made.
        """
        *setup, command = lines
        port = free_port()
        keyfile = self.tmp_path / f"key-{port}"
        log = self.tmp_path / f"server-{port}.log"
        script = "\n".join(
            [
                "set -e",
                *setup,
                f'printf "%s\\n%s" "${{MCP_API_KEYS-}}" "${{MCP_API_KEY-}}" > {keyfile}',
                command,
            ]
        )
        variables = project_env(MCP_PORT=str(port), **env)
        for name in SETTINGS:  # the user's shell has none of them yet
            variables.pop(name, None)
        with log.open("wb") as output:
            process = subprocess.Popen(  # noqa: S603 - bash running the documented lines
                ["bash", "-c", script],
                cwd=self.cwd,
                env=variables,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # uv and the server in one group: stopped together
            )
        self.processes.append(process)
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, f"the server stopped:\n{log.read_text()}"
            assert time.monotonic() < deadline, f"no answer within 120 s:\n{log.read_text()}"
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.1)
        keys = [key for key in keyfile.read_text().splitlines() if key]
        return port, (keys[0] if keys else ""), log

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()


@pytest.fixture
def shell(tmp_path: Path) -> Iterator[Any]:
    shells: list[Shell] = []

    def make(cwd: Path) -> Shell:
        shells.append(Shell(cwd, tmp_path))
        return shells[-1]

    yield make
    for started in shells:
        started.stop()


def mcp_round_trip(port: int, path: str, key: str) -> tuple[list[str], Any]:
    """tools/list and an `add` call with the MCP SDK client, with the key as bearer token."""
    import anyio  # noqa: PLC0415
    import httpx2  # noqa: PLC0415 - the SDK's HTTP client
    from mcp import Client  # noqa: PLC0415
    from mcp.client.streamable_http import streamable_http_client  # noqa: PLC0415

    async def session() -> tuple[list[str], Any]:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        with anyio.fail_after(60):
            async with httpx2.AsyncClient(headers=headers) as http:
                url = f"http://127.0.0.1:{port}{path}"
                async with Client(streamable_http_client(url, http_client=http)) as client:
                    tools = sorted(tool.name for tool in (await client.list_tools()).tools)
                    result = await client.call_tool("add", {"a": 2, "b": 3})
                    assert not result.is_error, result
                    return tools, result.structured_content

    return anyio.run(session)


def unauthenticated_status(port: int, path: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(
            "POST",
            path,
            body=json.dumps({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}),
            headers={"Content-Type": "application/json", "Accept": "application/json"},
        )
        return connection.getresponse().status
    finally:
        connection.close()


@pytest.fixture(scope="module", params=["production", "scale"])
def synced(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A preset serving HTTP with API keys, rendered and synced as a user would."""
    folder = tmp_path_factory.mktemp(request.param)
    project = new_project(folder / f"{request.param}-server", {"preset": request.param}).path
    run(project, "uv", "sync", "-q")
    return project


@pytest.mark.slow
def test_readme_run_it_commands_serve_mcp_as_written(synced: Path, shell: Any) -> None:
    name = synced.name
    blocks = readme_blocks(synced, "Run it")

    help_block = block_with(blocks, "--help")
    assert help_block == f"uv run {name} --help\n"
    result = run(synced, "bash", "-c", help_block, timeout=120)
    assert "usage:" in result.stdout

    # Over HTTP: make and export the key, then serve; without the key the server refuses.
    http_block = block_ending(blocks, f"uv run {name} --http")
    assert any(line.startswith("export MCP_API_KEYS=") for line in http_block)
    port, key, log = shell(synced).serve(http_block)
    assert len(key) >= 32, log.read_text()
    tools, answer = mcp_round_trip(port, "/mcp", key)
    assert {"add", "echo", "search_items"} <= set(tools)
    assert answer == {"result": 5}
    assert unauthenticated_status(port, "/mcp") == 401

    # The health check block (its documented port swapped for the one in use).
    health = block_with(blocks, "/health").replace(":8000/", f":{port}/")
    if shutil.which("curl"):
        output = subprocess.run(
            ["bash", "-c", health], capture_output=True, text=True, timeout=30, check=True
        ).stdout
    else:  # a machine without curl: the same GET
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", health.split(f":{port}", 1)[1].strip())
        output = connection.getresponse().read().decode()
    assert json.loads(output)["status"] == "ok"


@pytest.mark.slow
def test_readme_workers_command_serves_mcp_as_written(synced: Path, shell: Any) -> None:
    name = synced.name
    blocks = readme_blocks(synced, "Run it")
    export = [
        line for line in block_ending(blocks, f"uv run {name} --http") if line.startswith("export ")
    ]
    workers = block_with(blocks, "WORKERS=").splitlines()
    assert workers == [f"WORKERS=4 uv run {name} --http"]
    # The user's shell after the HTTP block: the key exported, then this block.
    port, key, _log = shell(synced).serve([*export, *workers])
    for _ in range(3):
        _tools, answer = mcp_round_trip(port, "/mcp", key)
        assert answer == {"result": 5}


@pytest.mark.slow
def test_readme_stdio_command_speaks_mcp(synced: Path) -> None:
    import anyio  # noqa: PLC0415
    from mcp import Client, StdioServerParameters  # noqa: PLC0415
    from mcp.client.stdio import stdio_client  # noqa: PLC0415

    stdio = block_ending(readme_blocks(synced, "Run it"), f"uv run {synced.name}")
    assert len(stdio) == 1
    command, *args = stdio[0].split()
    parameters = StdioServerParameters(
        command=command, args=args, env=project_env(), cwd=str(synced)
    )

    async def session() -> Any:
        with anyio.fail_after(120), (synced.parent / "stdio.log").open("w") as errors:
            async with Client(stdio_client(parameters, errlog=errors), mode="legacy") as client:
                return (await client.call_tool("add", {"a": 2, "b": 3})).structured_content

    assert anyio.run(session) == {"result": 5}


@pytest.mark.slow
def test_next_steps_serve_mcp_as_written(synced: Path, shell: Any) -> None:
    name = synced.name
    steps = next_steps(synced, answers_of(synced))
    commands = [command for _what, command in steps]
    # The README's local commands are the same: those run in the tests above. `uv run
    # pytest` runs in test_generated_project.py; the container steps in the container tests.
    assert "uv run pytest" in commands
    assert f"uv run {name}" in commands
    serve = next(command for command in commands if command.endswith(f"uv run {name} --http"))
    lines = commands[: commands.index(serve) + 1]
    lines = [line for line in lines if line not in {"uv run pytest", f"uv run {name}"}]
    assert lines[0].startswith("cd ")
    port, key, log = shell(synced.parent).serve(lines)
    assert len(key) >= 32, log.read_text()
    _tools, answer = mcp_round_trip(port, "/mcp", key)
    assert answer == {"result": 5}


def with_claude(project: Path, script: str, **env: str) -> str:
    """Run `script` in bash in `project`, the real Claude Code CLI (npm) on PATH, HOME
    isolated (the test's) and its nonessential traffic off: its output."""
    variables = project_env(CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC="1", **env)
    variables["PATH"] = f"{Path(npm_tool('claude')).parent}:{variables['PATH']}"
    result = subprocess.run(  # noqa: S603 - the documented line, and the client's own CLI
        ["bash", "-c", script], cwd=project, env=variables, capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.mark.slow
def test_readme_claude_code_line_connects_with_the_key(
    synced: Path, shell: Any, tmp_path: Path
) -> None:
    """The README's `claude mcp add` line, run by the real Claude Code, writes what
    `mcpforge connect claude-code --http` writes, and Claude Code then reaches the server
    with the key from its environment (and is refused without it)."""
    name = synced.name
    serve = block_ending(readme_blocks(synced, "Run it"), f"uv run {name} --http")
    port, key, _log = shell(synced).serve(serve)
    line = block_with(readme_blocks(synced, "Connect a client"), "--transport http").strip()
    assert line.endswith(" --header 'Authorization: Bearer ${MCP_API_KEY}'")
    written, approval = synced / ".mcp.json", synced / ".claude" / "settings.local.json"
    try:
        # The line as written, on the port the server runs on (8000 may be taken).
        with_claude(synced, line.replace(":8000/", f":{port}/"))
        connect("claude-code", synced, http=True, config=tmp_path / "connect.json")
        entry = json.loads((tmp_path / "connect.json").read_text())["mcpServers"][name]
        entry["url"] = entry["url"].replace(":8000/", f":{port}/")
        assert json.loads(written.read_text()) == {"mcpServers": {name: entry}}
        # What approving the project's server at Claude Code's first start records.
        approval.parent.mkdir(exist_ok=True)
        approval.write_text(json.dumps({"enabledMcpjsonServers": [name]}))
        listed = with_claude(synced, "claude mcp list", MCP_API_KEY=key)
        assert f"{name}: http://127.0.0.1:{port}/mcp (HTTP) - ✔ Connected" in listed, listed
        refused = with_claude(synced, "claude mcp list", MCP_API_KEY="not-the-key")
        assert f"{name}: http://127.0.0.1:{port}/mcp (HTTP) - ✘ Failed" in refused, refused
    finally:
        written.unlink(missing_ok=True)
        shutil.rmtree(approval.parent, ignore_errors=True)


@pytest.mark.slow
def test_readme_claude_code_stdio_line_references_the_secrets(
    synced: Path, tmp_path: Path
) -> None:
    """The README's stdio `claude mcp add` line, run by the real Claude Code, writes what
    `mcpforge connect claude-code` writes (each secret as `${NAME:-}`, never a value), and
    Claude Code then starts the server and connects."""
    name = synced.name
    blocks = readme_blocks(synced, "Connect a client")
    line = next(
        block.strip()
        for block in blocks
        if "claude mcp add" in block and "--transport http" not in block
    ).replace(f"/path/to/{name}", str(synced))
    secret = f"{name.removesuffix('-server').upper().replace('-', '_')}_API_KEY"
    assert f" --env '{secret}=${{{secret}:-}}' " in line, line
    written, approval = synced / ".mcp.json", synced / ".claude" / "settings.local.json"
    try:
        with_claude(synced, line)
        connect("claude-code", synced, http=False, config=tmp_path / "connect.json")
        entry = json.loads((tmp_path / "connect.json").read_text())["mcpServers"][name]
        assert json.loads(written.read_text()) == {"mcpServers": {name: entry}}
        assert entry["env"] == {secret: f"${{{secret}:-}}"}
        approval.parent.mkdir(exist_ok=True)
        approval.write_text(json.dumps({"enabledMcpjsonServers": [name]}))
        listed = with_claude(synced, "claude mcp list", **{secret: "from-the-environment"})
        status = next(row for row in listed.splitlines() if row.startswith(f"{name}: "))
        assert status.endswith("✔ Connected"), listed
    finally:
        written.unlink(missing_ok=True)
        shutil.rmtree(approval.parent, ignore_errors=True)


# --- what the container ways pass (they run for real in the container tests) ------------

VARIANTS: dict[str, dict[str, Any]] = {
    "production": {"preset": "production"},
    "scale": {"preset": "scale"},
    "oauth-sqlite": {"auth": "oauth", "database": "sqlite", "secret_env_vars": "A_KEY,B_TOKEN"},
    "no-auth": {"auth": "none", "secret_env_vars": ""},
}


@pytest.mark.parametrize("variant", list(VARIANTS))
@pytest.mark.renders
def test_every_way_to_deploy_passes_each_required_variable(tmp_path: Path, variant: str) -> None:
    project = new_project(tmp_path / "deploy-server", VARIANTS[variant], git=False).path
    answers = answers_of(project)
    required = REQUIRED[answers["auth"]]
    secrets = [name.strip() for name in answers["secret_env_vars"].split(",") if name.strip()]
    assert deployment_variables(answers) == (required, required + secrets)

    example = (project / ".env.example").read_text(encoding="utf-8")
    for name in required + secrets:
        assert f"\n{name}=" in example, name

    # compose: a required variable missing from the shell and .env stops compose, naming it.
    compose = yaml.safe_load((project / "compose.yaml").read_text(encoding="utf-8"))
    environment = compose["services"]["deploy-server"]["environment"]
    for name in required:
        assert re.fullmatch(rf"\$\{{{name}:\?[^}}]*{name}[^}}]*\}}", environment[name]), name
    for name in secrets:
        assert environment[name] == f"${{{name}:-}}", name
    # Every worker and replica shares the request-state keys: compose requires them too.
    keys = environment["REQUEST_STATE_KEYS"]
    assert re.fullmatch(r"\$\{REQUEST_STATE_KEYS:\?[^}]*REQUEST_STATE_KEYS[^}]*\}", keys)

    # docker run, in the README, the Dockerfile's header and the next steps: `-e` for each.
    docker_run = block_with(readme_blocks(project, "Docker"), "docker run").strip()
    assert docker_run in (project / "Dockerfile").read_text(encoding="utf-8")
    steps = dict(next_steps(project, answers))
    for command in (docker_run, steps["run the image"]):
        flags = re.findall(r" -e (\w+)", command)
        assert flags == required + secrets, command
        # `-e NAME` takes the value from the environment: never on docker's command line.
        assert not re.search(r" -e \w+=", command), command
    # The next steps' line is the README's, the key handed over in docker's environment.
    given = "MCP_API_KEYS=$MCP_API_KEY " if answers["auth"] == "apikey" else ""
    assert steps["run the image"] == given + docker_run
    if answers.get("database", "none") != "none":
        assert " -v deploy-server-data:/data " in docker_run

    # The README's `.env` lines for compose write each required variable.
    setup = block_with(readme_blocks(project, "Compose"), ">> .env")
    for name in [*required, "REQUEST_STATE_KEYS"]:
        assert f'echo "{name}=' in setup, name
    assert 'echo "REQUEST_STATE_KEYS=' in steps["make the request-state keys"]

    if (project / "deploy/k8s").exists():
        deployment = yaml.safe_load((project / "deploy/k8s/base/deployment.yaml").read_text())
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        from_secret = {
            item["name"]: item["valueFrom"]["secretKeyRef"] for item in container.get("env", [])
        }
        # Every pod seals multi-round-trip requests with the same keys: a Secret too.
        extra = ["REQUEST_STATE_KEYS"] + (
            ["DATABASE_URL"] if answers["database"] == "postgres" else []
        )
        assert list(from_secret) == required + extra
        for name, reference in from_secret.items():
            assert reference == {"name": "deploy-server-secrets", "key": name}
        kubernetes = block_with(readme_blocks(project, "Kubernetes"), "create secret")
        for name in required + secrets + extra:
            assert f"--from-literal={name}=" in kubernetes, name


@pytest.mark.parametrize("database", ["sqlite", "postgres"])
@pytest.mark.renders
def test_the_image_keeps_its_data_in_a_volume_its_user_owns(tmp_path: Path, database: str) -> None:
    answers = {"preset": "scale"} if database == "postgres" else {"database": "sqlite"}
    project = new_project(tmp_path / "data-server", answers, git=False).path
    dockerfile = (project / "Dockerfile").read_text(encoding="utf-8")
    assert "RUN mkdir /data && chown 10001:10001 /data\nVOLUME /data\n" in dockerfile
    assert "DATABASE_URL=sqlite+aiosqlite:////data/data_server.db" in dockerfile
    assert "USER 10001:10001" in dockerfile
    compose = yaml.safe_load((project / "compose.yaml").read_text(encoding="utf-8"))
    server = compose["services"]["data-server"]
    if database == "sqlite":  # a named volume: the data outlives `compose down`
        assert server["volumes"] == ["data:/data"]
        assert "data" in compose["volumes"]
        assert server["environment"]["DATABASE_URL"] == "sqlite+aiosqlite:////data/data_server.db"
    else:  # PostgreSQL stays the scale default
        assert server["environment"]["DATABASE_URL"].startswith("postgresql+asyncpg://")
        assert "postgres-data" in compose["volumes"]
    gitignore = (project / ".gitignore").read_text(encoding="utf-8")
    assert "*.db\n" in gitignore


@pytest.mark.parametrize("preset", ["production", "scale"])
@pytest.mark.renders
def test_every_way_to_stop_waits_for_shutdown_timeout(tmp_path: Path, preset: str) -> None:
    """`docker stop`, `compose down` (servers and nginx) and Kubernetes wait longer than
    SHUTDOWN_TIMEOUT, the settings list's one value, before they kill: calls in flight
    finish (the container tests stop one for real). Docker's default is 10 s."""
    project = new_project(tmp_path / "stop-server", {"preset": preset}, git=False).path
    example = (project / ".env.example").read_text(encoding="utf-8")
    shutdown = int(re.search(r"^SHUTDOWN_TIMEOUT=(\d+)$", example, re.M)[1])  # type: ignore[index]
    grace = shutdown + 5

    docker_run = block_with(readme_blocks(project, "Docker"), "docker run").strip()
    assert f" --name stop-server --stop-timeout {grace} " in docker_run
    assert block_with(readme_blocks(project, "Docker"), "docker stop") == "docker stop stop-server\n"
    dockerfile = (project / "Dockerfile").read_text(encoding="utf-8")
    assert f"# Run:   {docker_run}\n" in dockerfile
    assert "\nSTOPSIGNAL SIGTERM\n" in dockerfile

    compose = yaml.safe_load((project / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert services["stop-server"]["stop_grace_period"] == f"{grace}s"
    down = block_with(readme_blocks(project, "Compose"), "docker compose down").strip()
    if preset == "scale":
        # nginx stops gracefully and as long, so that the answers it proxies get through.
        assert services["nginx"]["stop_signal"] == "SIGQUIT"
        assert services["nginx"]["stop_grace_period"] == f"{grace}s"
        nginx = (project / "deploy/nginx/nginx.conf").read_text(encoding="utf-8")
        assert f"\nworker_shutdown_timeout {shutdown}s;\n" in nginx
        # podman-compose's plain `down` leaves the replicas `--scale` added.
        assert down == "docker compose down --remove-orphans"
        deployment = yaml.safe_load((project / "deploy/k8s/base/deployment.yaml").read_text())
        pod = deployment["spec"]["template"]["spec"]
        assert pod["terminationGracePeriodSeconds"] > 5 + grace  # preStop sleeps 5 s first
    else:
        assert down == "docker compose down"
