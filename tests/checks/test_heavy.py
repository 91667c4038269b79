"""Build, tests, runtime, drift and container checks, run for real on generated servers."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from mcpforge import new_project
from mcpforge.checks import Report, Status, check_project, registry, runtime, testsuite
from mcpforge.checks import build as build_checks

from .conftest import Edit, failed_ids, on_the_matrix_run, replace_in, result_of

SERVER = "src/demo_server/server.py"
APP = "src/demo_server/app.py"
CLI = "src/demo_server/cli.py"
MIDDLEWARE = "src/demo_server/middleware.py"


def both(*edits: Edit) -> Edit:
    def edit(root: Path) -> None:
        for one in edits:
            one(root)

    return edit


# A failing test with captured logs and output: MF401's message must show the assertion.
BROKEN_TEST = (
    "import logging\n\n\ndef test_broken() -> None:\n"
    '    logging.getLogger("noisy").warning("captured log line " * 20)\n'
    '    print("captured output")\n'
    '    assert 1 == 2, "the numbers differ"\n'
)

BREAKS: dict[str, Edit] = {
    "MF301": lambda root: (root / "README.md").unlink(),  # hatchling needs the readme
    "MF302": replace_in(
        "pyproject.toml", '"demo_server.__main__:main"', '"demo_server.__main__:nomain"'
    ),
    "MF401": lambda root: (root / "tests" / "test_broken.py").write_text(
        BROKEN_TEST, encoding="utf-8"
    ),
    # A type error in a module of the package: its tests still pass.
    "MF402": lambda root: (root / "src" / "demo_server" / "typo.py").write_text(
        'COUNT: int = "one"\n', encoding="utf-8"
    ),
    "MF501": replace_in(CLI, 'mcp.run("stdio")', "raise SystemExit(3)"),
    "MF502": replace_in(APP, 'app.add_route("/health",', 'app.add_route("/healthz",'),
    # Broken over HTTP only: over stdio (MF501) the same tool keeps working.
    "MF503": replace_in(
        SERVER,
        "    return text\n",
        '    if get_settings().mcp_transport == "http":\n        raise ToolError("broken")\n'
        "    return text\n",
    ),
    # Both guards off: the SDK's DNS-rebinding protection and the server's own early check.
    "MF504": both(
        replace_in(
            MIDDLEWARE,
            "enable_dns_rebinding_protection=True",
            "enable_dns_rebinding_protection=False",
        ),
        replace_in(MIDDLEWARE, "if not self.host_allowed(host):", "if False:"),
    ),
}
# Auth, /metrics and /ready are checked by the default-tier test once the template has
# them; a break of one of these four must not depend on them.
RUNTIME = ["MF501", "MF502", "MF503", "MF504"]


@on_the_matrix_run
@pytest.mark.parametrize(
    "check_id",
    ["MF301", "MF302", "MF401", "MF402", "MF501", "MF502", "MF503", "MF504", "MF601"],
)
def test_passes_on_a_fresh_project(pristine_report: Report, check_id: str) -> None:
    status, message, _ = result_of(pristine_report, check_id)
    assert status is Status.PASSED, message


@on_the_matrix_run
def test_fresh_project_passes_the_default_tier(pristine_report: Report) -> None:
    failures = [
        (r.check.id, r.message) for r in pristine_report.results if r.status is Status.FAILED
    ]
    assert pristine_report.ok, failures
    assert re.match(r"initialize ok; \d+ tools; called \w+", result_of(pristine_report, "MF501")[1])
    assert result_of(pristine_report, "MF701")[1] == "not in the default tier: run with --container"


@pytest.fixture(scope="module")
def broken(generated: Path, tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Report]:
    """`broken(check_id)`: the report of that check (all four for a runtime one) on a copy
    of the project with BREAKS[check_id], made once a module (MF401's failing suite serves
    two tests)."""
    reports: dict[str, Report] = {}

    def get(check_id: str) -> Report:
        if check_id not in reports:
            copy = tmp_path_factory.mktemp(check_id) / generated.name
            shutil.copytree(generated, copy, symlinks=True)
            BREAKS[check_id](copy)
            family = registry()[check_id].family
            selected = RUNTIME if family == "runtime" else [check_id]
            reports[check_id] = check_project(copy, only=selected)
        return reports[check_id]

    return get


@pytest.mark.slow
@pytest.mark.parametrize("check_id", sorted(BREAKS))
def test_catches_its_break(broken: Callable[[str], Report], check_id: str) -> None:
    report = broken(check_id)
    assert failed_ids(report) == {check_id}, [
        (r.check.id, r.message) for r in report.results if r.status is Status.FAILED
    ]
    assert result_of(report, check_id)[2] == registry()[check_id].hint


@pytest.mark.renders
def test_features_off_are_skipped(tmp_path: Path) -> None:
    answers = {"auth": "none", "metrics": False, "transport": "http"}
    plain = new_project(tmp_path / "plain", answers).path
    report = check_project(plain, only=["MF505", "MF506"])
    for check_id, reason in {
        "MF505": "auth is off in this project",
        "MF506": "metrics are off in this project",
    }.items():
        assert result_of(report, check_id)[:2] == (Status.SKIPPED, reason)


def test_features_come_from_the_answers(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    answers = {"transport": "http", "auth": "api_key", "metrics": True, "redis": True}
    found = runtime.features(tmp_path, answers)
    assert (found.stdio, found.http, found.auth, found.metrics, found.ready) == (
        False, True, "api_key", True, False,
    )  # fmt: skip
    assert found.services
    assert runtime._tool_arguments(
        {"required": ["q", "n", "mode"], "properties": {
            "q": {"type": "string"}, "n": {"type": "integer", "minimum": 5},
            "mode": {"enum": ["fast", "slow"]}}}
    ) == {"q": "mcpforge", "n": 5, "mode": "fast"}  # fmt: skip


@pytest.mark.renders
def test_http_only_server_skips_stdio(tmp_path: Path) -> None:
    project = new_project(tmp_path / "web-only", {"transport": "http"}).path
    report = check_project(project, only=["MF501", "MF502", "MF503"])
    assert result_of(report, "MF501")[:2] == (
        Status.SKIPPED, "the server speaks HTTP only (transport: http)"
    )  # fmt: skip
    assert report.ok


@pytest.mark.renders
def test_stdio_only_server_skips_http(tmp_path: Path) -> None:
    project = new_project(tmp_path / "tiny", {"preset": "minimal"}).path
    report = check_project(project, only=["runtime"])
    assert result_of(report, "MF501")[0] is Status.PASSED
    assert result_of(report, "MF502")[:2] == (
        Status.SKIPPED, "the server speaks stdio only (transport: stdio)"
    )  # fmt: skip


def test_without_uv_build_tests_and_runtime_are_not_verified(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """uv comes with mcpforge; a broken installation without it verifies nothing: exit 2."""
    for module in (build_checks, testsuite, runtime):
        monkeypatch.setattr(module, "uv", lambda: None)
    report = check_project(project, only=["build", "tests", "MF501", "MF502"])
    for check_id in ("MF301", "MF302", "MF401", "MF501", "MF502"):
        status, message, _ = result_of(report, check_id)
        assert status is Status.NOT_VERIFIED, check_id
        assert message == "uv is not installed", message
    assert (report.verdict, report.exit_code) == ("not verified", 2)


@on_the_matrix_run
def test_check_leaves_the_project_untouched(pristine_report: Report) -> None:
    root = pristine_report.root
    assert (root / "pyproject.toml").is_file(), f"{root}: kept by `--keep`, looked at here"
    for leftover in (".venv", "dist", ".pytest_cache"):
        assert not (root / leftover).exists(), leftover
    # uv.lock is the one `mcpforge new` committed: no check rewrote it.
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True, check=True
    )
    assert status.stdout == ""


@pytest.fixture
def older_template(project: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The project records v0.0.1, and `mcpforge update` knows a newer v0.1.0."""
    import types

    import mcpforge.update

    replace_in(".copier-answers.yml", r"^_commit:.*$", "_commit: v0.0.1", regex=True)(project)
    result = types.SimpleNamespace(status="update-available", recorded="v0.0.1", template="v0.1.0")
    monkeypatch.setattr(mcpforge.update, "check_update", lambda path: result)
    return project


