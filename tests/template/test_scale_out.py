"""Data and scale-out in generated projects: real PostgreSQL and Redis, nginx, Kubernetes, CI.

The `scale` preset is rendered once per module (its project gets a unique name, so its
Redis keys cannot meet another run's) and synced with uv. Services are the ones of our
machines and CI: PostgreSQL on 127.0.0.1:5432 (trust, database `test`) and Redis on
127.0.0.1:6379. Each run works in its own PostgreSQL role and schema and drops both.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from mcpforge import new_project
from mcpforge.checks import files
from mcpforge.checks.validators import binary, python_tool
from tests.conftest import skip_or_fail
from tests.template.projects import PYTEST

UV_CACHE = os.environ.get("UV_CACHE_DIR") or str(Path.home() / ".cache" / "uv")
POSTGRES = ("127.0.0.1", 5432)
REDIS = ("127.0.0.1", 6379)
API_KEY = "scale-test-key-0123456789abcdef"


def reachable(address: tuple[str, int]) -> bool:
    try:
        with socket.create_connection(address, timeout=2):
            return True
    except OSError:
        return False


def run(argv: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: int = 600) -> str:
    result = subprocess.run(
        argv,
        cwd=cwd,
        env={**os.environ, "UV_CACHE_DIR": UV_CACHE, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, f"{' '.join(argv)} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def render(folder: Path, name: str, answers: dict[str, object]) -> Path:
    return new_project(folder / name, answers, git=False).path


@pytest.fixture(scope="module")
def scale(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `scale` preset, rendered with a unique name."""
    name = f"mf-{uuid.uuid4().hex[:8]}"
    return render(tmp_path_factory.mktemp("scale"), name, {"preset": "scale"})


@pytest.fixture(scope="module")
def synced(scale: Path) -> Path:
    """The `scale` project with its virtual environment."""
    run(["uv", "sync", "-q"], cwd=scale)
    return scale


def package(project: Path) -> str:
    return project.name.replace("-", "_")


def sql(project: Path, *statements: str) -> None:
    """Run statements on the `test` database as `postgres`, with the project's asyncpg."""
    script = (
        "import asyncio, sys, asyncpg\n"
        "async def main():\n"
        "    c = await asyncpg.connect(\n"
        "        host='127.0.0.1', port=5432, user='postgres', database='test'\n"
        "    )\n"
        "    try:\n"
        "        for s in sys.argv[1:]:\n"
        "            await c.execute(s)\n"
        "    finally:\n"
        "        await c.close()\n"
        "asyncio.run(main())\n"
    )
    run([str(project / ".venv/bin/python"), "-c", script, *statements], cwd=project)


@pytest.fixture
def postgres_role(synced: Path) -> Iterator[str]:
    """A role of its own, whose tables land in its own schema (search_path starts at $user)."""
    if not reachable(POSTGRES):
        skip_or_fail("PostgreSQL is not reachable on 127.0.0.1:5432")
    role = f"mcpforge_{uuid.uuid4().hex[:10]}"
    sql(synced, f"CREATE ROLE {role} LOGIN", f"CREATE SCHEMA {role} AUTHORIZATION {role}")
    try:
        yield role
    finally:
        sql(synced, f"DROP SCHEMA IF EXISTS {role} CASCADE", f"DROP ROLE IF EXISTS {role}")


@pytest.fixture
def redis_url() -> str:
    if not reachable(REDIS):
        skip_or_fail("Redis is not reachable on 127.0.0.1:6379")
    return "redis://127.0.0.1:6379/0"


def redis_keys(project: Path, pattern: str) -> list[str]:
    script = (
        "import sys, redis\n"
        "r = redis.Redis(host='127.0.0.1', port=6379)\n"
        "print('\\n'.join(k.decode() for k in r.scan_iter(sys.argv[1])))\n"
    )
    output = run([str(project / ".venv/bin/python"), "-c", script, pattern], cwd=project)
    return output.split()


# --- the generated project's own tests against the real services ----------------------


