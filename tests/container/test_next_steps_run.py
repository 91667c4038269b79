"""`mcpforge new`'s next steps on a real engine: the API key made by its `export` line,
then its `docker run` line as printed (docker read as podman, on a free port). The key
reaches the container through docker's environment (`MCP_API_KEYS=$MCP_API_KEY docker run
... -e MCP_API_KEYS`), never on its command line, and the server accepts it."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from typing import Any

import pytest
import yaml

from mcpforge.next_steps import next_steps
from tests.container import engine
from tests.container.fixtures import Built, as_podman
from tests.container.test_presets import free_port, get, mcp

pytestmark = [
    pytest.mark.container,
    pytest.mark.timeout(2400),
    pytest.mark.usefixtures("container_env"),
]


def test_the_next_steps_docker_run_line_runs_as_written(
    built: Callable[[str], Built],
) -> None:
    project = built("production")
    answers: dict[str, Any] = yaml.safe_load(
        (project.project / ".copier-answers.yml").read_text(encoding="utf-8")
    )
    steps = dict(next_steps(project.project, answers))
    make_key, run = steps["make an API key for clients"], steps["run the image"]
    assert run.startswith("MCP_API_KEYS=$MCP_API_KEY docker run "), run
    assert " -e MCP_API_KEYS " in run and "-e MCP_API_KEYS=" not in run, run
    port = free_port()
    log = project.project.parent / "next-steps-run.log"
    # One shell, as a user pastes the lines: the key exported, then the run line.
    script = f'{make_key}\necho "$MCP_API_KEY" > key.txt\n{as_podman(run, port)}'
    with log.open("wb") as output:
        process = subprocess.Popen(
            ["bash", "-ec", script],
            cwd=project.project.parent,
            env=dict(os.environ),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # the shell and the engine it runs: one group to stop
        )
    try:
        key_file = project.project.parent / "key.txt"
        deadline = time.monotonic() + 180
        image = engine.podman("image", "inspect", "--format", "{{.Id}}", project.image)
        container = ""
        while not container:
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            listed = engine.podman(
                "ps", "--filter", f"ancestor={image.stdout.strip()}", "--format", "{{.ID}}"
            )
            container = listed.stdout.strip().split("\n")[0]
            time.sleep(0.2)
        key = key_file.read_text(encoding="utf-8").strip()
        # The value is in the container's environment, not in the engine's command line.
        created = "{{json .Config.CreateCommand}}"
        inspected = engine.podman("inspect", "--format", created, container)
        assert key not in inspected.stdout, inspected.stdout
        engine.wait_healthy([container], timeout=180)
        status, _body = get(port, "/health")
        assert status == 200
        _tools, texts = mcp(f"http://127.0.0.1:{port}/mcp", key, [("add", {"a": 2, "b": 3})])
        assert float(texts[0]) == 5
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)