def test_drift_warns_and_fails_when_strict(older_template: Path) -> None:
    report = check_project(older_template, only=["MF601"])
    status, message, hint = result_of(report, "MF601")
    assert (status, message) == (Status.WARNING, "template v0.0.1 is behind v0.1.0")
    assert hint == registry()["MF601"].hint
    assert report.ok and report.exit_code == 0
    strict = check_project(older_template, only=["MF601"], strict=True)
    assert failed_ids(strict) == {"MF601"}
    assert strict.exit_code == 2


def test_drift_asks_update_and_says_why_it_cannot_tell(project: Path) -> None:
    """No second version parser: MF601 reports what `mcpforge update` itself finds."""
    from mcpforge import __version__

    replace_in(".copier-answers.yml", r"^_commit:.*$", "_commit: v9.0.0", regex=True)(project)
    report = check_project(project, only=["MF601"])
    status, message, _ = result_of(report, "MF601")
    assert status is Status.SKIPPED
    assert message == (
        f"cannot tell: {project.resolve()} was made by mcpforge 9.0.0, newer than this"
        f" mcpforge {__version__}"
    )


def test_copy_excludes_local_env(project: Path) -> None:
    # A developer's .env must not change what the checks see (the server runs on defaults).
    (project / ".env").write_text("MCP_PATH=/elsewhere\n", encoding="utf-8")
    report = check_project(project, only=["MF502", "MF503"])
    assert report.ok, [(r.check.id, r.message) for r in report.results]
    shutil.rmtree(project / ".git")