@pytest.mark.slow
@pytest.mark.services
def test_generated_data_tests_pass_against_postgresql_and_redis(
    synced: Path, postgres_role: str, redis_url: str
) -> None:
    output = run(
        [
            "uv",
            "run",
            *PYTEST,
            "-rs",
            "tests/test_notes.py",
            "tests/test_lookup.py",
            # Change notifications between two server processes through Redis.
            "tests/test_scale.py::test_change_notifications_reach_listeners_on_every_replica_through_redis",
            "tests/test_scale.py::test_a_change_on_one_server_process_reaches_a_client_listening_on_another",
        ],
        cwd=synced,
        env={
            "TEST_DATABASE_URL": f"postgresql+asyncpg://{postgres_role}@127.0.0.1:5432/test",
            "TEST_REDIS_URL": redis_url,
        },
    )
    assert " passed" in output
    assert "skipped" not in output, output  # the Redis tests ran too
    # Nothing left behind: the tests drop their table and delete their keys.
    assert redis_keys(synced, f"{synced.name}:*") == []


# --- readiness against real and unreachable services ----------------------------------


class Server:
    def __init__(self, process: subprocess.Popen[bytes], port: int, log: Path) -> None:
        self.process, self.port, self.log = process, port, log

    def request(
        self, method: str, path: str, body: dict[str, Any] | None = None
    ) -> tuple[int, dict[str, Any]]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {
            "Authorization": f"Bearer {API_KEY}",
            "Content-Type": "application/json",
            "Accept": "application/json, text/event-stream",
        }
        try:
            connection.request(
                method, path, body=json.dumps(body) if body else None, headers=headers
            )
            response = connection.getresponse()
            return response.status, json.loads(response.read() or b"{}")
        finally:
            connection.close()


@pytest.fixture
def serve(synced: Path, tmp_path: Path) -> Iterator[Any]:
    """Start the generated server over HTTP in a subprocess with extra environment."""
    started: list[Server] = []

    def start(**env: str) -> Server:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        log = tmp_path / f"server-{port}.log"
        variables = {
            **os.environ,
            "MCP_TRANSPORT": "http",
            "MCP_PORT": str(port),
            "MCP_API_KEYS": API_KEY,
            "READINESS_TIMEOUT": "3",
            "DATABASE_CONNECT_TIMEOUT": "2",
            **env,
        }
        with log.open("wb") as output:
            process = subprocess.Popen(  # the generated project's own entry point
                [str(synced / ".venv/bin/python"), "-m", package(synced)],
                cwd=tmp_path,
                env=variables,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        server = Server(process, port, log)
        started.append(server)
        deadline = time.monotonic() + 30
        while not reachable(("127.0.0.1", port)):
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.05)
        return server

    yield start
    for server in started:
        server.process.terminate()
        try:
            server.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.process.kill()


