"""Fixtures for the real-engine tests: the engine, generated projects and their images.

A pytest plugin (tests/conftest.py loads it) so that tests/container and tests/checks share
one engine and one build per preset. Each preset is rendered, given its stand-in base
images and built once per session; the tests then run what its README says, as written
(`docker` read as `podman`, `docker compose` as `podman-compose`, the published host port
moved to a free one).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, run_bash, skip_or_fail
from tests.container import engine

# Read at import, before the isolation fixture points HOME elsewhere.
UV_CACHE = str(engine.uv_cache())

# How the README tells a user to free the disk; the engine fixture runs it last.
PRUNE = "uv run python tests/container/engine.py prune"

PRESETS = {"production": "prod-server", "scale": "scale-server"}

# Added to the generated server before the build: a call that stays in flight long enough
# to SIGTERM the container under it, and one that names the replica that answered.
EXTRA_TOOLS = '''

@mcp.tool()
async def slow(seconds: float = 3.0) -> str:
    """Sleep, then answer (mcpforge's container tests: a call in flight at SIGTERM)."""
    import asyncio  # noqa: PLC0415

    await asyncio.sleep(seconds)
    return f"slept {seconds}"


@mcp.tool()
async def whoami() -> str:
    """The host name of the replica that answered (mcpforge's container tests)."""
    import socket  # noqa: PLC0415

    return socket.gethostname()
'''


@pytest.fixture
def container_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The test talks to our engine (podman, podman-compose, mcpforge) with the warm uv cache."""
    monkeypatch.setenv("UV_CACHE_DIR", UV_CACHE)
    for key, value in engine.configure().items():
        monkeypatch.setenv(key, value)


@pytest.fixture(scope="session")
def container_engine() -> Iterator[dict[str, str]]:
    """The engine, answering, with nothing left from an earlier run; pruned (all but the
    stand-ins) when the session ends."""
    reason = engine.unavailable()
    if reason is not None:
        skip_or_fail(f"no container engine: {reason}")
    if (
        shutil.which("podman-compose") is None
        and not (Path(sys.executable).parent / "podman-compose").exists()
    ):
        skip_or_fail("podman-compose is not installed (it is in the dev dependency group)")
    environment = engine.configure()
    engine.remove_leftovers()
    yield environment
    if os.environ.get("MCPFORGE_KEEP_CONTAINERS") != "1":
        # The README's by-hand line, as written (tests/container/test_engine_commands.py
        # pins it): it must leave the stand-ins and exit 0.
        result = run_bash(PRUNE, REPO_ROOT, timeout=1800)
        assert result.returncode == 0, f"`{PRUNE}` exited {result.returncode}: {result.stderr}"


@dataclass
class Built:
    """A rendered project whose image was built by its README's `docker build` line."""

    preset: str
    project: Path
    image: str
    build_seconds: float
    size_above_base: int
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def package(self) -> str:
        return self.project.name.replace("-", "_")


def section(project: Path, heading: str) -> str:
    """The text of one `## heading` section of the generated README."""
    text = (project / "README.md").read_text(encoding="utf-8")
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, f"the generated README has no '## {heading}' section"
    return match.group(1)


def shell_lines(text: str) -> list[str]:
    """The commands of the ```sh blocks in `text`, continuation lines joined."""
    lines: list[str] = []
    for block in re.findall(r"^```(?:sh|bash|console)\n(.*?)^```", text, re.M | re.S):
        joined = re.sub(r"\\\n\s*", " ", block)
        for line in joined.splitlines():
            command = line.split(" #", 1)[0].strip() if not line.lstrip().startswith("#") else ""
            if command:
                lines.append(command)
    return lines


def inline_commands(text: str) -> list[str]:
    """Commands the prose gives in backticks that prepare the shell or .env (echo/export)."""
    return [code for code in re.findall(r"`([^`\n]+)`", text) if re.match(r"(echo|export) ", code)]


def as_podman(command: str, port: int | None = None) -> str:
    """`docker` as `podman`, `docker compose` as `podman-compose`; 127.0.0.1:8000 -> port."""
    # After any `NAME=value ` the line starts with (the environment docker runs in).
    command = re.sub(r"^((?:\w+=\S* )*)docker compose\b", r"\1podman-compose", command)
    command = re.sub(r"^((?:\w+=\S* )*)docker\b", r"\1podman", command)
    if port is not None:
        command = re.sub(r"127\.0\.0\.1:8000\b", f"127.0.0.1:{port}", command)
    return command


def shell(
    command: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 1800
) -> subprocess.CompletedProcess[str]:
    """Run one README line with bash, as a user's shell would; it must succeed."""
    result = subprocess.run(
        ["bash", "-c", command],
        cwd=cwd,
        env=env or dict(os.environ),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, (
        f"`{command}` exited {result.returncode}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    )
    return result


def prepared(commands: list[str], cwd: Path, env: dict[str, str]) -> dict[str, str]:
    """The shell environment after running the README's preparing commands (export, echo)."""
    if not commands:
        return dict(env)
    result = subprocess.run(
        ["bash", "-c", "set -e\n" + "\n".join(commands) + "\nenv -0"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"{commands} exited {result.returncode}: {result.stderr}"
    return dict(item.split("=", 1) for item in result.stdout.split("\0") if "=" in item)


def image_size(reference: str) -> int:
    result = engine.podman("image", "inspect", "--format", "{{.Size}}", reference)
    return int(result.stdout.strip())


def _render(preset: str, folder: Path, *, test_tools: bool) -> Path:
    project = folder / PRESETS[preset]
    subprocess.run(
        [
            sys.executable,
            "-m",
            "mcpforge",
            "new",
            str(project),
            "--preset",
            preset,
            "--defaults",
            "--no-git",
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    engine.fill_uv_cache(project, Path(UV_CACHE))
    # The image's bases now; the compose services' (a debootstrap of their own on a fresh
    # machine) in the background, while images build: the compose tests wait for them.
    engine.prepare_services(project)
    engine.ensure_standins(project, frozenset({"python", "uv"}))
    if not test_tools:
        return project
    server = project / "src" / project.name.replace("-", "_") / "server.py"
    source = server.read_text(encoding="utf-8")
    anchor = "\n\n@mcp.tool()\nasync def echo("
    assert anchor in source, "the generated server.py no longer defines the echo tool"
    server.write_text(source.replace(anchor, EXTRA_TOOLS + anchor, 1), encoding="utf-8")
    return project


def _build(project: Path, preset: str) -> Built:
    standins = [engine.canonical(item.reference) for item in engine.images_named(project)]
    build = [
        line for line in shell_lines(section(project, "Docker")) if line.startswith("docker build")
    ]
    assert len(build) == 1, (
        f"expected one `docker build` line in the README's Docker section: {build}"
    )
    image = build[0].split("-t", 1)[1].split()[0]
    started = time.monotonic()
    shell(as_podman(build[0]), project, dict(os.environ))
    seconds = time.monotonic() - started
    base = next(name for name in standins if "/python:" in name)
    built = Built(preset, project, image, seconds, image_size(image) - image_size(base))
    print(  # noqa: T201 - figures for the closing note (pytest -s)
        f"\n[container] {preset}: build {seconds:.0f} s, "
        f"{built.size_above_base / 1e6:.0f} MB above {base}",
        file=sys.stderr,
    )
    return built


@pytest.fixture(scope="session")
def generated_for_engine(
    container_engine: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Callable[..., Path]:
    """`generated_for_engine(preset, test_tools=False)`: rendered by `mcpforge new`, once.

    The uv cache holds its dependencies and its base images have stand-ins. With
    `test_tools`, the server also has the `slow` and `whoami` tools (EXTRA_TOOLS).
    """
    del container_engine
    cache: dict[tuple[str, bool], Path] = {}

    def get(preset: str, *, test_tools: bool = False) -> Path:
        if (preset, test_tools) not in cache:
            folder = tmp_path_factory.mktemp(f"{preset}-{'tools' if test_tools else 'pristine'}")
            cache[preset, test_tools] = _render(preset, folder, test_tools=test_tools)
        return cache[preset, test_tools]

    return get


@pytest.fixture(scope="session")
def built(generated_for_engine: Callable[..., Path]) -> Callable[[str], Built]:
    """`built(preset)`: the preset with the test tools, built by its README's line, once."""
    cache: dict[str, Built] = {}

    def get(preset: str) -> Built:
        if preset not in cache:
            cache[preset] = _build(generated_for_engine(preset, test_tools=True), preset)
        return cache[preset]

    return get