@pytest.mark.slow
def test_mf401_shows_the_assertion_and_annotates_its_line(
    broken: Callable[[str], Report],
) -> None:
    """Captured logs and output stay out of the message; github annotations name the file
    and line pytest names (BROKEN_TEST, the run test_catches_its_break[MF401] reads)."""
    from mcpforge.checks.formats import to_github

    report = broken("MF401")
    status, message, _ = result_of(report, "MF401")
    assert status is Status.FAILED
    assert "AssertionError: the numbers differ" in message
    assert "assert 1 == 2" in message
    assert "captured log line" not in message and "captured output" not in message
    assert re.search(r"\d+ failed", message)
    annotation = to_github([report]).splitlines()[0]
    assert annotation.startswith("::error file=tests/test_broken.py,line=7,title=MF401")


@pytest.mark.slow
def test_mf402_names_the_type_error_and_annotates_its_line(
    broken: Callable[[str], Report],
) -> None:
    """mypy's own lines, the first one's file and line for the annotation, and its count."""
    from mcpforge.checks.formats import to_github

    report = broken("MF402")
    status, message, _ = result_of(report, "MF402")
    assert status is Status.FAILED
    lines = message.splitlines()
    assert lines[0].startswith("src/demo_server/typo.py:1: error: Incompatible types in assignment")
    assert re.fullmatch(r"Found 1 error in 1 file \(checked \d+ source files\)", lines[-1])
    annotation = to_github([report]).splitlines()[0]
    assert annotation.startswith("::error file=src/demo_server/typo.py,line=1,title=MF402")


def test_mf402_skips_a_project_that_configures_no_mypy(project: Path) -> None:
    """Projects from before the template's [tool.mypy] claim no type checks to run."""
    replace_in("pyproject.toml", "[tool.mypy]\n", "[tool.typing]\n")(project)
    report = check_project(project, only=["MF402"])
    assert result_of(report, "MF402")[:2] == (
        Status.SKIPPED, "the project configures no mypy ([tool.mypy] in pyproject.toml)"
    )  # fmt: skip