@pytest.mark.slow
@pytest.mark.services
def test_readiness_reports_each_dependency_and_503_while_one_is_down(
    serve: Any, postgres_role: str, redis_url: str
) -> None:
    database = f"postgresql+asyncpg://{postgres_role}@127.0.0.1:5432/test"
    closed = "127.0.0.1:1"  # nothing listens on port 1

    up = serve(DATABASE_URL=database, REDIS_URL=redis_url)
    status, ready = up.request("GET", "/ready")
    assert status == 200, ready
    assert {name: check["status"] for name, check in ready["checks"].items()} == {
        "database": "up",
        "redis": "up",
        "rate_limit": "up",  # the rate-limit store answered every request so far
    }
    # The PostgreSQL path end to end over HTTP: a note written by the server's tool.
    call = {"jsonrpc": "2.0", "id": 1, "method": "tools/call"}
    status, answer = up.request(
        "POST", "/mcp", {**call, "params": {"name": "add_note", "arguments": {"text": "hi"}}}
    )
    assert status == 200, answer
    assert answer["result"]["structuredContent"]["text"] == "hi"

    database_down = serve(
        DATABASE_URL=f"postgresql+asyncpg://nobody@{closed}/test", REDIS_URL=redis_url
    )
    status, ready = database_down.request("GET", "/ready")
    assert status == 503, ready
    assert ready["checks"]["database"]["status"] == "down"
    assert ready["checks"]["database"]["reason"] == (
        f"connection refused by {closed}: is the database running and listening there?"
    )
    assert ready["checks"]["redis"]["status"] == "up"
    assert "nobody" not in json.dumps(ready)  # no connection string in the answer

    # A database the real server does not have: /ready, the tool's error and the log say so,
    # never with the password.
    missing = f"postgresql+asyncpg://{postgres_role}:S3KRIT-pw@127.0.0.1:5432/no_such_database"
    no_database = serve(DATABASE_URL=missing, REDIS_URL=redis_url)
    reason = 'database "no_such_database" does not exist on 127.0.0.1:5432'
    status, ready = no_database.request("GET", "/ready")
    assert status == 503, ready
    assert ready["checks"]["database"]["reason"] == reason
    status, answer = no_database.request(
        "POST", "/mcp", {**call, "params": {"name": "add_note", "arguments": {"text": "hi"}}}
    )
    assert answer["result"]["isError"] is True, answer
    assert answer["result"]["content"][0]["text"] == f"Error executing tool add_note: {reason}"
    log = no_database.log.read_text(encoding="utf-8")
    assert reason.replace('"', '\\"') in log
    assert "S3KRIT" not in log

    redis_down = serve(DATABASE_URL=database, REDIS_URL=f"redis://{closed}/0")
    status, ready = redis_down.request("GET", "/ready")
    assert status == 503, ready
    assert ready["checks"]["redis"]["status"] == "down"
    assert ready["checks"]["database"]["status"] == "up"


# --- nginx, Kubernetes, compose, CI -----------------------------------------------------


