"""`mcpforge check --conformance`: the official MCP conformance suite (npm
@modelcontextprotocol/conformance, on Node.js 22 from npm) against generated servers over
loopback, through the proxy that adds their API key. Passes on the production and scale
presets (but for the scenario of a capability they do not declare); fails, with the
scenario's check ID, on a server whose ping or Host check is broken; is never passed
where Node.js or the suite is missing."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from mcpforge import new_project
from mcpforge.checks import Report, Status, check_project, registry
from mcpforge.checks.conformance import INSTALL, SCENARIOS, SUITE
from mcpforge.checks.runner import plan
from tests.conftest import REPO_ROOT, conformance_bin

from .conftest import failed_ids, replace_in, result_of

IDS = sorted(check_id for check_id, _, _ in SCENARIOS.values())


@pytest.fixture
def suite_on_path(monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = conformance_bin()
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    return folder


def _conformance(report: Report) -> dict[str, tuple[Status, str]]:
    return {
        result.check.id: (result.status, result.message)
        for result in report.results
        if result.check.family == "conformance"
    }


def test_the_flag_adds_the_family_to_the_tier() -> None:
    default = plan()
    assert not {item.id for item in default.chosen} & set(IDS)
    assert all(default.reasons[check_id].endswith("run with --conformance") for check_id in IDS)
    chosen = {item.id for item in plan(conformance=True).chosen}
    assert set(IDS) <= chosen
    assert "MF503" in chosen  # the default tier is still there
    assert {registry()[check_id].family for check_id in IDS} == {"conformance"}


@pytest.mark.slow
@pytest.mark.parametrize("preset", ["production", "scale"])
def test_passes_on_the_preset(tmp_path: Path, preset: str, suite_on_path: Path) -> None:
    project = new_project(tmp_path / f"{preset}-server", {"preset": preset}, git=False).path
    results = _conformance(check_project(project, only=["conformance"]))
    assert set(results) == set(IDS)
    # The generated servers send clients no log messages: they declare no logging
    # capability, and logging/setLevel is not theirs to answer.
    assert results.pop("MF807") == (
        Status.SKIPPED,
        "the server declares no `logging` capability: the scenario applies to servers that do",
    )
    assert all(status is Status.PASSED for status, _ in results.values()), results


@pytest.mark.slow
def test_a_broken_ping_fails_its_scenario(project: Path, suite_on_path: Path) -> None:
    # A server middleware answering ping with something other than the empty result.
    replace_in(
        "src/demo_server/plumbing.py",
        "def new_server(",
        "async def broken_ping(ctx: Any, call_next: Any) -> Any:  # noqa: ANN401\n"
        '    if ctx.method == "ping":\n        return {"pong": True}\n'
        "    return await call_next(ctx)\n\n\ndef new_server(",
    )(project)
    replace_in(
        "src/demo_server/plumbing.py",
        "middleware=[hide_unauthorized_tools]",
        "middleware=[broken_ping, hide_unauthorized_tools]",
    )(project)
    report = check_project(project, only=["conformance"])
    assert failed_ids(report) == {"MF802"}, _conformance(report)
    _, message, hint = result_of(report, "MF802")
    assert message.startswith("ping: "), message
    assert "pong" in message
    assert hint == registry()["MF802"].hint


@pytest.mark.slow
def test_a_broken_host_check_fails_its_scenario(project: Path, suite_on_path: Path) -> None:
    # A Host check that lets a foreign name through (the SDK's and the app's both read
    # the allowed hosts; the host's own origins are allowed with it).
    replace_in(
        "src/demo_server/config.py",
        'DEFAULT_ALLOWED_HOSTS = (\n    "localhost",',
        'DEFAULT_ALLOWED_HOSTS = (\n    "evil.example.com",\n    "localhost",',
    )(project)
    report = check_project(project, only=["conformance"])
    assert failed_ids(report) == {"MF808"}, _conformance(report)
    _, message, _ = result_of(report, "MF808")
    assert message == (
        "localhost-host-rebinding-rejected: Expected HTTP 4xx for invalid Host/Origin "
        "headers, got 200"
    )


def test_without_node_nothing_is_passed(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(Path(sys.executable).parent))
    results = _conformance(check_project(project, only=["conformance"]))
    assert set(results) == set(IDS)
    report = check_project(project, only=["conformance"])
    for result in report.results:
        if result.check.family == "conformance":
            assert result.status is Status.NOT_VERIFIED, result.check.id
            assert result.install == INSTALL, result.install


def test_an_old_node_is_named(
    project: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The suite imports what Node.js 20 lacks: an older Node is reported, not run."""
    (tmp_path / "node").write_text("#!/bin/sh\necho v20.20.2\n", encoding="utf-8")
    (tmp_path / "node").chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{Path(sys.executable).parent}")
    status, message, _ = result_of(check_project(project, only=["MF801"]), "MF801")
    assert status is Status.NOT_VERIFIED
    assert message == (
        "Node.js >= 22 (for the conformance suite) is not installed: found Node.js 20"
    )


@pytest.mark.slow
def test_the_readme_commands_run_as_written(generated: Path, tmp_path: Path) -> None:
    """README.md's install command (npm's global prefix pointed into tmp_path) and its
    `mcpforge check --conformance` line, as written, in a fresh production project."""
    import re
    import shlex
    import shutil
    import subprocess

    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    install = re.search(r"`(npm install -g @modelcontextprotocol/conformance@[\d.]+)`", readme)
    documented = re.search(r"^(mcpforge check --conformance)\s+#", readme, re.M)
    assert install and documented
    assert install[1].endswith(SUITE.rsplit("@", 1)[1])
    node_bin = tmp_path / "node-bin"  # a Node.js 22 only: the suite comes from the install
    node_bin.mkdir()
    (node_bin / "node").symlink_to(conformance_bin() / "node")
    prefix = tmp_path / "npm-global"
    env = {**os.environ, "NPM_CONFIG_PREFIX": str(prefix)}
    env["PATH"] = os.pathsep.join([str(prefix / "bin"), str(node_bin), env["PATH"]])
    done = subprocess.run(shlex.split(install[1]), env=env, capture_output=True, text=True,
                          timeout=600, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert (prefix / "bin" / "conformance").exists()
    project = Path(shutil.copytree(generated, tmp_path / generated.name, symlinks=True))
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env["PATH"]])
    done = subprocess.run(shlex.split(documented[1]), cwd=project, env=env, capture_output=True,
                          text=True, timeout=1500, check=False)  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    for check_id in IDS:
        assert re.search(rf"{check_id}\s+(passed|skipped)", done.stdout), check_id
    assert re.search(r"MF808\s+passed", done.stdout)