def test_nginx_conf_passes_nginx_t(scale: Path, tmp_path: Path) -> None:
    nginx = binary("nginx")
    if nginx is None:
        skip_or_fail("nginx is not installed (Debian: apt-get install nginx-light)")
        return
    text = (scale / "deploy/nginx/nginx.conf").read_text(encoding="utf-8")
    assert "least_conn;" in text
    assert "proxy_buffering off;" in text
    assert "proxy_read_timeout 3600s;" in text
    assert "location = /health" in text
    assert "# server {" in text and "listen 443 ssl;" in text  # the documented TLS block
    # `nginx -t` resolves upstream hosts, and the compose service name only resolves inside
    # compose: the copy under test points it at 127.0.0.1 (nothing else changes).
    testable = files.nginx_testable(text)
    assert f"server {scale.name}:8000" in text
    assert "server 127.0.0.1:8000" in testable
    (tmp_path / "logs").mkdir()
    (tmp_path / "nginx.conf").write_text(testable, encoding="utf-8")
    result = subprocess.run(
        [
            nginx,
            "-t",
            "-p",
            f"{tmp_path}/",
            "-c",
            str(tmp_path / "nginx.conf"),
            "-g",
            f"pid {tmp_path}/nginx.pid; error_log stderr;",
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


@pytest.mark.slow
def test_forged_x_forwarded_for_through_real_nginx_hits_the_rate_limit(synced: Path) -> None:
    """The generated suite's own test, run through a real nginx (skipped there without one)."""
    if binary("nginx") is None:
        skip_or_fail("nginx is not installed (Debian: apt-get install nginx-light)")
        return
    text = (synced / "deploy/nginx/nginx.conf").read_text(encoding="utf-8")
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in text
    assert "X-Forwarded-For $proxy_add_x_forwarded_for" not in text
    compose = yaml.safe_load((synced / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    nginx_address = services["nginx"]["networks"]["default"]["ipv4_address"]
    assert services[synced.name]["environment"]["FORWARDED_ALLOW_IPS"] == nginx_address
    output = run(["uv", "run", *PYTEST, "-rs", "tests/test_scale.py", "-k", "forged"], cwd=synced)
    assert "1 passed" in output
    assert "skipped" not in output, output


def manifests(project: Path) -> list[Path]:
    return sorted(
        path
        for path in (project / "deploy/k8s").rglob("*.yaml")
        if path.name != "kustomization.yaml"
    )


def test_kubernetes_manifests_validate_strictly(scale: Path, tmp_path: Path) -> None:
    validate = python_tool("kubernetes_validate")
    if validate is None:
        skip_or_fail("kubernetes-validate is not installed (pip install 'mcpforge[check]')")
        return
    targets = [str(path) for path in manifests(scale)]
    kubectl = shutil.which("kubectl")
    if kubectl:  # the overlays as kubectl would apply them
        for overlay in ("dev", "prod"):
            rendered = subprocess.run(
                [kubectl, "kustomize", str(scale / "deploy/k8s/overlays" / overlay)],
                capture_output=True,
                text=True,
                timeout=60,
                check=True,
            ).stdout
            (tmp_path / f"{overlay}.yaml").write_text(rendered, encoding="utf-8")
            targets.append(str(tmp_path / f"{overlay}.yaml"))
    else:  # at least every file a kustomization names exists
        for kustomization in (scale / "deploy/k8s").rglob("kustomization.yaml"):
            for resource in yaml.safe_load(kustomization.read_text())["resources"]:
                assert (kustomization.parent / resource).exists(), (kustomization, resource)
    result = subprocess.run(
        [*validate, "--strict", *targets], capture_output=True, text=True, timeout=120, check=False
    )
    output = result.stdout + result.stderr
    # An unknown apiVersion is only a WARN with exit 0: refuse those too.
    assert result.returncode == 0 and "WARN" not in output and "ERROR" not in output, output
    assert output.count("passed") >= len(manifests(scale))


def test_the_deployment_is_locked_down_and_reads_a_secret_it_does_not_hold(scale: Path) -> None:
    base = scale / "deploy/k8s/base"
    deployment = yaml.safe_load((base / "deployment.yaml").read_text())
    pod = deployment["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert container["livenessProbe"]["httpGet"]["path"] == "/health"
    assert container["readinessProbe"]["httpGet"]["path"] == "/ready"
    assert set(container["resources"]) == {"requests", "limits"}
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert container["securityContext"] == {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "runAsNonRoot": True,
        "capabilities": {"drop": ["ALL"]},
    }
    assert {"name": "tmp", "mountPath": "/tmp"} in container["volumeMounts"]
    assert {"name": "tmp", "emptyDir": {"sizeLimit": "64Mi"}} in pod["volumes"]
    assert {"secretRef": {"name": f"{scale.name}-secrets"}} in container["envFrom"]
    kinds = {yaml.safe_load(path.read_text())["kind"] for path in manifests(scale)}
    assert kinds == {
        "ConfigMap",
        "Deployment",
        "Service",
        "HorizontalPodAutoscaler",
        "PodDisruptionBudget",
        "NetworkPolicy",
        "Ingress",
        "Namespace",
    }  # and no Secret: its values never live in the repository
    assert yaml.safe_load((base / "hpa.yaml").read_text())["apiVersion"] == "autoscaling/v2"


def test_compose_runs_replicas_behind_nginx_with_postgresql_and_redis(scale: Path) -> None:
    compose = yaml.safe_load((scale / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {scale.name, "postgres", "redis", "nginx"}
    server = services[scale.name]
    assert server["deploy"]["replicas"] >= 2
    assert "ports" not in server  # only nginx publishes
    assert server["environment"]["REDIS_URL"] == "redis://redis:6379/0"
    assert server["environment"]["DATABASE_URL"].startswith("postgresql+asyncpg://")
    assert server["depends_on"] == {
        "postgres": {"condition": "service_healthy"},
        "redis": {"condition": "service_healthy"},
    }
    for name in ("postgres", "redis", "nginx"):
        assert "healthcheck" in services[name], name
    assert "postgres-data:/var/lib/postgresql/data" in services["postgres"]["volumes"]
    assert "postgres-data" in compose["volumes"]
    mount = services["nginx"]["volumes"][0].split(":")[0]
    assert (scale / mount).is_file()


def test_github_ci_tests_on_postgresql_and_deploys_after_approval(scale: Path) -> None:
    workflow = yaml.safe_load((scale / ".github/workflows/ci.yml").read_text())
    test = workflow["jobs"]["test"]
    assert set(test["services"]) == {"postgres", "redis"}
    steps = " ".join(step.get("run", "") for step in test["steps"])
    assert "pytest tests/test_notes.py" in steps
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "image"
    assert deploy["environment"]["name"] == "production"
    commands = "\n".join(step.get("run", "") for step in deploy["steps"])
    assert "kustomize edit set image" in commands and "${GITHUB_SHA}" in commands
    assert "kubectl apply -k deploy/k8s/overlays/prod" in commands
    assert f"kubectl rollout status deployment/{scale.name}" in commands


@pytest.mark.renders
def test_gitlab_ci_deploys_by_hand(tmp_path: Path) -> None:
    project = render(tmp_path, "gl-server", {"preset": "scale", "ci": "gitlab"})
    pipeline = yaml.safe_load((project / ".gitlab-ci.yml").read_text())
    assert "deploy" in pipeline["stages"]
    assert pipeline["deploy"]["rules"][0]["when"] == "manual"
    assert pipeline["deploy"]["environment"]["name"] == "production"
    assert {service["alias"] for service in pipeline["test"]["services"]} == {"postgres", "redis"}


# --- only what was chosen, imported only when used -------------------------------------

MINE = {"db.py", "cache.py", "upstream.py"}


@pytest.mark.parametrize(
    ("answers", "modules", "deploy"),
    [
        ({}, {"cache.py", "upstream.py"}, set()),
        ({"preset": "minimal"}, set(), set()),
        ({"database": "sqlite", "cache": False}, {"db.py"}, set()),
        ({"preset": "scale"}, MINE, {"nginx", "k8s"}),
        ({"preset": "scale", "kubernetes": False}, MINE, {"nginx"}),
        ({"preset": "scale", "load_balancer": False}, MINE, {"k8s"}),
    ],
)
@pytest.mark.renders
def test_data_and_scale_out_files_render_only_when_chosen(
    tmp_path: Path, answers: dict[str, object], modules: set[str], deploy: set[str]
) -> None:
    project = render(tmp_path, "demo-server", answers)
    source = {path.name for path in (project / "src/demo_server").iterdir()}
    assert source & MINE == modules
    found = {path.name for path in (project / "deploy").iterdir()} if deploy else set()
    assert found == deploy
    assert (project / "deploy").exists() == bool(deploy)
    dependencies = (project / "pyproject.toml").read_text()
    assert ("sqlalchemy" in dependencies) == ("db.py" in modules)
    assert ("asyncpg" in dependencies) == (answers.get("preset") == "scale")


@pytest.mark.slow
def test_optional_modules_stay_unimported_at_start_up(synced: Path) -> None:
    """What stdio start-up loads: no SQLAlchemy, httpx or redis until a tool needs them."""
    probe = (
        f"import sys, {package(synced)}.cli\n"
        "print(' '.join(m for m in ('sqlalchemy', 'httpx', 'redis', 'asyncpg', 'aiosqlite')"
        " if m in sys.modules))\n"
    )
    output = run([str(synced / ".venv/bin/python"), "-c", probe], cwd=synced)
    assert output.strip() == ""


def test_scale_preset_settings_reach_env_example_and_readme(scale: Path) -> None:
    example = (scale / ".env.example").read_text()
    readme = (scale / "README.md").read_text()
    for name in (
        "WORKERS",
        "SHUTDOWN_TIMEOUT",
        "DATABASE_URL",
        "DATABASE_POOL_SIZE",
        "DATABASE_POOL_PRE_PING",
        "REDIS_URL",
        "CACHE_TTL",
        "UPSTREAM_URL",
    ):
        assert f"\n{name}=" in example, name
        assert f"| `{name}` |" in readme, name
    for heading in ("## Data", "## Compose", "## Kubernetes"):
        assert heading in readme
